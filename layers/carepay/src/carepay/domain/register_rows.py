"""A register upload's rows checked (DOMAIN.md, "Day-care registers"): the week, person and line
as for weekly actuals (V2, V3, V4, V7), the non-payment weeks, then R1–R5 day by day. An
accepted row becomes the line-week to store, its day codes kept so a payment can be explained
day by day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from carepay.domain.actuals import (
    CONFIRM_YES,
    LineWeekActuals,
    RowOutcome,
    ValidationContext,
    locked_finding,
    match_line,
    overlong_cells,
    reject_duplicate_line_weeks,
    week_and_person_of,
)
from carepay.domain.findings import Finding, error
from carepay.domain.registers import (
    check_register_row,
    day_codes_text,
    register_line_for_week,
)
from carepay.domain.rows import SheetRow
from carepay.domain.service_lines import ServiceType, WeeklyLine
from carepay.domain.weeks import week_ending

DAY_KEYS = tuple(f"day_{day}" for day in range(7))  # the register schema's day columns


def validate_register_rows(
    rows: Iterable[SheetRow], context: ValidationContext
) -> list[RowOutcome]:
    """Every register row on its own, then one row per line and week."""
    outcomes = [_register_row(row, context) for row in rows]
    reject_duplicate_line_weeks(outcomes)
    return outcomes


def _register_row(row: SheetRow, context: ValidationContext) -> RowOutcome:
    outcome = RowOutcome(row.row_number)
    errors = outcome.errors
    outcome.wants_confirmation = row.text("submit").lower() in CONFIRM_YES
    errors.extend(overlong_cells(row))
    week_and_person = week_and_person_of(row, outcome, context)
    if week_and_person is None:
        return outcome
    monday, ss_ref = week_and_person
    if context.plan.has_day_care and context.plan.is_non_payment_week(monday):
        errors.append(non_payment_week(monday))
        return outcome
    line = outcome.line = match_line(row, ss_ref, monday, context, errors)
    if line is None:
        return outcome
    if line.service_type is not ServiceType.DAY_CARE:
        errors.append(_not_a_register_line(line))
        return outcome
    stored = context.stored.get((line.line_ref, monday))
    if stored is not None and (stored.paid or stored.confirmed):
        errors.append(locked_finding(stored, monday))
        outcome.locked = True
        return outcome
    register_line = register_line_for_week(context.plan.versions_of(line.line_ref), monday)
    if register_line is None:  # matched for the week, so a version is in force: defensive
        return outcome
    cells = {day: row.cells.get(key) for day, key in enumerate(DAY_KEYS)}
    checked = check_register_row(register_line, cells, row.text("all_week"))
    errors.extend(checked.errors)
    outcome.warnings.extend(checked.warnings)
    if not errors:
        outcome.line_week = LineWeekActuals(
            provider_ref=context.provider_ref,
            line_ref=line.line_ref,
            ss_ref=line.ss_ref,
            week_commencing=monday,
            planned_quarters=line.planned_quarters,
            actual_quarters=len(checked.paid_days) * register_line.per_day_quarters,
            comments=row.text("comments"),
            upload_id=context.upload_id,
            submitted_at=context.uploaded_at,
            day_codes=day_codes_text(checked.codes),
        )
    return outcome


def non_payment_week(monday: date) -> Finding:
    return error(
        "NPW",
        f"w/c {monday:%d/%m/%Y} is one of your non-payment weeks: nothing is recorded or paid "
        f"that week (Monday {monday:%d/%m/%Y} to Sunday {week_ending(monday):%d/%m/%Y}). Delete "
        "the row; if the week should not be a non-payment week, contact the council.",
        "Week Commencing",
    )


def _not_a_register_line(line: WeeklyLine) -> Finding:
    return error(
        "V2",
        f"{line.line_ref} ({line.service_type.value}, {line.service_level}) is not a day-care "
        "line: report it as a weekly quantity in the claim, not in the register.",
        "Line Ref",
    )
