"""The local cloud's IAM: each AWS call becomes what IAM checks, grants match as IAM's wildcards
do, and the suite's records add up to the grants no call used."""

from __future__ import annotations

from carepay_local.iam import (
    Grant,
    Permission,
    Request,
    least_privilege_findings,
    permissions_for,
    policy_allows,
)

ACCOUNT, REGION = "123456789012", "eu-west-2"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/carepay-DataTable-X"


def needs(service: str, operation: str, **params: object) -> list[tuple[str, str]]:
    return [
        (p.action, p.resource) for p in permissions_for(service, operation, params, REGION, ACCOUNT)
    ]


def test_reading_the_version_an_event_names_needs_get_object_version() -> None:
    assert needs("s3", "GetObject", Bucket="in", Key="uploads/P001/a.csv", VersionId="v1") == [
        ("s3:GetObjectVersion", "arn:aws:s3:::in/uploads/P001/a.csv")
    ]
    assert needs("s3", "GetObject", Bucket="out", Key="runs/R1/run.json") == [
        ("s3:GetObject", "arn:aws:s3:::out/runs/R1/run.json")
    ]
    assert needs("s3", "ListObjectsV2", Bucket="out", Prefix="runs/") == [
        ("s3:ListBucket", "arn:aws:s3:::out")
    ]


def test_a_transaction_needs_each_of_its_items_actions_on_their_tables() -> None:
    items = [
        {"Put": {"TableName": "carepay-DataTable-X"}},
        {"Update": {"TableName": "carepay-DataTable-X"}},
        {"Delete": {"TableName": "carepay-DataTable-X"}},
    ]
    assert needs("dynamodb", "TransactWriteItems", TransactItems=items) == [
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:UpdateItem", TABLE),
        ("dynamodb:DeleteItem", TABLE),
    ]
    assert needs("dynamodb", "Query", TableName="carepay-DataTable-X", IndexName="byWeek") == [
        ("dynamodb:Query", f"{TABLE}/index/byWeek")
    ]


def test_a_queue_is_named_by_the_arn_its_url_stands_for() -> None:
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/carepay-ProviderPaymentsQueue-Y"
    assert needs("sqs", "SendMessageBatch", QueueUrl=url, Entries=[]) == [
        ("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:carepay-ProviderPaymentsQueue-Y")
    ]


def test_a_grant_matches_with_iams_wildcards_only_what_it_names() -> None:
    grant = Grant("F", "WriteFeedback", "s3:PutObject", "{}", "arn:aws:s3:::out/feedback/*")
    assert grant.allows(Permission("s3:PutObject", "arn:aws:s3:::out/feedback/P001/a.json"))
    assert not grant.allows(Permission("s3:PutObject", "arn:aws:s3:::out/finance/R1/x.csv"))
    assert not grant.allows(Permission("s3:GetObject", "arn:aws:s3:::out/feedback/P001/a.json"))


def test_the_suites_records_add_up_to_the_grants_no_process_used_and_every_refusal() -> None:
    granted = [["F", "A", "s3:PutObject", "feedback"], ["F", "B", "s3:GetObject", "runs"]]
    first = {"grants": granted, "used": [granted[0]], "denied": []}
    second = {"grants": granted, "used": [], "denied": [["G", "Query", "dynamodb:Query", TABLE]]}
    assert least_privilege_findings([first, second]) == [
        "F (B) is granted s3:GetObject on runs, which no call used: remove it, or test the code "
        "path that needs it",
        f"G called Query, which needs dynamodb:Query on {TABLE}: its role does not allow it",
    ]
    assert least_privilege_findings([{**first, "used": granted}]) == []


def test_an_explicit_deny_wins_over_an_allow_and_conditions_must_all_hold() -> None:
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    }
    cloudwatch = {"Service": "cloudwatch.amazonaws.com"}
    tls = {"aws:SourceAccount": ACCOUNT, "aws:SecureTransport": "true"}
    assert policy_allows(policy, Request(cloudwatch, "kms:GenerateDataKey", "*", tls))
    plain = {**tls, "aws:SecureTransport": "false"}
    assert not policy_allows(policy, Request(cloudwatch, "kms:GenerateDataKey", "*", plain))
    other_account = {**tls, "aws:SourceAccount": "999999999999"}
    assert not policy_allows(policy, Request(cloudwatch, "kms:GenerateDataKey", "*", other_account))
    assert not policy_allows(policy, Request({"Service": "sns.amazonaws.com"}, "kms:Decrypt", "*"))
