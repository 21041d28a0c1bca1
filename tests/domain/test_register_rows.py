"""A register upload's rows checked as weekly actuals are (V2, V3, V4, V7) before R1–R5, and
refused in a non-payment week."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from carepay.domain.actuals import LineWeekActuals, StoredLineWeek, ValidationContext
from carepay.domain.register_rows import validate_register_rows
from carepay.domain.rows import SheetRow
from carepay.domain.service_lines import ProviderPlan, ServiceType, Unit
from tests.spreadsheets.test_register_workbook import E15_PLAN, line

WEEK = date(2025, 3, 3)
MONDAY_AFTER = datetime(2025, 3, 10, 10, tzinfo=UTC)


def register_row(number: int, line_ref: str, week: str = "03/03/2025", **days: str) -> SheetRow:
    cells: dict[str, object] = {"line_ref": line_ref, "ss_ref": "SS400", "date": week}
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    cells |= {f"day_{names.index(day)}": code for day, code in days.items()}
    return SheetRow(number, cells)


def codes(
    plan: ProviderPlan,
    *rows: SheetRow,
    stored: Mapping[tuple[str, date], StoredLineWeek] | None = None,
) -> list[list[str]]:
    context = ValidationContext("P400", plan, MONDAY_AFTER, stored=stored or {})
    return [[f.code for f in outcome.errors] for outcome in validate_register_rows(rows, context)]


def test_a_register_row_is_stored_with_its_day_codes_and_paid_days() -> None:
    context = ValidationContext("P400", E15_PLAN, MONDAY_AFTER, upload_id="u1")
    [outcome] = validate_register_rows(
        [register_row(2, "L401", mon="A", wed="N", thu="A")], context
    )
    assert outcome.line_week is not None
    assert (outcome.line_week.day_codes, outcome.line_week.actual_quarters) == ("A.NA...", 12)


def test_the_week_must_be_a_monday_that_has_ended() -> None:
    assert codes(E15_PLAN, register_row(2, "L401", week="04/03/2025", mon="A")) == [["V3"]]
    early = ValidationContext("P400", E15_PLAN, datetime(2025, 3, 8, 10, tzinfo=UTC))
    [outcome] = validate_register_rows([register_row(2, "L401", mon="A")], early)
    assert [f.code for f in outcome.errors] == ["V4"]


def test_a_line_that_is_not_day_care_or_not_the_providers_is_refused() -> None:
    support = line("L406", "1:1", Unit.HOUR, "6", (), "17.50", ServiceType.SUPPORT_AT_DAY_CARE)
    mixed = ProviderPlan("P400", [support])
    assert codes(mixed, register_row(2, "L406", mon="A")) == [["V2"]]
    assert codes(E15_PLAN, register_row(2, "L999", mon="A")) == [["V2"]]


def test_a_submitted_week_is_locked_and_two_rows_for_one_line_are_both_refused() -> None:
    submitted = LineWeekActuals("P400", "L401", "SS400", WEEK, 12, 12, confirmed_at=MONDAY_AFTER)
    stored = {("L401", WEEK): StoredLineWeek(submitted)}
    assert codes(E15_PLAN, register_row(2, "L401", mon="A"), stored=stored) == [["V7"]]
    twice = codes(E15_PLAN, register_row(2, "L402", mon="A"), register_row(3, "L402", wed="A"))
    assert twice == [["V2"], ["V2"]]


def test_a_row_for_a_non_payment_week_is_refused_whatever_it_says() -> None:
    christmas = register_row(2, "L401", week="22/12/2025", mon="A", wed="A", fri="A")
    late = ValidationContext("P400", E15_PLAN, datetime(2026, 1, 5, 10, tzinfo=UTC))
    [outcome] = validate_register_rows([christmas], late)
    assert [f.code for f in outcome.errors] == ["NPW"] and outcome.line_week is None
