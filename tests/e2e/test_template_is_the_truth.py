"""Every wire the code relies on is in effect once template.yaml is deployed — including the
properties moto's CloudFormation skips, which the local cloud applies from the same template."""

from __future__ import annotations

import json
from pathlib import Path

from carepay.adapters.aws import client
from carepay.local.cloud import LocalCloud
from carepay.local.template import load_template

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def test_s3_notifies_the_right_queue_for_each_inbound_prefix(cloud: LocalCloud) -> None:
    configuration = client("s3").get_bucket_notification_configuration(
        Bucket=cloud.outputs["InboundBucketName"]
    )
    routes = {
        entry["Filter"]["Key"]["FilterRules"][0]["Value"]: entry["QueueArn"]
        for entry in configuration["QueueConfigurations"]
    }
    queue_arn = {trigger.function.logical_id: trigger.queue_arn for trigger in cloud.triggers}
    assert routes == {
        "care-packages/": queue_arn["ImportCarePackagesFunction"],
        "uploads/": queue_arn["IngestActualsFunction"],
        "confirmations/": queue_arn["IngestActualsFunction"],
        "workbook-requests/": queue_arn["ClaimWorkbooksFunction"],
        "approvals/": queue_arn["ImportCarePackagesFunction"],
        "payment-runs/": queue_arn["PaymentRunsFunction"],
        "sheets-requests/": queue_arn_of(cloud, "SheetsRequestsQueueUrl"),
    }


def queue_arn_of(cloud: LocalCloud, output: str) -> str:
    arn: str = client("sqs").get_queue_attributes(
        QueueUrl=cloud.outputs[output], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    return arn


def test_queue_policies_let_only_the_inbound_bucket_send(cloud: LocalCloud) -> None:
    for trigger in cloud.triggers:
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=trigger.queue_url, AttributeNames=["All"]
        )["Attributes"]
        policy = json.loads(attributes["Policy"])
        [allow] = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
        assert allow["Principal"] == {"Service": "s3.amazonaws.com"}
        assert (
            allow["Condition"]["ArnLike"]["aws:SourceArn"]
            == f"arn:aws:s3:::{cloud.outputs['InboundBucketName']}"
        )
        redrive = json.loads(attributes["RedrivePolicy"])
        dead_letter_output = {
            "SubmissionsQueueUrl": "SubmissionsDeadLetterQueueUrl",
            "CarePackagesQueueUrl": "CarePackagesDeadLetterQueueUrl",
            "WorkbookRequestsQueueUrl": "WorkbookRequestsDeadLetterQueueUrl",
            "PaymentRunRequestsQueueUrl": "PaymentRunRequestsDeadLetterQueueUrl",
            "ProviderPaymentsQueueUrl": "ProviderPaymentsDeadLetterQueueUrl",
            "SheetsRequestsQueueUrl": "SheetsRequestsDeadLetterQueueUrl",
            "SheetSyncQueueUrl": "SheetSyncDeadLetterQueueUrl",
        }[next(k for k, v in cloud.outputs.items() if v == trigger.queue_url)]
        dead_letter_arn = client("sqs").get_queue_attributes(
            QueueUrl=cloud.outputs[dead_letter_output], AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        assert redrive == {"maxReceiveCount": 5, "deadLetterTargetArn": dead_letter_arn}


def test_each_queue_triggers_its_function_with_partial_batch_failures(cloud: LocalCloud) -> None:
    triggers = {t.function.logical_id: t for t in cloud.triggers}
    assert set(triggers) == {
        "ImportCarePackagesFunction",
        "IngestActualsFunction",
        "ClaimWorkbooksFunction",
        "PaymentRunsFunction",
        "ProviderPaymentsFunction",
        "SheetsFunction",
    }
    assert all(t.reports_item_failures for t in cloud.triggers)
    sheets = {t.queue_url for t in cloud.triggers if t.function.logical_id == "SheetsFunction"}
    assert sheets == {cloud.outputs["SheetSyncQueueUrl"], cloud.outputs["SheetsRequestsQueueUrl"]}
    assert triggers["IngestActualsFunction"].batch_size == 5


def test_functions_get_the_real_resource_names_from_the_template(cloud: LocalCloud) -> None:
    environment = cloud.functions["IngestActualsFunction"].environment
    assert environment["TABLE_NAME"] == cloud.outputs["DataTableName"]
    assert environment["INBOUND_BUCKET"] == cloud.outputs["InboundBucketName"]
    assert environment["OUTBOUND_BUCKET"] == cloud.outputs["OutboundBucketName"]
    assert environment["TRIAL_MODE"] == "true"  # the local stack is a trial stack
    tables = client("dynamodb").list_tables()["TableNames"]
    assert environment["IDEMPOTENCY_TABLE_NAME"] in tables


def test_storage_is_versioned_private_encrypted_and_recoverable(cloud: LocalCloud) -> None:
    s3 = client("s3")
    for bucket in (cloud.outputs["InboundBucketName"], cloud.outputs["OutboundBucketName"]):
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        assert all(
            s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values()
        )
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    backups = client("dynamodb").describe_continuous_backups(
        TableName=cloud.outputs["DataTableName"]
    )
    assert (
        backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
            "PointInTimeRecoveryStatus"
        ]
        == "ENABLED"
    )


