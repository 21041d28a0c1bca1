"""E1–E10 through the deployed template: upload a file → feedback JSON and stored actuals."""

from __future__ import annotations

from datetime import date, datetime

from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.domain.approvals import ExtraApproval
from carepay.domain.payment import line_week_payment
from carepay.domain.weeks import LONDON
from carepay_local.client import CarepayClient
from tests.e2e.conftest import (
    MONDAY_AFTER,
    WEEK,
    csv_bytes,
    pay,
    row_codes,
    stored_week,
    xlsx_bytes,
)

HEADER = [
    "SS Ref",
    "Date",
    "Weekly Actual Quantity",
    "Weekly Frustrated Quantity",
    "Weekly Missed Quantity",
    "Weekly Extra Quantity",
    "Comments",
]


def paid_pence(store: SubmissionStore, provider_ref: str, line_ref: str) -> int:
    plan = store.provider_plan(provider_ref)
    line = plan.line_for_week(line_ref, WEEK)
    state = stored_week(store, provider_ref)[line_ref]
    assert line is not None and state.actuals is not None
    return line_week_payment(state.actuals, line, store.approvals(provider_ref)).amount_pence


def test_e1_to_e10_uploaded_then_confirmed_give_the_documented_results(
    council: CarepayClient, store: SubmissionStore
) -> None:
    # E6's extra is approved by the operational team (the approvals import arrives with payment runs).
    store.plans.save_approval("P001", ExtraApproval("L1006", WEEK, 8))
    feedback = council.upload(
        "P001",
        "claim.csv",
        csv_bytes(
            HEADER,
            ["SS1001", "09/11/2026", 2, 3, None, None, "Week 1 hospital"],  # E1
            ["SS1002", "09/11/2026", 2, None, 3, None, "Holiday, notice given"],  # E2
            ["SS1003", "09/11/2026", 5, None, 1, None, "Cancelled on the day"],  # E3
            ["SS1004", "09/11/2026", 4, None, 1, None, "Carer unavailable"],  # E4
            ["SS1005", "09/11/2026", 7, None, None, 2, "Extra calls after a fall"],  # E5
            ["SS1006", "09/11/2026", 7, None, None, 2, "Extra calls, approved"],  # E6
            ["SS1007", "09/11/2026", 3, None, 2, None, None],  # E7
            ["SS1008", "09/11/2026", 2.3, None, 2.7, None, "Short visits"],  # E8
        ),
        at=MONDAY_AFTER,
    )
    assert row_codes(feedback) == {
        2: ("accepted", []),
        3: ("accepted", []),
        4: ("accepted", ["X1"]),
        5: ("accepted", []),
        6: ("accepted", ["X2"]),
        7: ("accepted", []),
        8: ("rejected", ["V5"]),
        9: ("rejected", ["V1", "V1"]),
    }
    assert (feedback["accepted"], feedback["rejected"]) == (6, 2)
    stored = stored_week(store, "P001")
    with_actuals = sorted(line for line, state in stored.items() if state.actuals)
    assert with_actuals == ["L1001", "L1002", "L1003", "L1004", "L1005", "L1006"]
    assert all(not state.confirmed for state in stored.values())
    assert {line for line, state in stored.items() if state.rejected} == {"L1007", "L1008"}

    # E9 at the day centre
    day_care = council.upload(
        "P002",
        "claim.csv",
        csv_bytes(HEADER, ["SS2001", "2026-11-09", 3, 2, None, None, "In hospital"]),
        at=MONDAY_AFTER,
    )
    assert row_codes(day_care) == {2: ("rejected", ["V6"])}
    [day_centre_line] = stored_week(store, "P002").values()
    assert day_centre_line.actuals is None and day_centre_line.rejected is not None

    # V10: E7 and E8 were rejected, so confirming now would pay their plan: refused, by name.
    too_soon = council.confirm("P001", WEEK, at=datetime(2026, 11, 17, 16, 40, tzinfo=LONDON))
    [refused] = too_soon["confirmations"]
    assert refused["status"] == "refused" and refused["lines_confirmed"] == 0
    assert f"L1007 (SS1007, row 8 of {feedback['file']})" in refused["message"]
    assert f"L1008 (SS1008, row 9 of {feedback['file']})" in refused["message"]
    assert not any(state.confirmed for state in stored_week(store, "P001").values())

    corrected = council.upload(
        "P001",
        "corrections.csv",
        csv_bytes(
            HEADER,
            ["SS1007", "09/11/2026", 3, None, 2, None, "Two visits refused"],  # E7 with a comment
            ["SS1008", "09/11/2026", 2.25, None, 2.75, None, "Short visits"],  # E8 in quarters
        ),
        at=datetime(2026, 11, 17, 16, 50, tzinfo=LONDON),
    )
    assert (corrected["accepted"], corrected["rejected"]) == (2, 0)
    confirmation = council.confirm("P001", WEEK, at=datetime(2026, 11, 17, 16, 55, tzinfo=LONDON))
    [week] = confirmation["confirmations"]
    assert week["status"] == "confirmed"
    assert week["lines_confirmed"] == 12 and week["lines_confirmed_as_planned"] == 4

    stored = stored_week(store, "P001")
    assert all(state.confirmed for state in stored.values())
    expected_pence = {
        "L1001": 10000,  # E1: 2 h + 3 h frustrated
        "L1002": 4000,  # E2
        "L1003": 10000,  # E3: short notice, paid in full
        "L1004": 8000,  # E4
        "L1005": 0,  # E5: held (X2)
        "L1006": 14000,  # E6: extra approved
        "L1007": 6000,  # E7 corrected: 3 h, not the 5 h planned
        "L1008": 4500,  # E8 corrected: 2.25 h
        "L1010": 10000,  # E10: nothing uploaded, confirmed as planned
    }
    assert {line: paid_pence(store, "P001", line) for line in expected_pence} == expected_pence
    assert (
        stored["L1010"].actuals is not None
        and stored["L1010"].actuals.source == "confirmed as planned"
    )
    assert (
        stored["L1001"].actuals is not None
        and stored["L1001"].actuals.client_chargeable_quarters == 8
    )


