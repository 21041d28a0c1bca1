"""The claim workbook (PCF) as xlsx: the plan's columns locked, entry cells unlocked and checked
by the sheet itself, Instructions for the provider's services, and the payment preview.

Imported only when a workbook is written: openpyxl is a fifth of a handler's import time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from copy import copy
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from carepay.domain.money import quarters_to_decimal
from carepay.domain.payment_run import PaymentPreview
from carepay.domain.service_lines import ServiceType, WeeklyLine
from carepay.domain.weeks import confirmation_deadline, financial_year_week, week_ending
from carepay.spreadsheets.claim_workbook import (
    BANNER_FILLS,
    CLAIM_SHEET,
    COLUMN_LETTER,
    COLUMNS,
    DECLARATION_LABEL,
    MISSED_REASONS,
    NEEDS_A_COMMENT,
    CouncilNotice,
)
from carepay.spreadsheets.layout import (
    LINE_HEIGHT,
    column_letter,
    print_on_a4,
    put,
    wrapped_lines,
)
from carepay.spreadsheets.register_sheet import RegisterRow
from carepay.spreadsheets.register_xlsx import add_register_sheet

HEADER_ROW = 5
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


def write_claim_workbook(
    provider_ref: str,
    provider_name: str,
    monday: date,
    lines: Sequence[WeeklyLine],
    notice: CouncilNotice,
    preview: PaymentPreview | None = None,
    register: Sequence[RegisterRow] = (),
    coming_non_payment_weeks: Sequence[date] = (),
) -> bytes:
    """The week's workbook: the claim sheet for weekly lines, the register for Day Care lines
    (a provider with both gets both), each with its instructions, and the payment preview."""
    workbook = Workbook()
    claim_lines = [line for line in lines if line.service_type is not ServiceType.DAY_CARE]
    if claim_lines or not register:
        _claim_sheet(workbook, workbook.active, provider_ref, provider_name, monday, claim_lines,
                     notice)  # fmt: skip
    if register:
        sheet = workbook.create_sheet() if claim_lines else workbook.active
        details = (provider_ref, provider_name, monday, register, coming_non_payment_weeks)
        add_register_sheet(workbook, sheet, details, notice)
    if preview is not None:
        heading = _heading(notice, provider_ref, provider_name, monday, "payment preview")
        _payment_preview(workbook, preview, heading)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _claim_sheet(
    workbook: Any,
    sheet: Any,
    provider_ref: str,
    provider_name: str,
    monday: date,
    lines: Sequence[WeeklyLine],
    notice: CouncilNotice,
) -> None:
    sheet.title = CLAIM_SHEET
    _title_rows(sheet, provider_ref, provider_name, monday, notice)
    first, last = HEADER_ROW + 1, HEADER_ROW + max(len(lines), 1)
    _header(sheet)
    ordered = sorted(lines, key=lambda line: (line.ss_ref, line.service_level, line.line_ref))
    _line_rows(sheet, monday, ordered, _column_styles(workbook))
    _validations(sheet, ordered, first, last)
    _needs_a_comment(sheet, first, last)
    _totals(sheet, first, last)
    sheet.freeze_panes = sheet.cell(row=first, column=3)
    sheet.protection.sheet = True  # no password: the lock prevents slips, not people
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    heading = _heading(notice, provider_ref, provider_name, monday, "weekly claim")
    print_on_a4(sheet, heading, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    how_to = _heading(notice, provider_ref, provider_name, monday, "how to complete the claim")
    _instructions(workbook, provider_name, monday, ordered, notice, how_to)


def _heading(
    notice: CouncilNotice, provider_ref: str, provider_name: str, monday: date, what: str
) -> str:
    """Printed at the top of every page: whose sheet, for which week."""
    return (
        f"{notice.council_name}: {what} for {provider_name} ({provider_ref}), w/c {monday:%d/%m/%Y}"
    )


def _title_rows(
    sheet: Any, provider_ref: str, provider_name: str, monday: date, notice: CouncilNotice
) -> None:
    """Above the header (the reader finds the header wherever it is): the week, its deadline,
    the declaration and the council's message."""
    deadline = confirmation_deadline(monday)
    year, week_number = financial_year_week(monday)
    sheet["A1"] = f"{notice.council_name}: weekly claim for {provider_name} ({provider_ref})"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        f"Week commencing {monday:%d/%m/%Y} (to Sunday {week_ending(monday):%d/%m/%Y}), "
        f"week {week_number} of {year}/{str(year + 1)[-2:]}. Confirm by 17:00 on "
        f"{deadline:%A %d/%m/%Y}."
    )
    sheet["A3"] = DECLARATION_LABEL
    sheet["A3"].font = BOLD
    sheet["D3"].protection = UNLOCKED
    sheet["D3"].fill = PatternFill("solid", fgColor="FFF2CC")
    if notice.message:
        sheet.merge_cells("F3:M3")
        put(sheet["F3"], notice.message)
        sheet["F3"].fill = PatternFill("solid", fgColor=BANNER_FILLS.get(notice.level, "E2EFDA"))
        sheet["F3"].font = BOLD


