"""An upload and a confirmation of one week close together: whatever order they are processed
in, and at equal times, what the provider is told is what the payment run pays.

Each case confirms week 09/11 (Tuesday 16:40) and uploads a correction to L1003 (4 h of 5, left
early). The upload is either accepted (and then paid, confirmed) or refused as locked (and then
the plan is paid): never told "accepted" and paid the plan, nor told "confirmed" and withheld.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest

from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.domain.weeks import LONDON
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from carepay_local.iam import RECORDER
from tests.e2e.conftest import WEEK, csv_bytes, stored_week

CONFIRMED_AT = datetime(2026, 11, 17, 16, 40, tzinfo=LONDON)
LATER = datetime(2026, 11, 17, 16, 45, tzinfo=LONDON)
WEDNESDAY_RUN = datetime(2026, 11, 18, 6, 0, tzinfo=LONDON)
LEFT_EARLY = csv_bytes(
    ["SS Ref", "Date", "Weekly Actual Quantity", "Weekly Missed Quantity", "Comments"],
    ["SS1003", "09/11/2026", 4, 1, "Left early"],
)


def what_the_run_pays_l1003(council: CarepayClient) -> tuple[str, int]:
    run = council.pay(at=WEDNESDAY_RUN)
    ledger = csv.DictReader(
        io.StringIO(council.finance_files(run["run_id"])["ledger.csv"].decode())
    )
    statuses = {(r["provider_ref"], r["line_ref"]): r for r in ledger}
    assert {r["status"] for key, r in statuses.items() if key[0] == "P001"} == {"paid"}
    l1003 = statuses[("P001", "L1003")]
    return l1003["status"], round(float(l1003["net_amount"]) * 100)


def assert_told_is_paid(
    council: CarepayClient, store: SubmissionStore, upload: dict[str, Any], confirm: dict[str, Any]
) -> None:
    [week] = confirm["confirmations"]
    assert week["status"] == "confirmed" and week["lines_confirmed"] == 12, week
    [row] = upload["rows"]
    assert all(state.confirmed for state in stored_week(store, "P001").values())
    status, pence = what_the_run_pays_l1003(council)
    if row["status"] == "accepted":
        assert week["lines_confirmed_as_planned"] == 11  # L1003 confirmed as uploaded
        assert (status, pence) == ("paid", 8000)
    else:
        assert [e["code"] for e in row["errors"]] == ["V7"]
        assert week["lines_confirmed_as_planned"] == 12
        assert (status, pence) == ("paid", 10000)


@pytest.mark.parametrize("processed_first", ["upload", "confirmation"])
@pytest.mark.parametrize("upload_at", [LATER, CONFIRMED_AT], ids=["upload later", "equal times"])
def test_one_after_the_other_in_either_order_the_provider_is_told_what_is_paid(
    council: CarepayClient, store: SubmissionStore, processed_first: str, upload_at: datetime
) -> None:
    if processed_first == "upload":
        upload = council.upload("P001", "claim.csv", LEFT_EARLY, at=upload_at)
        confirm = council.confirm("P001", WEEK, at=CONFIRMED_AT)
        assert upload["rows"][0]["status"] == "accepted"
    else:
        confirm = council.confirm("P001", WEEK, at=CONFIRMED_AT)
        upload = council.upload("P001", "claim.csv", LEFT_EARLY, at=upload_at)
        assert upload["rows"][0]["status"] == "rejected"
    assert_told_is_paid(council, store, upload, confirm)


@pytest.mark.parametrize("commits_first", ["upload", "confirmation"])
@pytest.mark.parametrize("upload_at", [LATER, CONFIRMED_AT], ids=["upload later", "equal times"])
def test_two_workers_at_once_the_provider_is_told_what_is_paid(
    council: CarepayClient,
    cloud: LocalCloud,
    store: SubmissionStore,
    monkeypatch: pytest.MonkeyPatch,
    commits_first: str,
    upload_at: datetime,
) -> None:
    """Both are checked on the same state; a second worker commits one of them while the first
    is about to commit the other, which is then checked again on what was committed."""
    real_save = SubmissionStore.save_submission
    second: dict[str, Any] = {}

    def the_other_worker_commits_first(self: SubmissionStore, *arguments: Any) -> None:
        if not second:
            second["started"] = True
            with RECORDER.another_worker():  # the handlers share a lock, so it runs on this thread
                second["result"] = send(commits_first)
        real_save(self, *arguments)

    def send(kind: str) -> dict[str, Any]:
        if kind == "upload":
            return council.upload("P001", "claim.csv", LEFT_EARLY, at=upload_at)
        return council.confirm("P001", WEEK, at=CONFIRMED_AT)

    monkeypatch.setattr(SubmissionStore, "save_submission", the_other_worker_commits_first)
    checked_first = "confirmation" if commits_first == "upload" else "upload"
    first = send(checked_first)
    results = {checked_first: first, commits_first: second["result"]}
    assert cloud.failed_invocations == []
    assert_told_is_paid(council, store, results["upload"], results["confirmation"])