def test_an_xlsx_claim_with_date_cells_is_read_with_calamine_and_stored(
    council: CarepayClient, store: SubmissionStore
) -> None:
    feedback = council.upload(
        "P001",
        "claim.xlsx",
        xlsx_bytes(
            ["SS Ref", "Date", "Weekly Actual Quantity", "Comments", "Confirm"],
            ["SS1009", date(2026, 11, 9), 5, None, "Y"],
            ["SS1003", date(2026, 11, 9), 4.75, "Left early", "Y"],
        ),
        at=MONDAY_AFTER,
    )
    assert (feedback["accepted"], feedback["rejected"]) == (2, 0)
    assert feedback["confirmations"][0]["status"] == "confirmed"
    state = stored_week(store, "P001")["L1003"]
    assert state.actuals is not None and state.actuals.actual_quarters == 19 and state.confirmed


def test_a_confirm_column_takes_effect_only_when_every_row_of_that_week_was_accepted(
    council: CarepayClient, store: SubmissionStore
) -> None:
    feedback = council.upload(
        "P001",
        "claim.csv",
        csv_bytes(
            ["SS Ref", "Date", "Weekly Actual Quantity", "Comments", "Confirm"],
            ["SS1009", "09/11/2026", 5, None, "Y"],
            ["SS1007", "09/11/2026", 3, None, "Y"],
        ),
        at=MONDAY_AFTER,
    )
    assert feedback["confirmations"][0]["status"] == "not confirmed"
    assert "not yet confirmed" in feedback["confirmations"][0]["message"]
    assert not any(state.confirmed for state in stored_week(store, "P001").values())


def test_a_provider_cannot_touch_another_providers_lines(
    council: CarepayClient, store: SubmissionStore
) -> None:
    feedback = council.upload(
        "P001",
        "claim.csv",
        csv_bytes(
            ["SS Ref", "Date", "Weekly Actual Quantity"],
            ["SS2002", "09/11/2026", 4],
            ["SS0000", "09/11/2026", 4],
        ),
        at=MONDAY_AFTER,
    )
    theirs, unknown = feedback["rows"]
    assert theirs["errors"][0]["code"] == unknown["errors"][0]["code"] == "V2"
    assert theirs["errors"][0]["message"].replace("SS2002", "?") == unknown["errors"][0][
        "message"
    ].replace("SS0000", "?")
    assert stored_week(store, "P002") == {}


def test_deadlines_are_judged_by_when_the_provider_uploaded(council: CarepayClient) -> None:
    sunday = datetime(2026, 11, 15, 20, 0, tzinfo=LONDON)
    too_early = council.upload(
        "P001",
        "claim.csv",
        csv_bytes(["SS Ref", "Date", "Weekly Actual Quantity"], ["SS1009", "09/11/2026", 5]),
        at=sunday,
    )
    assert row_codes(too_early) == {2: ("rejected", ["V4"])}
    late = council.confirm("P001", WEEK, at=datetime(2026, 11, 17, 18, 0, tzinfo=LONDON))
    assert late["confirmations"][0]["status"] == "confirmed late"
    again = council.confirm("P001", WEEK, at=datetime(2026, 11, 18, 9, 0, tzinfo=LONDON))
    assert again["confirmations"][0]["status"] == "already confirmed"


def test_a_confirmed_week_is_locked_against_new_uploads(council: CarepayClient) -> None:
    council.confirm("P001", WEEK, at=MONDAY_AFTER)
    feedback = council.upload(
        "P001",
        "late.csv",
        csv_bytes(["SS Ref", "Date", "Weekly Actual Quantity"], ["SS1009", "09/11/2026", 5]),
        at=datetime(2026, 11, 16, 10, 0, tzinfo=LONDON),
    )
    assert row_codes(feedback) == {2: ("rejected", ["V7"])}


def test_a_paid_week_cannot_be_confirmed(council: CarepayClient, store: SubmissionStore) -> None:
    pay(store.actuals.table.name, "P002", ["L2001", "L2002"], run_id="run-1")
    refused = council.confirm("P002", WEEK, at=MONDAY_AFTER)
    assert refused["file_rejected"] and refused["confirmations"][0]["status"] == "refused"
    assert "payment has already been processed" in refused["file_findings"][0]["message"]
