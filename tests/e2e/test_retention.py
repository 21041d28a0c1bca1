"""Keep less, for less long: every file carepay keeps expires, payment records after the years
finance keeps them, providers' own files and what was written for them much sooner."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from carepay.adapters.aws import client
from carepay.domain.weeks import LONDON
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from tests.e2e.conftest import MONDAY_AFTER, SAMPLES, WEEK, csv_bytes

PAYMENT_RECORDS = 2557  # the template's defaults
PROVIDER_FILES = 180


def lifecycle(bucket: str) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)[
        "Rules"
    ]
    return rules


def expiry_of(key: str, rules: list[dict[str, Any]]) -> int:
    [rule] = [r for r in rules if key.startswith(r["Filter"]["Prefix"])]  # exactly one rule
    assert rule["Status"] == "Enabled" and "NoncurrentVersionExpiration" in rule
    days: int = rule["Expiration"]["Days"]
    return days


def every_key(bucket: str) -> list[str]:
    pages = client("s3").get_paginator("list_object_versions").paginate(Bucket=bucket)
    return [version["Key"] for page in pages for version in page.get("Versions", [])]


def test_every_file_of_a_week_expires_payment_records_after_seven_years_the_rest_sooner(
    council: CarepayClient, cloud: LocalCloud
) -> None:
    council.upload(
        "P001",
        "claim.csv",
        csv_bytes(["SS Ref", "Date", "Weekly Actual Quantity"], ["SS1009", "09/11/2026", 5]),
        at=MONDAY_AFTER,
    )
    council.confirm("P001", WEEK, at=MONDAY_AFTER)
    council.claim_workbook("P001", date(2026, 11, 16), at=MONDAY_AFTER)
    council.import_approvals(SAMPLES / "approvals-E6.csv")
    run = council.pay(at=datetime(2026, 11, 18, 6, tzinfo=LONDON))
    council.approve(run["run_id"], "finance officer")

    payment_record_prefixes = ("care-packages/", "approvals/", "payment-runs/", "imports/",
                               "runs/", "remittances/", "finance/")  # fmt: skip
    for output in ("InboundBucketName", "OutboundBucketName"):
        bucket = cloud.outputs[output]
        rules = lifecycle(bucket)
        keys = every_key(bucket)
        assert len(keys) > 5
        for key in keys:
            expected = (
                PAYMENT_RECORDS if key.startswith(payment_record_prefixes) else PROVIDER_FILES
            )
            if key.startswith("feedback-staged/"):
                expected = 7  # only until the commit's feedback is published
            assert expiry_of(key, rules) == expected, key


def test_every_inbound_prefix_that_triggers_a_function_has_an_expiry(cloud: LocalCloud) -> None:
    inbound = cloud.outputs["InboundBucketName"]
    rules = lifecycle(inbound)
    configuration = client("s3").get_bucket_notification_configuration(Bucket=inbound)
    prefixes = {
        rule["Value"]
        for queue in configuration["QueueConfigurations"]
        for rule in queue["Filter"]["Key"]["FilterRules"]
    }
    assert prefixes == {r["Filter"]["Prefix"] for r in rules}
    assert {expiry_of(prefix, rules) for prefix in prefixes} == {PROVIDER_FILES, PAYMENT_RECORDS}