def _header(sheet: Any) -> None:
    header_fill = PatternFill("solid", fgColor="1F4E78")
    for index, (title, width, _) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=title)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[column_letter(index)].width = width
    sheet.row_dimensions[HEADER_ROW].height = 45


def _column_styles(workbook: Any) -> list[Any]:
    """One style per column, registered once in a scratch sheet; each cell copies its style array
    (setting fill, protection and format per cell costs a style lookup each, every cell)."""
    entry_fill = PatternFill("solid", fgColor="FFFFFF")
    locked_fill = PatternFill("solid", fgColor="F2F2F2")
    scratch = workbook.create_sheet("scratch")
    column_styles = []
    for column, (title, _, entry) in enumerate(COLUMNS, start=1):
        prototype = scratch.cell(row=1, column=column)
        prototype.fill = entry_fill if entry else locked_fill
        if entry:
            prototype.protection = UNLOCKED
        if title == "Date":
            prototype.number_format = "dd/mm/yyyy"
        elif title.startswith("Weekly") and title != "Weekly Number Of Visits":
            prototype.number_format = "0.00"
        column_styles.append(prototype._style)
    workbook.remove(scratch)
    return column_styles


def _line_rows(
    sheet: Any, monday: date, ordered: Sequence[WeeklyLine], column_styles: list[Any]
) -> None:
    for row, line in enumerate(ordered, start=HEADER_ROW + 1):
        values = {
            "Line Ref": line.line_ref,
            "SS Ref": line.ss_ref,
            "Service Level": line.service_level,
            "Date": monday,
            "Weekly Planned Quantity": float(quarters_to_decimal(line.planned_quarters)),
            "Weekly Number Of Visits": line.planned_visits,
            "Weekly Actual Quantity": float(quarters_to_decimal(line.planned_quarters)),
            "Check": f"=IF(AND(LEN(TRIM({COLUMN_LETTER['Comments']}{row}))=0,"
            f'{_differs_from_plan(row, absolute=False)}),"{NEEDS_A_COMMENT}","")',
        }
        for column, (title, _, _) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=row, column=column)
            if title == "Check":
                cell.value = values[title]  # carepay's own formula, not text from anyone
            else:
                put(cell, values.get(title))
            cell._style = copy(column_styles[column - 1])


def _totals(sheet: Any, first: int, last: int) -> None:
    totals_row = HEADER_ROW - 1  # above the header: a row below it would be read as a claim
    sheet.cell(row=totals_row, column=1, value="Totals").font = BOLD
    for title in (
        "Weekly Planned Quantity", "Weekly Actual Quantity", "Weekly Frustrated Quantity",
        "Weekly Missed Quantity", "Weekly Extra Quantity",
    ):  # fmt: skip
        letter = COLUMN_LETTER[title]
        cell = sheet[f"{letter}{totals_row}"]
        cell.value = f"=SUM({letter}{first}:{letter}{last})"
        cell.font, cell.number_format = BOLD, "0.00"


