"""The register a day centre gets each week: pre-filled as planned, read back as it went out,
the weekend only where it is used, the non-payment weeks coming up, and the same as CSV."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from carepay.domain.actuals import LineWeekActuals, StoredLineWeek, ValidationContext
from carepay.domain.register_rows import validate_register_rows
from carepay.domain.service_lines import (
    ProviderPlan,
    ServiceLineVersion,
    ServiceType,
    Unit,
)
from carepay.spreadsheets.claim_workbook import CLAIM_SHEET, CouncilNotice
from carepay.spreadsheets.claim_xlsx import write_claim_workbook
from carepay.spreadsheets.reading import read_tables
from carepay.spreadsheets.register_sheet import (
    REGISTER_SHEET,
    coming_non_payment_weeks,
    register_rows,
    write_register_csv,
)
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD, REGISTER_UPLOAD

WEEK = date(2025, 3, 3)
NOTICE = CouncilNotice("Example Council")


def line(ref: str, level: str, unit: Unit, quantity: str, days: tuple[int, ...], rate: str,
         service: ServiceType = ServiceType.DAY_CARE) -> ServiceLineVersion:  # fmt: skip
    return ServiceLineVersion(
        provider_ref="P400", provider_name="Meadow Day Centre", line_ref=ref, ss_ref="SS400",
        service_type=service, service_level=level, unit=unit,
        planned_quantity=Decimal(quantity), unit_rate=Decimal(rate),
        start_date=date(2024, 12, 2), days=days,
    )  # fmt: skip


E15_PLAN = ProviderPlan(
    "P400",
    [
        line("L401", "AM Session", Unit.SESSION, "3", (0, 2, 4), "30.00"),
        line("L402", "Transport", Unit.JOURNEY, "6", (0, 2, 4), "6.00"),
        line("L403", "PM Session", Unit.SESSION, "2", (1, 3), "30.00"),
        line("L404", "1:1 Support", Unit.HOUR, "3", (1,), "18.00"),
    ],
)


def workbook_for(plan: ProviderPlan, monday: date = WEEK) -> bytes:
    lines = list(plan.lines_for_week(monday).values())
    rows = register_rows(plan, monday, {})
    return write_claim_workbook(
        "P400", plan.provider_name, monday, lines, NOTICE, None, rows,
        coming_non_payment_weeks(plan, monday),
    )  # fmt: skip


def test_the_register_is_prefilled_with_a_on_planned_days_and_reads_back_as_a_week_as_planned() -> (
    None
):
    content = workbook_for(E15_PLAN)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [REGISTER_SHEET, "Register instructions"]
    [table] = read_tables(content, "register.xlsx", (ACTUALS_UPLOAD, REGISTER_UPLOAD))
    assert table.schema == REGISTER_UPLOAD.name
    rows = list(table.rows)
    days = {
        row.text("line_ref"): "".join(row.text(f"day_{d}") or "." for d in range(5)) for row in rows
    }
    assert days == {"L401": "A.A.A", "L402": "A.A.A", "L403": ".A.A.", "L404": ".A..."}
    context = ValidationContext("P400", E15_PLAN, datetime(2025, 3, 10, 10, tzinfo=UTC))
    outcomes = validate_register_rows(rows, context)
    assert all(o.accepted and not o.warnings for o in outcomes)
    paid = {o.line_week.line_ref: o.line_week.actual_quarters for o in outcomes if o.line_week}
    assert paid == {"L401": 12, "L402": 24, "L403": 8, "L404": 12}


def test_the_weekend_is_shown_only_to_a_provider_whose_lines_use_it() -> None:
    weekdays = write_register_csv(WEEK, register_rows(E15_PLAN, WEEK, {})).decode("utf-8-sig")
    assert weekdays.splitlines()[0].split(",")[4:9] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert "Sat" not in weekdays.splitlines()[0]
    saturday = ProviderPlan("P400", [line("L405", "AM Session", Unit.SESSION, "1", (5,), "30")])
    header = write_register_csv(WEEK, register_rows(saturday, WEEK, {})).decode("utf-8-sig")
    assert header.splitlines()[0].split(",")[4:11] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]


def test_a_register_shows_a_reported_week_as_it_was_submitted() -> None:
    reported = LineWeekActuals(
        "P400", "L401", "SS400", WEEK, 12, 12, comments="Swapped Fri for Thu",
        confirmed_at=datetime(2025, 3, 10, 10, tzinfo=UTC), day_codes="A.NA...",
    )  # fmt: skip
    rows = register_rows(E15_PLAN, WEEK, {("L401", WEEK): StoredLineWeek(reported)})
    [am] = [row for row in rows if row.line_ref == "L401"]
    assert (am.day_codes, am.comments, am.submitted) == ("A.NA...", "Swapped Fri for Thu", True)
    csv_rows = write_register_csv(WEEK, rows).decode("utf-8-sig").splitlines()
    assert "L401,SS400,AM Session,03/03/2025,A,,N,A,,,Swapped Fri for Thu,Y" in csv_rows


def test_the_register_of_the_week_before_says_which_non_payment_weeks_are_coming() -> None:
    content = workbook_for(E15_PLAN, date(2025, 12, 15))
    sheet = load_workbook(io.BytesIO(content))[REGISTER_SHEET]
    assert sheet["F3"].value == (
        "Coming up: w/c 22/12/2025 and 29/12/2025 are non-payment weeks: no register, no payment."
    )
    assert register_rows(E15_PLAN, date(2025, 12, 22), {}) == []


def test_a_provider_with_weekly_and_day_care_lines_gets_both_sheets_and_both_are_read_back() -> (
    None
):
    mixed = ProviderPlan(
        "P400",
        [*(E15_PLAN.versions_of(ref)[0] for ref in ("L401", "L402")),
         line("L406", "1:1", Unit.HOUR, "6", (), "17.50", ServiceType.SUPPORT_AT_DAY_CARE)],
    )  # fmt: skip
    content = workbook_for(mixed)
    names = load_workbook(io.BytesIO(content)).sheetnames
    assert names[:2] == [CLAIM_SHEET, "Instructions"] and REGISTER_SHEET in names
    tables = read_tables(content, "week.xlsx", (ACTUALS_UPLOAD, REGISTER_UPLOAD))
    assert [t.schema for t in tables] == [ACTUALS_UPLOAD.name, REGISTER_UPLOAD.name]
    assert [[r.text("line_ref") for r in t.rows] for t in tables] == [["L406"], ["L401", "L402"]]


def test_only_the_days_and_the_providers_own_columns_take_entries_in_the_register() -> None:
    sheet = load_workbook(io.BytesIO(workbook_for(E15_PLAN)))[REGISTER_SHEET]
    header = [cell.value for cell in sheet[5]]
    unlocked = {
        title for column, title in enumerate(header, start=1)
        if not sheet.cell(row=6, column=column).protection.locked
    }  # fmt: skip
    assert sheet.protection.sheet
    assert unlocked == {"Mon", "Tue", "Wed", "Thu", "Fri", "All Week", "Comments", "Submit"}
    assert not sheet["D3"].protection.locked  # the whole register's Submit
    [excess] = [
        (str(r.sqref), r.rules[0].dxf.fill.bgColor.rgb) for r in sheet.conditional_formatting
    ]
    assert excess == ("N6:N9", "FFFFC7CE")  # its four lines
