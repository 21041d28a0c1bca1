"""Costs that grow with the work, not with history: a report superseded for good is moved to the
provider's history by the commit that superseded it, so the tenth upload of a claim reads what
the first did, and nothing reported is lost; a read a commit overlapped is read again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.adapters.dynamodb.table import Item, Table
from carepay.domain.actuals import LineWeekActuals, RejectedReport
from tests.adapters.test_commit_protocol import WEEK, actuals_now

LINES = [f"L{n:04d}" for n in range(30)]


def reported(line_ref: str, quarters: int, upload_id: str) -> LineWeekActuals:
    return LineWeekActuals(
        "P001", line_ref, "SS" + line_ref[1:], WEEK, 20, quarters, upload_id=upload_id
    )


def upload(store: SubmissionStore, upload_id: str, quarters: int) -> int:
    """As the service does it: read the version and the week, then commit on that version;
    the number of reports the read had to go through."""
    version = store.provider_version("P001")
    read = count_items_read(store, lambda: store.stored_line_weeks("P001", WEEK, WEEK))
    line_weeks = [reported(line, quarters, upload_id) for line in LINES]
    store.save_submission("P001", upload_id, line_weeks, {}, version)
    return read


def count_items_read(store: SubmissionStore, read: Any) -> int:
    table = store.actuals.table
    counted = 0
    original = table.query

    def counting(pk: str, low: str, high: str, projection: str | None = None) -> Iterator[Item]:
        nonlocal counted
        for item in original(pk, low, high, projection):
            counted += low.startswith("ACTUAL#")
            yield item

    table.query = counting  # type: ignore[method-assign]
    try:
        read()
    finally:
        table.query = original  # type: ignore[method-assign]
    return counted


def partition(table_name: str, pk: str) -> list[Item]:
    items = client("dynamodb").scan(TableName=table_name)["Items"]
    return [item for item in items if item["PK"]["S"] == pk]


def test_the_tenth_upload_of_a_claim_reads_what_the_second_did_and_history_keeps_the_rest(
    submissions: SubmissionStore, table_name: str
) -> None:
    read = [upload(submissions, f"u{n}", 20 - n) for n in range(10)]
    assert read[1] == read[9] == len(LINES)  # one current report a line-week, however many
    assert actuals_now(submissions) == dict.fromkeys(LINES, 11)  # the tenth upload's
    current = [
        i for i in partition(table_name, "PROVIDER#P001") if i["SK"]["S"].startswith("ACTUAL#")
    ]
    history = partition(table_name, "HISTORY#P001")
    assert len(current) == len(LINES) and len(history) == 9 * len(LINES)  # nothing lost
    assert {item["actual"]["N"] for item in history} == {str(20 - n) for n in range(9)}


def test_a_rejected_row_leaves_the_accepted_actuals_current_until_a_later_report_replaces_them(
    submissions: SubmissionStore, table_name: str
) -> None:
    submissions.save_submission("P001", "u1", [reported("L0001", 20, "u1")], {}, 0)
    submissions.stored_line_weeks("P001", WEEK, WEEK)
    at = datetime.now(UTC)
    rejected = RejectedReport("L0001", "SS0001", WEEK, "u2", "claim.csv", 2, ("V1",), at)
    submissions.save_submission("P001", "u2", [], {}, 1, [rejected])
    state = submissions.stored_line_weeks("P001", WEEK, WEEK)[("L0001", WEEK)]
    assert state.actuals is not None and state.actuals.actual_quarters == 20
    assert state.rejected is not None  # V10: the latest report was a rejected row
    assert partition(table_name, "HISTORY#P001") == []  # both are still current
    corrected = reported("L0001", 12, "u3")
    corrected.submitted_at = at + timedelta(minutes=5)  # reported after the rejected row
    submissions.save_submission("P001", "u3", [corrected], {}, 2)
    assert actuals_now(submissions) == {"L0001": 12}
    assert len(partition(table_name, "HISTORY#P001")) == 2


def test_a_read_that_a_commit_overlapped_is_read_again_never_missing_a_retired_report(
    table_name: str,
) -> None:
    reader, writer = SubmissionStore(table_name), SubmissionStore(table_name)
    upload(writer, "u1", 20)
    table: Table = reader.actuals.table
    original = table.query
    overlapped = False

    def query_meanwhile(
        pk: str, low: str, high: str, projection: str | None = None
    ) -> Iterator[Item]:
        nonlocal overlapped
        if low.startswith("ACTUAL#") and not overlapped:
            overlapped = True  # another upload commits, retiring u1's reports, mid-read
            upload(writer, "u2", 12)
        yield from original(pk, low, high, projection)

    table.query = query_meanwhile  # type: ignore[method-assign]
    assert actuals_now(reader) == dict.fromkeys(LINES, 12)  # not a week with nothing in it
    assert overlapped


@pytest.mark.parametrize("runs", [1, 2])
def test_the_weekly_run_retires_what_superseded_reports_an_upload_left(
    submissions: SubmissionStore, table_name: str, runs: int
) -> None:
    """Reports written before retirement existed (or left by a crash after a commit) are
    retired by the run's read of the whole history."""
    for n in range(3):  # committed without a read before: nothing retired on the way
        submissions.save_submission(
            "P001", f"u{n}", [reported(line, 20 - n, f"u{n}") for line in LINES], {}, n
        )
    assert len(partition(table_name, "HISTORY#P001")) == 0
    for _ in range(runs):
        every = submissions.actuals.line_weeks_from("P001")
        assert {a.actual_quarters for a in every} == {18}
    assert len(partition(table_name, "HISTORY#P001")) == 2 * len(LINES)
