"""The commit protocol, on the table alone: what a submission stores is seen whole or not at all,
two decisions on one state never both commit, and a paid line-week stays paid once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

import pytest

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.items import actuals_item
from carepay.adapters.dynamodb.keys import attempt_id
from carepay.adapters.dynamodb.stores import PaymentStore, SubmissionStore
from carepay.adapters.dynamodb.table import StoreError, Table
from carepay.domain.actuals import LineWeekActuals
from carepay.domain.payment_run import EVER, LineStatus, RunLine
from carepay.ports.errors import AlreadyCommitted, ConcurrentChange

WEEK = date(2026, 11, 9)


def reported(line_ref: str, actual_quarters: int, upload_id: str = "u1") -> LineWeekActuals:
    return LineWeekActuals(
        "P001", line_ref, "SS" + line_ref[1:], WEEK, 20, actual_quarters, upload_id=upload_id
    )


def actuals_now(store: SubmissionStore) -> dict[str, int]:
    states = store.stored_line_weeks("P001", WEEK, WEEK)
    return {line: s.actuals.actual_quarters for (line, _), s in states.items() if s.actuals}


def items_under(table_name: str, prefix: str) -> list[str]:
    items = client("dynamodb").scan(TableName=table_name)["Items"]
    return [item["SK"]["S"] for item in items if item["SK"]["S"].startswith(prefix)]


def test_a_submission_is_visible_once_committed_and_advances_the_version(
    submissions: SubmissionStore,
) -> None:
    assert submissions.provider_version("P001") == 0
    line_weeks = [reported(f"L{n:04d}", 20) for n in range(30)]  # more than one batch
    submissions.save_submission("P001", "u1", line_weeks, {"accepted": 30}, 0)
    assert len(actuals_now(submissions)) == 30
    assert submissions.provider_version("P001") == 1
    assert submissions.upload_summary("P001", "u1") == {"accepted": 30}


def test_two_decisions_made_on_one_state_do_not_both_commit_and_the_loser_leaves_nothing(
    submissions: SubmissionStore, table_name: str
) -> None:
    submissions.save_submission("P001", "first", [reported("L1001", 20, "first")], {}, 0)
    with pytest.raises(ConcurrentChange):
        submissions.save_submission("P001", "second", [reported("L1001", 12, "second")], {}, 0)
    assert actuals_now(submissions) == {"L1001": 20}
    assert len(items_under(table_name, "ACTUAL#")) == 1  # the loser's item was deleted


def test_the_same_upload_committed_twice_is_refused_as_already_committed(
    submissions: SubmissionStore,
) -> None:
    submissions.save_submission("P001", "u1", [reported("L1001", 20)], {}, 0)
    with pytest.raises(AlreadyCommitted):
        submissions.save_submission("P001", "u1", [reported("L1001", 20)], {}, 1)
    assert submissions.provider_version("P001") == 1


def test_items_of_an_attempt_that_never_committed_are_invisible_and_swept_by_the_next_commit(
    submissions: SubmissionStore, table: Table, table_name: str
) -> None:
    crashed = attempt_id(1, "crashed", datetime.now(UTC))
    table.batch_write([actuals_item(reported("L1001", 4, "crashed"), crashed)])
    assert actuals_now(submissions) == {}  # read: seen, and passed over
    submissions.save_submission("P001", "retry", [reported("L1001", 20, "retry")], {}, 0)
    assert actuals_now(submissions) == {"L1001": 20}
    assert len(items_under(table_name, "ACTUAL#")) == 1  # version 1 is taken: the crash's gone


def test_an_attempt_that_may_still_be_running_is_kept(
    payments: PaymentStore, submissions: SubmissionStore, table: Table, table_name: str
) -> None:
    running = attempt_id(2, "running", datetime.now(UTC))
    submissions.save_submission("P001", "u1", [reported("L1001", 20)], {}, 0)
    table.batch_write([actuals_item(reported("L1002", 4, "running"), running)])
    assert [a.line_ref for a in payments.line_weeks_from("P001", EVER)] == ["L1001"]
    assert len(items_under(table_name, "ACTUAL#")) == 2  # it needs version 2: not taken yet


def test_while_a_provider_is_being_paid_no_submission_commits_and_the_lock_completes_once(
    payments: PaymentStore, submissions: SubmissionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload checked while an approved run writes the provider's paid items is refused at
    its commit, so it is checked again after the lock, never slipped in between (V7)."""
    paid = RunLine("P001", "L1001", "SS1001", WEEK, 20, 20, 0, 0, 20, Fraction(2000), 10000, 0,
                   LineStatus.PAID)  # fmt: skip
    correction = LineWeekActuals("P001", "L1001", "SS1001", WEEK, 20, 16, comments="late fix")
    real_batch_write = payments.payments.table.batch_write
    meanwhile: list[str] = []

    def upload_during_the_paid_items(items: Any, *, delete: bool = False) -> None:
        real_batch_write(items, delete=delete)
        meanwhile.append("tried")
        version = submissions.provider_version("P001")
        with pytest.raises(ConcurrentChange):  # the upload is checked again later, not committed
            submissions.save_submission("P001", "upload-meanwhile", [correction], {}, version)

    with monkeypatch.context() as during:
        during.setattr(payments.payments.table, "batch_write", upload_during_the_paid_items)
        assert payments.save_payment("P001", "R20261118-0600", [paid], 0) is True
    assert meanwhile == ["tried"]
    assert submissions.upload_summary("P001", "upload-meanwhile") is None
    # Checked again now, the line-week is paid: the lock is in place (V7 refuses it).
    assert submissions.stored_line_weeks("P001", WEEK, WEEK)[("L1001", WEEK)].paid
    version = submissions.provider_version("P001")
    submissions.save_submission("P001", "upload-after", [], {}, version)  # no mark is left
    assert payments.save_payment("P001", "R20261118-0600", [paid], 0) is False  # redelivered
    current = submissions.provider_version("P001")
    submissions.save_submission("P001", "upload-after-again", [], {}, current)


def test_items_seen_uncommitted_are_never_swept_once_their_attempt_has_committed(
    submissions: SubmissionStore, table: Table
) -> None:
    """Seen before their commit, then committed: the next commit's sweep must keep them."""
    attempt = "0000000001#upload-a.1234abcd"
    actuals = reported("L1009", 20, "upload-a")
    table.batch_write([actuals_item(actuals, attempt)])
    assert actuals_now(submissions) == {}  # not committed yet: seen, and invisible
    marker = {"PK": {"S": "PROVIDER#P001"}, "SK": {"S": "UPLOAD#upload-a"},
              "attempt": {"S": attempt}, "summary": {"S": "{}"}}  # fmt: skip
    submissions.actuals.state.commit({"Put": {"TableName": table.name, "Item": marker}}, "P001", 0)
    submissions.save_submission("P001", "upload-b", [], {}, expected_version=1)
    assert actuals_now(submissions) == {"L1009": 20}


def test_a_batch_dynamodb_keeps_leaving_unprocessed_fails_loudly(
    table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    dynamodb = client("dynamodb")

    def leaves_everything(RequestItems: dict[str, list[object]]) -> dict[str, object]:  # noqa: N803
        return {"UnprocessedItems": RequestItems}

    monkeypatch.setattr(dynamodb, "batch_write_item", leaves_everything)
    with pytest.raises(StoreError, match="unprocessed"):
        table.batch_write([actuals_item(reported("L1001", 20), "a")])
