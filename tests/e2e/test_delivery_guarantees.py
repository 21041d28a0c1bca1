"""At-least-once delivery, crashes and dead letters: what S3, SQS and Lambda really do."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.actuals import ActualsTable
from carepay.adapters.dynamodb.plans import PlanTable
from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.adapters.dynamodb.table import Table
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from tests.e2e.conftest import MONDAY_AFTER, WEEK, all_items, csv_bytes, pay, stored_week
from tests.faults import fail_once

LINES_OF_P001 = [f"SS{1000 + n}" for n in range(1, 11)]


def three_weeks_of_claims() -> bytes:
    """30 rows: more than one batch of 25 writes."""
    rows = [
        [ss_ref, f"{WEEK - timedelta(weeks=back):%d/%m/%Y}", 5]
        for back in range(3)
        for ss_ref in LINES_OF_P001
    ]
    return csv_bytes(["SS Ref", "Date", "Weekly Actual Quantity"], *rows)


def actual_items(cloud: LocalCloud) -> list[dict[str, Any]]:
    return [item for item in all_items(cloud) if item["SK"]["S"].startswith("ACTUAL#")]


def last_submission_message(cloud: LocalCloud) -> str:
    [*_, (_, event)] = [(f, e) for f, e in cloud.invocations if f == "IngestActualsFunction"]
    body: str = event["Records"][-1]["body"]
    return body


def redeliver(cloud: LocalCloud, body: str) -> None:
    client("sqs").send_message(QueueUrl=cloud.outputs["SubmissionsQueueUrl"], MessageBody=body)
    cloud.pump()


def test_e13_the_same_upload_delivered_twice_changes_nothing(
    council: CarepayClient, cloud: LocalCloud, writes_to: Callable[[str], list[str]]
) -> None:
    council.upload("P001", "claim.csv", three_weeks_of_claims(), at=MONDAY_AFTER)
    before = all_items(cloud)
    data_table = cloud.outputs["DataTableName"]
    writes_before = len(writes_to(data_table))
    assert writes_before > 0  # the upload's own batches and commit were seen

    redeliver(cloud, last_submission_message(cloud))
    assert all_items(cloud) == before

    # Even once the idempotency record has expired, the upload's commit marker stops a second apply.
    idempotency_table = cloud.functions["IngestActualsFunction"].environment[
        "IDEMPOTENCY_TABLE_NAME"
    ]
    dynamodb = client("dynamodb")
    for record in dynamodb.scan(TableName=idempotency_table)["Items"]:
        dynamodb.delete_item(TableName=idempotency_table, Key={"id": record["id"]})
    redeliver(cloud, last_submission_message(cloud))
    assert all_items(cloud) == before
    assert len(writes_to(data_table)) == writes_before  # not a single write to the table
    assert cloud.failed_invocations == []


def test_a_crash_mid_upload_leaves_nothing_visible_and_the_redelivery_applies_it_whole(
    council: CarepayClient,
    cloud: LocalCloud,
    store: SubmissionStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_send = Table._send_batch
    batches = {"sent": 0}

    def crash_before_the_second_batch_once(self: Table, batch: Any) -> None:
        batches["sent"] += 1
        if batches["sent"] == 2:
            raise ConnectionError("Lambda timed out between two batches")
        real_send(self, batch)

    monkeypatch.setattr(Table, "_send_batch", crash_before_the_second_batch_once)
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"],
        Key="uploads/P001/three-weeks.csv",
        Body=three_weeks_of_claims(),
        Metadata={"carepay-at": MONDAY_AFTER.isoformat()},
    )
    cloud.pump(max_rounds=1)
    assert len(actual_items(cloud)) == 25  # the first batch landed before the crash…
    assert (
        store.stored_line_weeks("P001", WEEK - timedelta(weeks=2), WEEK) == {}
    )  # …but none is visible

    cloud.pump()  # SQS redelivers the message; this time every batch and the commit succeed
    assert len(store.stored_line_weeks("P001", WEEK - timedelta(weeks=2), WEEK)) == 30
    # The retry wrote its own 30 items and, once committed, deleted the 25 the crash left: that
    # attempt needed the version the retry took, so it could never commit.
    assert len(actual_items(cloud)) == 30
    attempts = {i["attempt"]["S"] for i in actual_items(cloud)}
    assert attempts == store.actuals.committed_attempts("P001", attempts)
    feedback = json.loads(council.read_outbound("feedback/P001/three-weeks.feedback.json"))
    assert (feedback["accepted"], feedback["rejected"]) == (30, 0)


def test_a_message_that_keeps_failing_ends_on_the_dead_letter_queue(
    council: CarepayClient, cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    def always_fail(self: PlanTable, provider_ref: str) -> None:
        raise ConnectionError("DynamoDB unreachable")

    monkeypatch.setattr(PlanTable, "provider_plan", always_fail)
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"],
        Key="uploads/P001/claim.csv",
        Body=csv_bytes(["SS Ref", "Date", "Weekly Actual Quantity"], ["SS1009", "09/11/2026", 5]),
    )
    cloud.pump()
    sqs = client("sqs")
    dead = sqs.receive_message(
        QueueUrl=cloud.outputs["SubmissionsDeadLetterQueueUrl"], MaxNumberOfMessages=10
    )
    [message] = dead["Messages"]
    assert "uploads%2FP001%2Fclaim.csv" in message["Body"]  # S3 sends keys URL-encoded
    assert stored_week(SubmissionStore(cloud.outputs["DataTableName"]), "P001") == {}
    # Each failed try is told (by `carepay serve`) with what failed on which file, and why.
    assert cloud.failures[0] == (
        "IngestActualsFunction failed on uploads/P001/claim.csv: ConnectionError: DynamoDB "
        "unreachable (the message is retried, then dead-lettered)"
    )


def test_the_client_reports_a_file_whose_processing_failed_instead_of_waiting(
    council: CarepayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carepay_local.client import NotProcessed

    def always_fail(self: PlanTable, provider_ref: str) -> None:
        raise ConnectionError("DynamoDB unreachable")

    monkeypatch.setattr(PlanTable, "provider_plan", always_fail)
    council.timeout_seconds = 600  # the failure must be reported long before this
    with pytest.raises(NotProcessed, match="dead-letter queue"):
        council.upload(
            "P001",
            "claim.csv",
            csv_bytes(["SS Ref", "Date", "Weekly Actual Quantity"], ["SS1009", "09/11/2026", 5]),
        )


def test_a_client_of_a_stack_in_another_process_hears_of_a_dead_letter_without_its_timeout(
    council: CarepayClient, cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with `carepay serve`: the client does not pump, the stack's own loop does."""
    import threading

    from carepay_local.client import NotProcessed

    def always_fail(self: PlanTable, provider_ref: str) -> None:
        raise ConnectionError("DynamoDB unreachable")

    monkeypatch.setattr(PlanTable, "provider_plan", always_fail)
    stopping = threading.Event()

    def the_stacks_own_loop() -> None:
        while not stopping.is_set():
            cloud.pump()
            stopping.wait(0.05)

    loop = threading.Thread(target=the_stacks_own_loop)
    loop.start()
    council.pump, council.timeout_seconds = None, 300
    try:
        with pytest.raises(NotProcessed, match="could not be processed and is on the dead-letter"):
            council.upload(
                "P001",
                "claim.csv",
                csv_bytes(
                    ["SS Ref", "Date", "Weekly Actual Quantity"], ["SS1009", "09/11/2026", 5]
                ),
            )
    finally:
        stopping.set()
        loop.join()


