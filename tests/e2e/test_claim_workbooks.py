"""Providers get a claim workbook every Monday (or on request), fill it in, and upload it as is."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.domain.weeks import LONDON
from carepay.spreadsheets.claim_workbook import CLAIM_SHEET
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from carepay_local.demo import fill_in_claim_workbook
from tests.e2e.conftest import MONDAY_AFTER, SAMPLES, WEEK, stored_week


def test_the_monday_schedule_writes_every_providers_workbook_for_the_week_just_ended(
    council: CarepayClient, cloud: LocalCloud
) -> None:
    cloud.fire_schedule("WeeklyClaimWorkbooks", datetime(2026, 11, 16, 6, 0, tzinfo=LONDON))
    for provider, lines in (("P001", 12), ("P002", 2), ("P003", 2)):
        workbook = load_workbook(
            io.BytesIO(council.read_outbound(f"outbox/{provider}/claim-w-c-{WEEK}.xlsx"))
        )
        sheet = workbook[CLAIM_SHEET]
        line_refs = [row[0] for row in sheet.iter_rows(min_row=6, values_only=True) if row[0]]
        assert len(line_refs) == lines, provider
        assert council.read_outbound(f"outbox/{provider}/claim-w-c-{WEEK}.csv").startswith(
            "\ufeffSS Ref,Date".encode()  # a BOM, so Excel opens it as UTF-8
        )


def test_a_workbook_filled_in_as_a_provider_would_is_stored_and_confirmed(
    council: CarepayClient, store: SubmissionStore
) -> None:
    xlsx, _ = council.claim_workbook("P001", WEEK)
    filled = fill_in_claim_workbook(
        xlsx,
        {
            "SS1001": {  # E1: in hospital after 2 hours
                "Weekly Actual Quantity": 2,
                "Weekly Frustrated Quantity": 3,
                "Comments": "Admitted to hospital on Tuesday",
            },
            "SS1004": {  # E4
                "Weekly Actual Quantity": 4,
                "Weekly Missed Quantity": 1,
                "Comments": "Carer unavailable",
                "Missed Reason": "Provider unable to deliver",
            },
        },
        declare=True,  # confirm the whole week
    )
    with pytest.raises(PermissionError):
        fill_in_claim_workbook(xlsx, {"SS1001": {"Weekly Planned Quantity": 9}})

    feedback = council.upload("P001", "claim.xlsx", filled, at=MONDAY_AFTER)
    assert (feedback["accepted"], feedback["rejected"], feedback["file_findings"]) == (12, 0, [])
    assert feedback["confirmations"][0]["status"] == "confirmed"
    stored = stored_week(store, "P001")
    assert all(state.confirmed for state in stored.values()) and len(stored) == 12
    e1 = stored["L1001"].actuals
    assert e1 is not None and (e1.actual_quarters, e1.frustrated_quarters) == (8, 12)
    e4 = stored["L1004"].actuals
    assert e4 is not None and e4.missed_reason == "Provider unable to deliver"


def test_the_feedback_workbook_corrected_by_the_provider_uploads_as_is(
    council: CarepayClient, store: SubmissionStore
) -> None:
    claim = (SAMPLES / "P001-claim-w-c-2026-11-09.csv").read_bytes()
    first = council.upload("P001", "claim.csv", claim, at=MONDAY_AFTER)
    assert first["rejected"] == 3
    workbook = load_workbook(io.BytesIO(council.feedback_workbook(first)))
    rows = workbook["Rows"]
    column = {cell.value: cell.column for cell in rows[1]}
    by_ss_ref = {
        rows.cell(row=r, column=column["SS Ref"]).value: r for r in range(2, rows.max_row + 1)
    }
    rows.cell(
        row=by_ss_ref["SS1007"], column=column["Comments"], value="Person asked for shorter calls"
    )
    rows.cell(row=by_ss_ref["SS1008"], column=column["Weekly Actual Quantity"], value="2.25")
    rows.cell(row=by_ss_ref["SS1008"], column=column["Weekly Missed Quantity"], value="2.75")
    rows.delete_rows(by_ss_ref["SS9999"])  # not our person: take the row out
    corrected = io.BytesIO()
    workbook.save(corrected)

    second = council.upload("P001", "claim.feedback.xlsx", corrected.getvalue(), at=MONDAY_AFTER)
    assert (second["accepted"], second["rejected"]) == (11, 0)
    assert {f["code"] for f in second["file_findings"]} == set()  # carepay's own columns are known
    assert second["confirmations"][0]["status"] == "confirmed"
    assert stored_week(store, "P001")["L1008"].actuals.actual_quarters == 9  # type: ignore[union-attr]


def test_the_local_stack_fires_the_schedule_in_its_minute_only(
    council: CarepayClient, cloud: LocalCloud
) -> None:
    assert cloud.fire_due_schedules(datetime(2026, 11, 16, 5, 59, tzinfo=LONDON)) == []
    assert cloud.fire_due_schedules(datetime(2026, 11, 16, 6, 0, tzinfo=LONDON)) == [
        "WeeklyClaimWorkbooks"
    ]
    assert council.read_outbound(f"outbox/P002/claim-w-c-{WEEK}.xlsx").startswith(b"PK")


def test_a_workbook_and_a_preview_asked_for_at_a_simulated_time_are_as_of_that_time(
    council: CarepayClient,
) -> None:
    """On a trial stack (--at): a week not yet ended gets no payment preview; once ended, it does."""
    friday = datetime(2026, 11, 13, 12, 0, tzinfo=LONDON)
    xlsx, _ = council.claim_workbook("P001", WEEK, at=friday)
    assert "Payment preview" not in load_workbook(io.BytesIO(xlsx)).sheetnames
    xlsx, _ = council.claim_workbook("P001", WEEK, at=MONDAY_AFTER)
    assert "Payment preview" in load_workbook(io.BytesIO(xlsx)).sheetnames

    before = council.preview("P001", WEEK, at=friday)
    after = council.preview("P001", WEEK, at=MONDAY_AFTER)
    assert (before["total_pence"], before["lines"]) == (0, [])
    assert after["total_pence"] > 0 and "Confirm by 17:00 on Tuesday 17/11/2026" in after["message"]
