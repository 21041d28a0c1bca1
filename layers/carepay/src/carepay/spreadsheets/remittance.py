"""Remittance advice: what one provider is paid by one approved run, and why (DOMAIN.md).

Lines of this run's weeks are grouped by week; adjustments to weeks earlier runs paid are shown
apart with their reason; held and withheld lines are listed with what would release them. The
CSV carries the same lines for a provider's own accounts system.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from carepay.domain.finance import SettlementNote
from carepay.domain.money import format_pounds, quarters_to_decimal
from carepay.domain.payment_run import LineStatus, RunLine
from carepay.domain.registers import summary_of
from carepay.domain.runs import ProviderResult
from carepay.domain.weeks import LONDON
from carepay.spreadsheets.layout import (
    LINE_HEIGHT,
    csv_text,
    print_on_a4,
    put,
    stable_xlsx,
    wrapped_lines,
)

HOLD_REASONS = {
    "X2": "X2: extra above plan awaiting approval by the operational team",
    "X3": "X3: frustrated beyond 6 weeks in a row awaiting approval by the operational team",
}
WITHHELD_REASON = "not confirmed by the deadline: paid by the first run after confirmation"
COLUMNS = (
    "SS Ref",
    "Line Ref",
    "Planned",
    "Actual",
    "Frustrated",
    "Missed",
    "Payable Quantity",
    "Unit Rate",
    "Amount Due",
    "Previously Paid",
    "Net",
    "Status",
    "Reason",
)
CSV_COLUMNS = (
    "remittance_number",
    "section",
    "week_commencing",
    "ss_ref",
    "line_ref",
    "planned",
    "actual",
    "frustrated",
    "missed",
    "payable_quantity",
    "unit_rate",
    "amount_due",
    "previously_paid",
    "net_amount",
    "status",
    "reason",
)
MONEY = '"£"#,##0.00;[Red]-"£"#,##0.00'
QUANTITY = "0.00"
WIDTHS = (12, 12, 9, 9, 11, 9, 10, 11, 13, 14, 13, 10, 60)
REASON = len(WIDTHS)  # the last column
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True, slots=True)
class RemittanceHeader:
    council_name: str
    run_id: str
    run_at: datetime
    payment_date: date
    paid: bool = False  # the run is paid: the date is when the money reached the provider
    contact: str = ""  # whom a provider asks about a payment
    portal_url: str = ""  # where a provider raises a payment query, when the council has one

    def remittance_number(self, provider_ref: str) -> str:
        """The run's time and the provider: short enough to be the payment's bank reference
        (18 characters) for provider references up to seven characters."""
        return f"{self.run_at.astimezone(LONDON):%y%m%d%H%M}-{provider_ref}"


def sections(result: ProviderResult) -> list[tuple[str, list[RunLine]]]:
    """(section title, lines): this run's weeks, adjustments to earlier weeks, lines not paid."""
    weeks = [
        line for line in result.lines if not line.is_adjustment and line.status is LineStatus.PAID
    ]
    adjustments = [line for line in result.lines if line.is_adjustment]
    not_paid = [
        line
        for line in result.lines
        if not line.is_adjustment and line.status is not LineStatus.PAID
    ]
    return [
        ("This run's weeks", weeks),
        ("Adjustments for earlier weeks", adjustments),
        ("Held and not yet paid", not_paid),
    ]


def reason_of(line: RunLine) -> str:
    """Why the line is as it is; a register's line also says what its days were."""
    reason = _reason(line)
    if not line.day_codes:
        return reason
    days = f"register: {summary_of(line.day_codes) or 'no days marked'}"
    return f"{days}; {reason}" if reason else days


def status_of(line: RunLine) -> str:
    """The line's status as a provider reads it: money taken back is recovered, not paid."""
    if line.status is LineStatus.PAID and line.net_pence < 0:
        return "recovered"
    return line.status.value


def _reason(line: RunLine) -> str:
    if line.adjustment_reason is not None and line.net_pence < 0:
        return (
            f"{line.adjustment_reason.value}: recovers {format_pounds(-line.net_pence)} of the "
            f"{format_pounds(line.previously_paid_pence)} paid for this week by an earlier run"
        )
    if line.adjustment_reason is not None:
        return line.adjustment_reason.value
    if line.status is LineStatus.HELD:
        return HOLD_REASONS.get(line.hold_reason, line.hold_reason)
    if line.status is LineStatus.WITHHELD:
        return WITHHELD_REASON
    return "confirmed late" if line.late_confirmation else ""


def _quantity(quarters: int) -> Decimal:
    return quarters_to_decimal(quarters)


def unit_rate_pounds(line: RunLine) -> Decimal:
    # A day-weighted rate may have more than two decimals; it is shown to the tenth of a penny.
    return (
        Decimal(line.weekly_rate_pence.numerator) / line.weekly_rate_pence.denominator / 100
    ).quantize(Decimal("0.001"))


def _pounds(pence: int) -> Decimal:
    return Decimal(pence) / 100


def _line_values(line: RunLine) -> list[object]:
    return [
        line.ss_ref,
        line.line_ref,
        _quantity(line.planned_quarters),
        _quantity(line.actual_quarters),
        _quantity(line.frustrated_quarters),
        _quantity(line.missed_quarters),
        _quantity(line.payable_quarters),
        unit_rate_pounds(line),
        _pounds(line.amount_due_pence),
        _pounds(line.previously_paid_pence),
        _pounds(line.net_pence),
        status_of(line),
        reason_of(line),
    ]


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
        for column, value in enumerate(_line_values(line), start=1):
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
        cell = sheet.cell(row=row, column=11, value=_pounds(pence))
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


def write_remittance_csv(header: RemittanceHeader, result: ProviderResult) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    number = header.remittance_number(result.provider_ref)
    section_names = ("week", "adjustment", "not paid")
    for name, (_, lines) in zip(section_names, sections(result), strict=True):
        for line in lines:
            writer.writerow(csv_text(value) for value in _csv_row(number, name, line))
    settlement = result.settlement
    for label, pence in (
        ("total net", settlement.net_pence),
        ("carried in", settlement.carried_in_pence),
        ("paid", settlement.payment_pence),
        ("carried forward", settlement.carried_out_pence),
    ):
        writer.writerow([number, label, *[""] * 11, f"{_pounds(pence):.2f}", "", ""])
    return buffer.getvalue().encode("utf-8")


def _csv_row(number: str, section: str, line: RunLine) -> Iterable[object]:
    return [
        number,
        section,
        line.week_commencing.isoformat(),
        line.ss_ref,
        line.line_ref,
        f"{_quantity(line.planned_quarters)}",
        f"{_quantity(line.actual_quarters)}",
        f"{_quantity(line.frustrated_quarters)}",
        f"{_quantity(line.missed_quarters)}",
        f"{_quantity(line.payable_quarters)}",
        f"{unit_rate_pounds(line)}",
        f"{_pounds(line.amount_due_pence):.2f}",
        f"{_pounds(line.previously_paid_pence):.2f}",
        f"{_pounds(line.net_pence):.2f}",
        status_of(line),
        reason_of(line),
    ]
