"""Remittance advice: what one provider is paid by one approved run, and why (DOMAIN.md).

Lines of this run's weeks are grouped by week; adjustments to weeks earlier runs paid are shown
apart with their reason; held and withheld lines are listed with what would release them. The
CSV carries the same lines for a provider's own accounts system; the workbook is written by
carepay.spreadsheets.remittance_xlsx.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from carepay.domain.money import format_pounds, quarters_to_decimal
from carepay.domain.payment_run import LineStatus, RunLine
from carepay.domain.registers import summary_of
from carepay.domain.runs import ProviderResult
from carepay.domain.weeks import LONDON
from carepay.spreadsheets.layout import csv_text

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


def in_pounds(pence: int) -> Decimal:
    return Decimal(pence) / 100


def line_values(line: RunLine) -> list[object]:
    return [
        line.ss_ref,
        line.line_ref,
        _quantity(line.planned_quarters),
        _quantity(line.actual_quarters),
        _quantity(line.frustrated_quarters),
        _quantity(line.missed_quarters),
        _quantity(line.payable_quarters),
        unit_rate_pounds(line),
        in_pounds(line.amount_due_pence),
        in_pounds(line.previously_paid_pence),
        in_pounds(line.net_pence),
        status_of(line),
        reason_of(line),
    ]


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
        writer.writerow([number, label, *[""] * 11, f"{in_pounds(pence):.2f}", "", ""])
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
        f"{in_pounds(line.amount_due_pence):.2f}",
        f"{in_pounds(line.previously_paid_pence):.2f}",
        f"{in_pounds(line.net_pence):.2f}",
        status_of(line),
        reason_of(line),
    ]