def _ranges(letter: str, rows: Sequence[int]) -> list[str]:
    """Consecutive rows as ranges ("H6:H40"), so a validation names a handful of ranges."""
    spans: list[str] = []
    start = previous = rows[0]
    for row in [*rows[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        spans.append(
            f"{letter}{start}:{letter}{previous}" if previous > start else f"{letter}{start}"
        )
        if row is not None:
            start = previous = row
    return spans


def _validations(sheet: Any, lines: Sequence[WeeklyLine], first: int, last: int) -> None:
    """Entry rules enforced by the spreadsheet itself, before anything is uploaded."""

    def rule_for(letter: str, rows: Sequence[int], refused: str | None = None) -> Any:
        anchor = f"{letter}{rows[0]}"  # a formula is relative to its range's first cell
        if refused:
            rule = DataValidation(
                type="custom",
                formula1=f"=OR(ISBLANK({anchor}),{anchor}=0)",
                showErrorMessage=True,
                errorTitle="Not for this service",
                error=refused,
            )
        else:
            rule = DataValidation(
                type="custom",
                formula1=f"=AND(ISNUMBER({anchor}),{anchor}>=0,{anchor}<=168,MOD({anchor}*4,1)=0)",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Quarter hours only",
                error="Enter hours in quarters between 0 and 168: 0.25, 0.5, 0.75, 1.00 …",
            )
        for span in _ranges(letter, rows):
            rule.add(span)
        return rule

    every_row = list(range(first, last + 1))
    for title in ("Weekly Actual Quantity", "Weekly Missed Quantity"):
        sheet.add_data_validation(rule_for(COLUMN_LETTER[title], every_row))
    for title, allowed in (
        ("Weekly Frustrated Quantity", {s for s in ServiceType if s.allows_frustrated}),
        ("Weekly Extra Quantity", {s for s in ServiceType if s.pays_extras}),
    ):
        letter = COLUMN_LETTER[title]
        rows = list(enumerate(lines, start=first))
        allowed_rows = [r for r, line in rows if line.service_type in allowed]
        refused_rows = [r for r, line in rows if line.service_type not in allowed]
        if allowed_rows:
            sheet.add_data_validation(rule_for(letter, allowed_rows))
        if refused_rows:
            sheet.add_data_validation(rule_for(letter, refused_rows, _why_refused(title)))
    reasons = DataValidation(
        type="list", formula1='"' + ",".join(MISSED_REASONS) + '"', allow_blank=True
    )
    reasons.add(f"{COLUMN_LETTER['Missed Reason']}{first}:{COLUMN_LETTER['Missed Reason']}{last}")
    confirm = DataValidation(type="list", formula1='"Y,N"', allow_blank=True)
    confirm.add(f"{COLUMN_LETTER['Confirm']}{first}:{COLUMN_LETTER['Confirm']}{last}")
    confirm.add("D3")
    sheet.add_data_validation(reasons)
    sheet.add_data_validation(confirm)


def _why_refused(title: str) -> str:
    if "Frustrated" in title:
        return "Frustrated (hospital retainer) is not paid for day care: record it as Missed."
    return "Extra is never paid on this service: ask the social worker for a new service line."


def _needs_a_comment(sheet: Any, first: int, last: int) -> None:
    """Comments turns amber while a row differs from plan and has no comment (V5)."""
    c = COLUMN_LETTER
    differs = _differs_from_plan(first, absolute=True)
    sheet.conditional_formatting.add(
        f"{c['Comments']}{first}:{c['Comments']}{last}",
        FormulaRule(  # type: ignore[no-untyped-call]  # openpyxl leaves it unannotated
            formula=[f"AND(LEN(TRIM(${c['Comments']}{first}))=0,{differs})"],
            fill=PatternFill("solid", fgColor="FFC000", bgColor="FFC000"),
            stopIfTrue=True,
        ),
    )


def _differs_from_plan(row: int, *, absolute: bool) -> str:
    """The sheet's own test of V5's condition: Actual differs from plan, or any other quantity."""
    c, anchor = COLUMN_LETTER, "$" if absolute else ""
    return (
        f"OR({anchor}{c['Weekly Actual Quantity']}{row}<>{anchor}{c['Weekly Planned Quantity']}{row},"
        f"N({anchor}{c['Weekly Frustrated Quantity']}{row})>0,"
        f"N({anchor}{c['Weekly Missed Quantity']}{row})>0,"
        f"N({anchor}{c['Weekly Extra Quantity']}{row})>0)"
    )


def _instructions(
    workbook: Any,
    provider_name: str,
    monday: date,
    lines: Sequence[WeeklyLine],
    notice: CouncilNotice,
    page_heading: str,
) -> None:
    sheet = workbook.create_sheet("Instructions")
    width = 95
    sheet.column_dimensions["A"].width = width
    print_on_a4(sheet, page_heading, landscape=False)
    paragraphs = [
        *([(notice.message, True)] if notice.message else []),
        *_how_to_complete(provider_name, monday),
        ("Rules for your services", True),
        *_rules_for(sorted({line.service_type for line in lines}, key=lambda s: s.value)),
        *_examples_and_questions(notice),
    ]
    for row, (text, heading) in enumerate(paragraphs, start=1):
        cell = put(sheet.cell(row=row, column=1), text)
        cell.alignment = WRAP
        sheet.row_dimensions[row].height = LINE_HEIGHT * wrapped_lines(text, width - 5) + 4
        if heading:
            cell.font = BOLD


Paragraph = tuple[str, bool]  # the text, and whether it is a heading


def _how_to_complete(provider_name: str, monday: date) -> list[Paragraph]:
    deadline = confirmation_deadline(monday)
    return [
        (f"How to complete this claim ({provider_name})", True),
        (
            f"This is your claim for the week commencing {monday:%d/%m/%Y}. Each row is a service "
            "line the council planned for that week; Weekly Actual Quantity is filled in with the "
            "plan. Change only the white cells, then upload this file as it is.",
            False,
        ),
        (
            "Quantities are hours (or sessions or journeys) in quarters: 0.25, 0.5, 0.75, 1.00. "
            "Actual: what was delivered, or cancelled at short notice and still payable. "
            "Missed: what was not delivered. Frustrated: hours kept free while the person was in "
            "hospital. Extra: above the plan, paid only with the council's approval.",
            False,
        ),
        (
            "Whenever a row differs from the plan, say why in Comments (the cell turns amber until "
            "you do). Failure to complete this may result in payment being rejected.",
            False,
        ),
        (
            f"Confirm the week by 17:00 on {deadline:%A %d %B %Y}: put Y in '{DECLARATION_LABEL}' "
            "(or Y in Confirm on each row) and upload. Lines you leave as planned are confirmed as "
            "planned. A week confirmed later is paid a week later; nothing is lost.",
            False,
        ),
    ]


RULES = {
    ServiceType.HOME_SUPPORT: "Home Support: Frustrated is paid for up to 6 weeks in a row "
    "(longer needs an approval). Extra is held until the council approves it.",
    ServiceType.ONE_TO_ONE_RESIDENTIAL: "1:1 Support at Residential / Nursing: Frustrated is "
    "paid for up to 6 weeks in a row. Extra is never paid: an increase needs a new service line.",
    ServiceType.SUPPORT_AT_DAY_CARE: "Support at Day Care: no Frustrated and no Extra; support "
    "not delivered, or on days the centre is closed, is not paid.",
    ServiceType.DAY_CARE: "Day Care: no Frustrated, and never above the commissioned weekly total.",
}


def _rules_for(services: Sequence[ServiceType]) -> list[Paragraph]:
    return [(RULES[service], False) for service in services]


def _examples_and_questions(notice: CouncilNotice) -> list[Paragraph]:
    return [
        ("Examples (5 hours planned)", True),
        ("In hospital after 2 hours: Actual 2, Frustrated 3, a comment. Paid 5 hours.", False),
        (
            "On holiday, notice given, wanted 2 hours: Actual 2, Missed 3, a comment. Paid 2 hours.",
            False,
        ),
        (
            "A call cancelled on the day: leave Actual at 5, Missed 1, a comment. Paid 5 hours.",
            False,
        ),
        ("1 hour you could not deliver: Actual 4, Missed 1, a comment. Paid 4 hours.", False),
        ("Questions", True),
        (
            f"Contact {notice.contact}. If a service line agreed by a social worker is missing, "
            "report it to the council; do not add rows for it.",
            False,
        ),
    ]


def _payment_preview(workbook: Any, preview: PaymentPreview, heading: str) -> None:
    """What the provider will be paid if they confirm now, as the payment run calculates it."""
    sheet = workbook.create_sheet("Payment preview")
    sheet["A1"] = f"If you confirm the week commencing {preview.week_commencing:%d/%m/%Y} now"
    sheet["A1"].font = BOLD
    put(sheet["A2"], preview.message)
    headings = (
        "Line Ref",
        "SS Ref",
        "Payable Quantity",
        "Amount",
        "Previously Paid",
        "Net",
        "Note",
    )
    for column, title in enumerate(headings, start=1):
        sheet.cell(row=4, column=column, value=title).font = BOLD
    row = 5
    for line in preview.lines:
        values = (
            line.line_ref,
            line.ss_ref,
            float(quarters_to_decimal(line.payable_quarters)),
            line.amount_due_pence / 100,
            line.previously_paid_pence / 100,
            line.net_pence / 100,
            line.hold_reason and f"{line.hold_reason}: held until the council approves it",
        )
        for column, value in enumerate(values, start=1):
            cell = put(sheet.cell(row=row, column=column), value)
            if 4 <= column <= 6:
                cell.number_format = '"£"#,##0.00'
        row += 1
    sheet.cell(row=row, column=5, value="Total").font = BOLD
    # no lines: a plain 0, as a SUM over the total's own row would refer to itself
    total = sheet.cell(row=row, column=6, value=f"=SUM(F5:F{row - 1})" if row > 5 else 0)
    total.number_format, total.font = '"£"#,##0.00', BOLD
    for letter, width in zip("ABCDEFG", (12, 12, 16, 12, 15, 12, 48), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.protection.sheet = True  # a picture of the calculation, not a place to type
    print_on_a4(sheet, heading, title_rows="4:4")
