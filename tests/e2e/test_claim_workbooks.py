"""Providers get a claim workbook every Monday (or on request), fill it in, and upload it as is."""

from __future__ import annotations

import io
from datetime import datetime

from carepay.adapters.dynamodb import DynamoStore
from carepay.domain.weeks import LONDON
from carepay.local.client import CarepayClient
from carepay.local.cloud import LocalCloud
from carepay.spreadsheets.claim_workbook import CLAIM_SHEET
from openpyxl import load_workbook

from tests.e2e.conftest import MONDAY_AFTER, WEEK, stored_week


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
    council: CarepayClient, store: DynamoStore
) -> None:
    xlsx, _ = council.claim_workbook("P001", WEEK)
    workbook = load_workbook(io.BytesIO(xlsx))
    sheet = workbook[CLAIM_SHEET]
    header = next(r for r in range(1, 20) if sheet.cell(row=r, column=1).value == "Line Ref")
    columns = {sheet.cell(row=header, column=c).value: c for c in range(1, 14)}
    rows = {sheet.cell(row=r, column=2).value: r for r in range(header + 1, header + 13)}

    def enter(ss_ref: str, column: str, value: object) -> None:
        cell = sheet.cell(row=rows[ss_ref], column=columns[column])
        assert cell.protection.locked is False, f"{column} must be an entry cell"
        cell.value = value

    enter("SS1001", "Weekly Actual Quantity", 2)  # E1: in hospital after 2 hours
    enter("SS1001", "Weekly Frustrated Quantity", 3)
    enter("SS1001", "Comments", "Admitted to hospital on Tuesday")
    enter("SS1004", "Weekly Actual Quantity", 4)  # E4
    enter("SS1004", "Weekly Missed Quantity", 1)
    enter("SS1004", "Comments", "Carer unavailable")
    enter("SS1004", "Missed Reason", "Provider unable to deliver")
    assert sheet["D3"].protection.locked is False
    sheet["D3"] = "Y"  # the declaration: confirm the whole week
    filled = io.BytesIO()
    workbook.save(filled)

    feedback = council.upload("P001", "claim.xlsx", filled.getvalue(), at=MONDAY_AFTER)
    assert (feedback["accepted"], feedback["rejected"], feedback["file_findings"]) == (12, 0, [])
    assert feedback["confirmations"][0]["status"] == "confirmed"
    stored = stored_week(store, "P001")
    assert all(state.confirmed for state in stored.values()) and len(stored) == 12
    e1 = stored["L1001"].actuals
    assert e1 is not None and (e1.actual_quarters, e1.frustrated_quarters) == (8, 12)
    e4 = stored["L1004"].actuals
    assert e4 is not None and e4.missed_reason == "Provider unable to deliver"