def test_a_submission_checked_on_state_that_changed_before_it_committed_is_checked_again(
    council: CarepayClient,
    cloud: LocalCloud,
    store: SubmissionStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A payment run locks a line-week while an upload of that week is being checked."""
    real_save = ActualsTable.save_submission
    locked = []

    def payment_approved_meanwhile(self: ActualsTable, *arguments: Any) -> None:
        if not locked:
            locked.append(True)
            pay(self.table.name, "P001", ["L1009"], run_id="run-7")
        real_save(self, *arguments)

    monkeypatch.setattr(ActualsTable, "save_submission", payment_approved_meanwhile)
    feedback = council.upload(
        "P001",
        "claim.csv",
        csv_bytes(
            ["SS Ref", "Date", "Weekly Actual Quantity", "Weekly Missed Quantity", "Comments"],
            ["SS1009", "09/11/2026", 5, None, None],
            ["SS1003", "09/11/2026", 4, 1, "Left early"],
        ),
        at=MONDAY_AFTER,
    )
    assert [
        row["errors"][0]["code"] if row["errors"] else row["status"] for row in feedback["rows"]
    ] == [
        "V7",
        "accepted",
    ]
    stored = stored_week(store, "P001")
    assert stored["L1009"].paid and stored["L1009"].actuals is None
    assert stored["L1003"].actuals is not None and stored["L1003"].actuals.actual_quarters == 16
    # The first check's items, which never committed, are gone rather than kept invisible.
    attempts = {i["attempt"]["S"] for i in actual_items(cloud)}
    assert attempts == store.actuals.committed_attempts("P001", attempts)


def upload_three_weeks(cloud: LocalCloud) -> None:
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"],
        Key="uploads/P001/three-weeks.csv",
        Body=three_weeks_of_claims(),
        Metadata={"carepay-at": MONDAY_AFTER.isoformat()},
    )


FEEDBACK_JSON = "feedback/P001/three-weeks.feedback.json"


def feedback_if_any(council: CarepayClient) -> dict[str, Any] | None:
    found = council._json_if_present(FEEDBACK_JSON)
    return found


def test_feedback_appears_only_once_its_rows_are_committed(
    council: CarepayClient,
    cloud: LocalCloud,
    store: SubmissionStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Feedback once said "30 accepted" while a crash left nothing committed."""
    stopped = ConnectionError("Lambda was stopped at the commit")
    fail_once(monkeypatch, ActualsTable, "save_submission", stopped)
    upload_three_weeks(cloud)
    cloud.pump(max_rounds=1)
    assert feedback_if_any(council) is None  # nothing committed: nothing said
    cloud.pump()
    feedback = feedback_if_any(council)
    assert feedback is not None and feedback["accepted"] == 30
    assert len(store.stored_line_weeks("P001", WEEK - timedelta(weeks=2), WEEK)) == 30


def test_a_crash_between_the_commit_and_its_feedback_is_put_right_by_the_redelivery(
    council: CarepayClient,
    cloud: LocalCloud,
    store: SubmissionStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from carepay.adapters.documents import S3Documents

    stopped = ConnectionError("Lambda was stopped after the commit")
    fail_once(
        monkeypatch,
        S3Documents,
        "write_outbound",
        stopped,
        when=lambda _, key, *__: key.startswith("feedback/"),
    )
    upload_three_weeks(cloud)
    cloud.pump()  # the redelivery finds the upload committed, and publishes what was committed
    feedback = feedback_if_any(council)
    assert feedback is not None and (feedback["accepted"], feedback["rejected"]) == (30, 0)
    assert council.read_outbound("feedback/P001/three-weeks.feedback.xlsx").startswith(b"PK")
    assert len(store.stored_line_weeks("P001", WEEK - timedelta(weeks=2), WEEK)) == 30
    assert len(actual_items(cloud)) == 30  # committed once


def test_a_crash_in_the_middle_of_an_approval_is_redelivered_and_pays_each_line_once(
    council: CarepayClient, cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Acme's paid items are written, then its worker dies before the run's marker: the queue
    delivers it again, and from the data nothing is paid twice or left half-applied."""
    from datetime import datetime

    from carepay.adapters.dynamodb.state import ProviderState
    from carepay.domain.weeks import LONDON

    for provider in ("P001", "P002", "P003"):
        council.confirm(provider, WEEK, at=MONDAY_AFTER)
    draft = council.pay(at=datetime(2026, 11, 18, 6, tzinfo=LONDON))
    killed = RuntimeError("the worker was stopped mid-approval")
    fail_once(
        monkeypatch,
        ProviderState,
        "commit",
        killed,
        when=lambda _state, _change, provider, *_, **options: (
            provider == "P001" and options.get("finishing_payment", False)
        ),
    )
    approved = council.approve(draft["run_id"], "finance officer")

    assert len(cloud.failed_invocations) == 1 and "mid-approval" in cloud.failed_invocations[0]
    assert approved["status"] == "approved" and approved["totals"] == draft["totals"]
    items = all_items(cloud)
    paid = [(i["PK"]["S"], i["line_ref"]["S"]) for i in items if i["SK"]["S"].startswith("PAID#")]
    assert len(paid) == len(set(paid)) == 12 + 2 + 2  # every confirmed line-week, once
    assert not any("paying" in i for i in items if i["SK"]["S"] == "STATE")
    markers = [i["PK"]["S"] for i in items if i["SK"]["S"].startswith("PAYRUN#")]
    assert sorted(markers) == ["PROVIDER#P001", "PROVIDER#P002", "PROVIDER#P003"]
    later = council.upload(
        "P001",
        "late.csv",
        csv_bytes(["SS Ref", "Date", "Weekly Actual Quantity"], ["SS1009", "09/11/2026", 4]),
        at=MONDAY_AFTER,
    )
    assert [e["code"] for e in later["rows"][0]["errors"]] == ["V7"]  # locked once, for good


def test_what_a_dead_lettered_upload_left_is_deleted_by_the_next_payment_run(
    council: CarepayClient, cloud: LocalCloud, store: SubmissionStore
) -> None:
    """Its message never comes back, so no commit of the provider's reads those items: the run,
    which reads every line-week, deletes an attempt older than any invocation, and keeps one
    that may still be running."""
    from datetime import UTC, datetime

    from carepay.adapters.dynamodb.items import actuals_item
    from carepay.adapters.dynamodb.keys import attempt_id
    from carepay.domain.actuals import LineWeekActuals
    from carepay.domain.weeks import LONDON

    def left_by(attempt: str, line_ref: str) -> dict[str, Any]:
        actuals = LineWeekActuals("P001", line_ref, "SS1009", WEEK, 20, 20, upload_id="crashed")
        return actuals_item(actuals, attempt)

    next_version = store.provider_version("P001") + 1
    long_ago = attempt_id(next_version, "crashed", datetime(2026, 11, 16, 9, 30, tzinfo=UTC))
    running = attempt_id(next_version, "running", datetime.now(UTC))
    store.actuals.table.batch_write([left_by(long_ago, "L1009"), left_by(long_ago, "L1010")])
    store.actuals.table.batch_write([left_by(running, "L1009")])

    council.pay(at=datetime(2026, 11, 18, 6, tzinfo=LONDON))
    assert {i["attempt"]["S"] for i in actual_items(cloud)} == {running}
