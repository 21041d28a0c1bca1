"""The remittance advice as a workbook, printed on one A4 page for a few weeks' lines.

Kept apart from carepay.spreadsheets.remittance (its lines, reasons and CSV) so that only what
writes a workbook imports openpyxl.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from carepay.domain.finance import SettlementNote
from carepay.domain.money import format_pounds
from carepay.domain.payment_run import RunLine
from carepay.domain.runs import ProviderResult
from carepay.spreadsheets.layout import LINE_HEIGHT, print_on_a4, put, stable_xlsx, wrapped_lines
from carepay.spreadsheets.remittance import (
    COLUMNS,
    MONEY,
    QUANTITY,
    REASON,
    WIDTHS,
    RemittanceHeader,
    in_pounds,
    line_values,
    sections,
)

WRAP_TOP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
SECTION_FONT = Font(bold=True, size=12)
HEADING_ROWS = 8  # the title, then who pays whom, when, into which account, and whom to ask


def write_remittance_workbook(header: RemittanceHeader, result: ProviderResult) -> bytes:
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = "Remittance"
    row = _heading(sheet, header, result)
    for title, lines in sections(result):
        row = _section(sheet, row, title, lines)
    row = _totals(sheet, row, result)
    if result.settlement.note is not SettlementNote.PAID:
        put(sheet.cell(row=row, column=1), _settlement_sentence(result.settlement.note, result))
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
    sheet.freeze_panes = f"A{HEADING_ROWS + 2}"
    heading = (
        f"{header.council_name}: remittance advice {header.remittance_number(result.provider_ref)}"
        f" for {result.provider_name} ({result.provider_ref}), run {header.run_id}"
    )
    print_on_a4(sheet, heading, title_rows=f"1:{HEADING_ROWS}")
    return stable_xlsx(workbook, header.run_at)


def _heading(sheet: Any, header: RemittanceHeader, result: ProviderResult) -> int:
    """The title and who pays whom, when; returns the row the first section starts on."""
    rows: list[tuple[str, object]] = [
        ("Council", header.council_name),
        ("Provider", f"{result.provider_name} ({result.provider_ref})"),
        ("Payment run", header.run_id),
        # text: a date cell shows ### here
        ("Paid on" if header.paid else "Payment date", f"{header.payment_date:%d/%m/%Y}"),
        ("Remittance number", header.remittance_number(result.provider_ref)),
        ("Paid into", _account_paid(result)),
        ("Questions", _how_to_query(header)),
    ]
    put(sheet.cell(row=1, column=1), "Remittance advice").font = Font(bold=True, size=14)
    for offset, (label, value) in enumerate(rows, start=2):
        put(sheet.cell(row=offset, column=1), label).font = BOLD
        put(sheet.cell(row=offset, column=3), value)
    return len(rows) + 3


def _account_paid(result: ProviderResult) -> str:
    bank = result.bank
    if bank is None:
        return "no bank details held: the payment waits until the council has them"
    return f"account ending {bank.account_number[-4:]} ({bank.account_name})"


def _how_to_query(header: RemittanceHeader) -> str:
    contact = header.contact or "the council's provider payments team"
    quote = "quoting the remittance number"
    if header.portal_url:
        portal = f"raise a Payment query in the provider portal ({header.portal_url})"
        return f"{portal}, or contact {contact}, {quote}"
    return f"contact {contact}, {quote}"


def _section(sheet: Any, row: int, title: str, lines: list[RunLine]) -> int:
    """A section's title, its column headings and its lines week by week; returns the next row."""
    put(sheet.cell(row=row, column=1), title).font = SECTION_FONT
    row += 1
    if not lines:
        put(sheet.cell(row=row, column=1), "None.")
        return row + 2
    band = PatternFill("solid", fgColor="DDEBF7")
    for column, name in enumerate(COLUMNS, start=1):
        cell = put(sheet.cell(row=row, column=column), name)
        cell.font = BOLD
        cell.fill = band
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    sheet.row_dimensions[row].height = LINE_HEIGHT * max(
        wrapped_lines(name, width - 2) for name, width in zip(COLUMNS, WIDTHS, strict=True)
    )
    row += 1
    for monday, week_lines in groupby(lines, key=lambda line: line.week_commencing):
        row = _week(sheet, row, monday, list(week_lines))
    return row + 1


def _week(sheet: Any, row: int, monday: date, lines: list[RunLine]) -> int:
    put(sheet.cell(row=row, column=1), f"Week commencing {monday:%d/%m/%Y}").font = BOLD
    row += 1
    first = row
    centred = Alignment(horizontal="center")
    for line in lines:
        for column, value in enumerate(line_values(line), start=1):
            cell = put(sheet.cell(row=row, column=column), value)
            if 3 <= column <= 7:
                cell.number_format = QUANTITY
            elif column == 8:
                cell.number_format = '"£"#,##0.00#'
            elif 9 <= column <= 11:
                cell.number_format = MONEY
            elif column == 12:
                cell.alignment = centred
            elif column == REASON:  # long reasons wrap within the page, the row as tall
                cell.alignment = WRAP_TOP
                height = wrapped_lines(str(value or ""), WIDTHS[REASON - 1] - 2)
                if height > 1:
                    sheet.row_dimensions[row].height = LINE_HEIGHT * height
        row += 1
    put(sheet.cell(row=row, column=8), "Week total").font = BOLD
    for column in (9, 10, 11):
        letter = "IJK"[column - 9]
        cell = sheet.cell(row=row, column=column, value=f"=SUM({letter}{first}:{letter}{row - 1})")
        cell.number_format = MONEY
        cell.font = BOLD
    return row + 1


def _totals(sheet: Any, row: int, result: ProviderResult) -> int:
    settlement = result.settlement
    put(sheet.cell(row=row, column=1), "Totals").font = SECTION_FONT
    row += 1
    totals = [
        ("Net of this run's lines", settlement.net_pence),
        ("Carried from earlier runs", settlement.carried_in_pence),
        ("Paid by BACS on the payment date", settlement.payment_pence),
        ("Carried forward to the next run", settlement.carried_out_pence),
    ]
    for label, pence in totals:
        put(sheet.cell(row=row, column=1), label).font = BOLD
        cell = sheet.cell(row=row, column=11, value=in_pounds(pence))
        cell.number_format = MONEY
        row += 1
    return row


def _settlement_sentence(note: SettlementNote, result: ProviderResult) -> str:
    owed = format_pounds(-result.settlement.carried_out_pence)
    if note is SettlementNote.RECOVERY:
        return (
            f"Nothing is paid by this run: {owed} is owed to the council and will be taken from "
            "your next payment."
        )
    if note is SettlementNote.NO_BANK_DETAILS:
        return (
            "The council holds no bank details for you: the payment is carried forward until "
            "it does. Contact the council's provider payments team."
        )
    return "Nothing is due by this run."