def test_a_dead_letter_raises_an_alarm(cloud: LocalCloud) -> None:
    alarms = client("cloudwatch").describe_alarms()["MetricAlarms"]
    watched = {a["Dimensions"][0]["Value"]: a["AlarmActions"] for a in alarms}
    for output in (
        "SubmissionsDeadLetterQueueUrl",
        "CarePackagesDeadLetterQueueUrl",
        "WorkbookRequestsDeadLetterQueueUrl",
        "PaymentRunRequestsDeadLetterQueueUrl",
        "ProviderPaymentsDeadLetterQueueUrl",
    ):
        queue_name = cloud.outputs[output].rsplit("/", 1)[1]
        assert watched[queue_name] == [cloud.outputs["AlarmTopicArn"]]


def test_s3_test_events_sent_when_notifications_are_set_are_ignored(cloud: LocalCloud) -> None:
    assert cloud.pump() >= 1  # S3's s3:TestEvent messages reached the queues…
    assert cloud.failed_invocations == []  # …and the functions passed over them


def test_buckets_refuse_plain_http_and_functions_have_only_what_they_use() -> None:
    resources = load_template(TEMPLATE)["Resources"]
    for policy_name in ("InboundBucketPolicy", "OutboundBucketPolicy"):
        [statement] = resources[policy_name]["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny" and statement["Condition"] == {
            "Bool": {"aws:SecureTransport": "false"}
        }
    granted = {
        name: sorted({a for s in r["Properties"]["Policies"][0]["Statement"] for a in s["Action"]})
        for name, r in resources.items()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert granted == {
        "ImportCarePackagesFunction": [
            "dynamodb:BatchWriteItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:PutObject",
        ],
        "IngestActualsFunction": [
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:PutObject",
        ],
        "ClaimWorkbooksFunction": [
            "dynamodb:Query",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:PutObject",
        ],
        "PaymentRunsFunction": [
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:PutObject",
            "sqs:SendMessage",
        ],
        "ProviderPaymentsFunction": [
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "s3:GetObject",
            "s3:PutObject",
            "sqs:SendMessage",
        ],
        "SheetNoticesFunction": [
            "dynamodb:PutItem",
            "secretsmanager:GetSecretValue",
            "sqs:SendMessage",
        ],
        "SheetsFunction": [
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:PutObject",
            "secretsmanager:GetSecretValue",
            "sqs:SendMessage",
        ],
    }
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            for statement in resource["Properties"]["Policies"][0]["Statement"]:
                assert "*" not in json.dumps(statement["Resource"]).replace("/*", ""), name


def test_the_monday_schedule_exists_in_london_time_and_targets_the_workbook_queue(
    cloud: LocalCloud,
) -> None:
    schedule = client("scheduler").get_schedule(Name="carepay-WeeklyClaimWorkbooks")
    assert schedule["ScheduleExpression"] == "cron(0 6 ? * MON *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/London"
    workbooks = next(t for t in cloud.triggers if t.function.logical_id == "ClaimWorkbooksFunction")
    assert schedule["Target"]["Arn"] == workbooks.queue_arn
    assert "<aws.scheduler.scheduled-time>" in schedule["Target"]["Input"]


def test_the_wednesday_payment_run_schedule_targets_the_run_requests_queue(
    cloud: LocalCloud,
) -> None:
    schedule = client("scheduler").get_schedule(Name="carepay-WeeklyPaymentRun")
    assert schedule["ScheduleExpression"] == "cron(0 6 ? * WED *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/London"
    runs = next(t for t in cloud.triggers if t.function.logical_id == "PaymentRunsFunction")
    assert schedule["Target"]["Arn"] == runs.queue_arn


def test_no_payment_function_may_run_longer_than_a_minute(cloud: LocalCloud) -> None:
    for name in ("PaymentRunsFunction", "ProviderPaymentsFunction"):
        assert cloud.functions[name].timeout == 60
    fan_out = cloud.functions["PaymentRunsFunction"].environment["PROVIDER_PAYMENTS_QUEUE_URL"]
    assert fan_out == cloud.outputs["ProviderPaymentsQueueUrl"]


def test_the_notice_endpoint_is_a_function_url_and_its_secrets_are_not_in_the_template(
    cloud: LocalCloud,
) -> None:
    assert cloud.outputs["SheetNoticesUrl"].startswith("https://")
    text = TEMPLATE.read_text()
    assert "private_key" not in text  # the key is put in Secrets Manager after deploying
    resources = load_template(TEMPLATE)["Resources"]
    generated = resources["SheetsNoticeSecret"]["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32
    sync = resources["SheetsFunction"]["Properties"]["Events"]["SheetSyncs"]["Properties"]
    assert sync["ScalingConfig"]["MaximumConcurrency"] <= 5  # Google's quota, not Lambda's
    fifo = resources["SheetSyncQueue"]["Properties"]
    assert fifo["FifoQueue"] is True and "ContentBasedDeduplication" not in fifo
    schedule = client("scheduler").get_schedule(Name="carepay-SheetsPoll")
    assert schedule["ScheduleExpression"] == "rate(10 minutes)"
