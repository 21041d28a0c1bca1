"""A day centre's weekly register (DOMAIN.md, "Day-care registers"): one row per Day Care line,
each day pre-filled with A where it is planned, so a week as planned needs only submitting.

The rows and their CSV here; the workbook's sheet in register_xlsx (openpyxl only when written).
Headers are the register upload's own, so the file comes back as it went out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from carepay.domain.actuals import StoredLineWeek
from carepay.domain.registers import (
    BLANK_DAY,
    DAY_NAMES,
    as_planned_codes,
    register_line_for_week,
)
from carepay.domain.service_lines import ProviderPlan, ServiceType
from carepay.spreadsheets.layout import csv_text
from carepay.spreadsheets.schemas import REGISTER_UPLOAD

REGISTER_SHEET = "Register"
SUBMIT_LABEL = REGISTER_UPLOAD.declaration_label
WEEKEND = (5, 6)
NOTICE_WEEKS = 4  # how far ahead a register tells of the non-payment weeks coming up


@dataclass(frozen=True)
class RegisterRow:
    """One line's week as the register shows it: planned days, and the codes (as planned, or
    as stored when the week was already reported)."""

    line_ref: str
    ss_ref: str
    service_level: str
    planned_days: tuple[int, ...]
    day_codes: str  # seven characters, Monday first; BLANK_DAY for a blank day
    comments: str = ""
    submitted: bool = False


def register_rows(
    plan: ProviderPlan, monday: date, stored: Mapping[tuple[str, date], StoredLineWeek]
) -> list[RegisterRow]:
    """The week's Day Care lines (none in a non-payment week), ordered by person and level."""
    rows = []
    for line in plan.lines_for_week(monday).values():
        if line.service_type is not ServiceType.DAY_CARE:
            continue
        register_line = register_line_for_week(plan.versions_of(line.line_ref), monday)
        if register_line is None:
            continue
        state = stored.get((line.line_ref, monday))
        reported = state.actuals if state is not None else None
        codes = reported.day_codes if reported and reported.day_codes else ""
        rows.append(
            RegisterRow(
                line.line_ref,
                line.ss_ref,
                line.service_level,
                register_line.planned_days,
                codes or as_planned_codes(register_line),
                reported.comments if reported else "",
                bool(state and (state.confirmed or state.paid)),
            )
        )
    return sorted(rows, key=lambda row: (row.ss_ref, row.service_level, row.line_ref))


def day_columns(rows: Sequence[RegisterRow]) -> tuple[int, ...]:
    """Monday to Friday, and the weekend only when a line plans or reports one."""
    weekend = any(
        day in row.planned_days or row.day_codes[day] != BLANK_DAY
        for row in rows
        for day in WEEKEND
    )
    return tuple(range(7 if weekend else 5))


def register_headers(days: Sequence[int]) -> list[str]:
    return [
        "Line Ref", "SS Ref", "Service Level", "Week Commencing",
        *(DAY_NAMES[day] for day in days), "All Week", "Comments", "Submit",
    ]  # fmt: skip


def coming_non_payment_weeks(plan: ProviderPlan, monday: date) -> list[date]:
    """The non-payment weeks in the few weeks after this one, for the register to warn of."""
    ahead = [monday + timedelta(weeks=n) for n in range(1, NOTICE_WEEKS + 1)]
    return [week for week in ahead if plan.is_non_payment_week(week)]


def write_register_csv(monday: date, rows: Sequence[RegisterRow]) -> bytes:
    """The register as CSV: the same columns, codes as the workbook has them."""
    days = day_columns(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(register_headers(days))
    for row in rows:
        codes = [row.day_codes[day].replace(BLANK_DAY, "") for day in days]
        writer.writerow(
            [
                csv_text(row.line_ref),
                csv_text(row.ss_ref),
                csv_text(row.service_level),
                f"{monday:%d/%m/%Y}",
                *codes,
                "",
                csv_text(row.comments),
                "Y" if row.submitted else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM so Excel reads UTF-8
