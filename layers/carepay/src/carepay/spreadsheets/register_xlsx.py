"""The register's sheet in the provider's weekly workbook: codes pre-filled on planned days,
unplanned days shaded but open for a swap, a drop-down of codes in every day cell, and each row's
paid days counted against its planned days in the sheet itself, so an excess (R2) shows before
the file is uploaded. Printable on A4 landscape; its own instructions, for day care only."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from datetime import date
from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from carepay.domain.registers import BLANK_DAY
from carepay.domain.weeks import confirmation_deadline, financial_year_week, week_ending
from carepay.spreadsheets.claim_workbook import CouncilNotice
from carepay.spreadsheets.layout import (
    LINE_HEIGHT,
    column_letter,
    print_on_a4,
    put,
    wrapped_lines,
)
from carepay.spreadsheets.register_sheet import (
    REGISTER_SHEET,
    SUBMIT_LABEL,
    RegisterRow,
    day_columns,
    register_headers,
)

HEADER_ROW = 5
BOLD = Font(bold=True)
UNLOCKED = Protection(locked=False)
UNPLANNED_FILL = PatternFill("solid", fgColor="D9D9D9")
ENTRY_FILL = PatternFill("solid", fgColor="FFFFFF")
EXCESS_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
TOO_MANY = "More days than planned"
WIDTHS = {"Line Ref": 10, "SS Ref": 11, "Service Level": 16, "Week Commencing": 12,
          "All Week": 9, "Comments": 34, "Submit": 8, "Planned Days": 9, "Paid Days": 9,
          "Check": 22}  # fmt: skip


def add_register_sheet(
    workbook: Any,
    sheet: Any,
    register: tuple[str, str, date, Sequence[RegisterRow], Sequence[date]],
    notice: CouncilNotice,
) -> None:
    """Fill `sheet` with the register (provider ref and name, Monday, rows, the non-payment
    weeks coming up) and add its instructions after it."""
    provider_ref, provider_name, monday, rows, coming = register
    sheet.title = REGISTER_SHEET
    days = day_columns(rows)
    headers = [*register_headers(days), "Planned Days", "Paid Days", "Check"]
    letter = {title: column_letter(index) for index, title in enumerate(headers, start=1)}
    _title_rows(sheet, provider_ref, provider_name, monday, notice, coming)
    _header(sheet, headers)
    first, last = HEADER_ROW + 1, HEADER_ROW + max(len(rows), 1)
    styles = _cell_styles(workbook)
    for row_number, row in enumerate(rows, start=first):
        _register_row(sheet, row_number, row, monday, days, styles)
    _validations(sheet, days, letter, first, last)
    sheet.conditional_formatting.add(
        f"{letter['Paid Days']}{first}:{letter['Paid Days']}{last}",
        FormulaRule(  # type: ignore[no-untyped-call]  # openpyxl leaves it unannotated
            formula=[f"${letter['Paid Days']}{first}>${letter['Planned Days']}{first}"],
            fill=EXCESS_FILL,
        ),
    )
    sheet.freeze_panes = sheet.cell(row=first, column=5)
    sheet.protection.sheet = True  # no password: the lock prevents slips, not people
    sheet.protection.formatColumns = sheet.protection.formatRows = False
    heading = (
        f"{notice.council_name}: day-care register for {provider_name} ({provider_ref}), "
        f"w/c {monday:%d/%m/%Y}"
    )
    print_on_a4(sheet, heading, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    how_to = heading.replace("day-care register for", "how to complete the register for", 1)
    _instructions(workbook, provider_name, monday, notice, how_to)


def _title_rows(
    sheet: Any,
    provider_ref: str,
    provider_name: str,
    monday: date,
    notice: CouncilNotice,
    coming: Sequence[date],
) -> None:
    year, week_number = financial_year_week(monday)
    deadline = confirmation_deadline(monday)
    sheet["A1"] = f"{notice.council_name}: day-care register for {provider_name} ({provider_ref})"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        f"Week commencing {monday:%d/%m/%Y} (to Sunday {week_ending(monday):%d/%m/%Y}), week "
        f"{week_number} of {year}/{str(year + 1)[-2:]}. Submit by 17:00 on {deadline:%A %d/%m/%Y}."
    )
    sheet["A3"] = SUBMIT_LABEL
    sheet["A3"].font = BOLD
    sheet["D3"].protection = UNLOCKED
    sheet["D3"].fill = PatternFill("solid", fgColor="FFF2CC")
    if coming:
        weeks = " and ".join(f"{week:%d/%m/%Y}" for week in coming)
        are = "are non-payment weeks" if len(coming) > 1 else "is a non-payment week"
        put(sheet["F3"], f"Coming up: w/c {weeks} {are}: no register, no payment.")
        sheet["F3"].font = BOLD
        sheet["F3"].fill = PatternFill("solid", fgColor="FFEB9C")
    elif notice.message:
        put(sheet["F3"], notice.message)
        sheet["F3"].font = BOLD


def _header(sheet: Any, headers: Sequence[str]) -> None:
    fill = PatternFill("solid", fgColor="1F4E78")
    for index, title in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=title)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[column_letter(index)].width = WIDTHS.get(title, 6)
    sheet.row_dimensions[HEADER_ROW].height = 32


def _cell_styles(workbook: Any) -> dict[str, Any]:
    """Each kind of cell's style, registered once in a scratch sheet and copied to every cell of
    its kind (setting fill, protection and alignment per cell costs a style lookup each)."""
    scratch = workbook.create_sheet("scratch")
    kinds = {
        "planned": (ENTRY_FILL, UNLOCKED, Alignment(horizontal="center"), None),
        "unplanned": (UNPLANNED_FILL, UNLOCKED, Alignment(horizontal="center"), None),
        "entry": (None, UNLOCKED, None, None),
        "week": (None, None, None, "dd/mm/yyyy"),
    }
    styles = {}
    for column, (kind, (fill, protection, alignment, number_format)) in enumerate(kinds.items(), 1):
        prototype = scratch.cell(row=1, column=column)
        if fill is not None:
            prototype.fill = fill
        if protection is not None:
            prototype.protection = protection
        if alignment is not None:
            prototype.alignment = alignment
        if number_format is not None:
            prototype.number_format = number_format
        styles[kind] = prototype._style
    workbook.remove(scratch)
    return styles


def _register_row(
    sheet: Any,
    row_number: int,
    row: RegisterRow,
    monday: date,
    days: Sequence[int],
    styles: dict[str, Any],
) -> None:
    """A line's row: the plan, a code cell a day, the provider's columns and the counts."""
    day_cells = [None if row.day_codes[day] == BLANK_DAY else row.day_codes[day] for day in days]
    values = [row.line_ref, row.ss_ref, row.service_level, monday, *day_cells, None,
              row.comments or None, "Y" if row.submitted else None, len(row.planned_days)]  # fmt: skip
    kinds = ["", "", "", "week",
             *("planned" if day in row.planned_days else "unplanned" for day in days),
             "entry", "entry", "entry", ""]  # fmt: skip
    for column, (value, kind) in enumerate(zip(values, kinds, strict=True), start=1):
        cell = sheet.cell(row=row_number, column=column)
        if column <= 3 or column == len(days) + 6:
            put(cell, value)  # text the provider's or the plan's: never run as a formula
        else:
            cell.value = value
        if kind:
            cell._style = copy(styles[kind])
    first_day, last_day = column_letter(5), column_letter(4 + len(days))
    span = f"{first_day}{row_number}:{last_day}{row_number}"
    all_week = f"{column_letter(5 + len(days))}{row_number}"
    planned = f"{column_letter(len(values))}{row_number}"
    paid = f"{column_letter(len(values) + 1)}{row_number}"
    sheet[paid].value = (  # carepay's own formula, counting as R2 does
        f'=IF(OR(UPPER({all_week})="N",UPPER({all_week})="W"),{planned},'
        f'IF(UPPER({all_week})="X",0,COUNTIF({span},"A")+COUNTIF({span},"N")+COUNTIF({span},"W")))'
    )
    sheet[
        f"{column_letter(len(values) + 2)}{row_number}"
    ].value = f'=IF({paid}>{planned},"{TOO_MANY}","")'


def _validations(
    sheet: Any, days: Sequence[int], letter: dict[str, str], first: int, last: int
) -> None:
    codes = DataValidation(
        type="list",
        formula1='"A,N,W,X"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="One code a day",
        error="A attended, N absent with notice, W absent without notice, X non-payment, "
        "or leave the day blank.",
    )
    codes.add(f"{letter['Mon']}{first}:{column_letter(4 + len(days))}{last}")
    all_week = DataValidation(type="list", formula1='"N,W,X"', allow_blank=True)
    all_week.add(f"{letter['All Week']}{first}:{letter['All Week']}{last}")
    submit = DataValidation(type="list", formula1='"Y,N"', allow_blank=True)
    submit.add(f"{letter['Submit']}{first}:{letter['Submit']}{last}")
    submit.add("D3")
    for rule in (codes, all_week, submit):
        sheet.add_data_validation(rule)


def _instructions(
    workbook: Any, provider_name: str, monday: date, notice: CouncilNotice, page_heading: str
) -> None:
    sheet = workbook.create_sheet("Register instructions")
    width = 95
    sheet.column_dimensions["A"].width = width
    print_on_a4(sheet, page_heading, landscape=False)
    for row, (text, heading) in enumerate(register_instructions(provider_name, monday, notice), 1):
        cell = put(sheet.cell(row=row, column=1), text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = LINE_HEIGHT * wrapped_lines(text, width - 5) + 4
        if heading:
            cell.font = BOLD


def register_instructions(
    provider_name: str, monday: date, notice: CouncilNotice
) -> list[tuple[str, bool]]:
    """What a day-centre manager needs, and nothing about home care or hospital stays."""
    deadline = confirmation_deadline(monday)
    return [
        (f"How to complete this register ({provider_name})", True),
        ("Each row is one item of a person's day care: a session, support hours or transport. "
         "Every planned day already says A (attended). Change only what was different.", False),
        ("A attended · N absent with notice (paid, not charged to the person) · W absent "
         "without notice (paid, charged) · X non-payment (not paid) · blank: nothing that day. "
         "A planned day left blank is not paid.", False),
        ("Swaps: if the person came on another day instead, clear the planned day and put A on "
         "the day they came (the grey cells). Paid days can never exceed the planned days: Paid "
         "Days turns red and Check says so until the row is right.", False),
        ("Absent all week: put N, W or X in All Week and leave the days as they are.", False),
        (f"Submit by 17:00 on {deadline:%A %d %B %Y}: put Y in '{SUBMIT_LABEL}' (or Y in "
         "Submit on each row) and upload this file. A submitted register is locked; lines you "
         "leave as they are are submitted as planned.", False),
        ("Non-payment weeks: two weeks a year nothing is registered or paid (Christmas and New "
         "Year unless the council agreed others with you). There is no register for them.", False),
        ("Questions", True),
        (f"Contact {notice.contact}." if notice.contact else "Contact the council.", False),
    ]  # fmt: skip
