"""What finance reads of each run on screen and on paper: the summary workbook (four sections,
a page each for a run of a few providers) and the care-monitoring flags workbook.

Kept apart from carepay.spreadsheets.finance_reports (the ledger and charging CSVs) so that only
what writes a workbook imports openpyxl.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from carepay.domain.finance import FinanceCoding
from carepay.domain.flags import Flag
from carepay.domain.payment_run import LineStatus
from carepay.domain.runs import ProviderResult, RunStatus
from carepay.spreadsheets.layout import (
    LINE_HEIGHT,
    print_on_a4,
    put,
    stable_xlsx,
    wrapped_lines,
)
from carepay.spreadsheets.remittance import RemittanceHeader, in_pounds, reason_of

MONEY = '"£"#,##0.00;[Red]-"£"#,##0.00'
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
FACT_WIDTHS = (34, 50)


def write_summary_workbook(
    header: RemittanceHeader,
    status: RunStatus,
    results: Sequence[ProviderResult],
    coding: FinanceCoding | None = None,
) -> bytes:
    """Four sections, a page each for a run of a few providers: the run at a glance (with the
    services finance's coding does not cover, and a chart), the providers (with what paying
    each by hand needs, and the lines each has not confirmed), the lines held or confirmed late,
    and the exceptions and care-monitoring flags."""
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = "Summary"
    title = f"{header.council_name}: payment run {header.run_id}"
    put(sheet.cell(row=1, column=1), title).font = Font(bold=True, size=14)
    facts = _run_facts(header.run_at, status, header.payment_date, results)
    facts.append(("Services without finance coding", _uncoded_text(results, coding)))
    _write_facts(sheet, facts)
    providers = workbook.create_sheet("Providers")
    _providers_table(providers, results, header)
    if results:
        # below the totals: page 1 when printed
        sheet.add_chart(_payments_chart(providers, len(results)), f"A{len(facts) + 5}")
    _held_and_late_table(workbook.create_sheet("Held and late lines"), results)
    _table(
        workbook.create_sheet("Exceptions"),
        ("Provider Ref", "Exception", "Line-weeks", *FLAG_COLUMNS[1:]),
        [
            *(
                (r.provider_ref, code, count)
                for r in results
                for code, count in r.exceptions.items()
            ),
            *(
                (r.provider_ref, flag.code, len(flag.weeks), *flag_values(flag)[1:])
                for r in results
                for flag in r.flags
            ),
        ],
        widths=(14, 12, 12, 10, 12, 30, 40, 30),
        wrapped_columns=(6, 7, 8),
    )
    for each in workbook.worksheets:  # the facts on a portrait page; each table, its headings
        table = each.title != "Summary"
        print_on_a4(
            each, f"{title}: {each.title}", landscape=table, title_rows="1:1" if table else None
        )
    return stable_xlsx(workbook, header.run_at)


def _uncoded_text(results: Sequence[ProviderResult], coding: FinanceCoding | None) -> str:
    missing = uncoded(results, coding or FinanceCoding())
    return (
        "; ".join(
            f"{kind or 'service not known'}{f' ({level})' if level else ''}: "
            f"{count} ledger line{'s' if count != 1 else ''}"
            for kind, level, count in missing
        )
        or "none"
    )


def _run_facts(
    run_at: datetime, status: RunStatus, payment_date: date, results: Sequence[ProviderResult]
) -> list[tuple[str, object]]:
    settlements = [result.settlement for result in results]
    return [
        ("Status", status.value),
        ("Calculated as at", run_at.replace(tzinfo=None)),
        ("Paid on" if status is RunStatus.PAID else "Payment date", payment_date),
        ("Providers", len(results)),
        ("Net of this run's lines", in_pounds(sum(s.net_pence for s in settlements))),
        ("Carried in from earlier runs", in_pounds(sum(s.carried_in_pence for s in settlements))),
        ("Payment file total", in_pounds(sum(s.payment_pence for s in settlements))),
        ("Carried forward", in_pounds(sum(s.carried_out_pence for s in settlements))),
        ("Held lines", sum(len(r.held_lines) for r in results)),
        ("Late confirmations", sum(len(r.late_lines) for r in results)),
        ("Providers with unconfirmed lines", sum(1 for r in results if r.unconfirmed_lines)),
    ]


def _write_facts(sheet: Any, facts: Sequence[tuple[str, object]]) -> None:
    for row, (label, value) in enumerate(facts, start=3):
        label_cell = put(sheet.cell(row=row, column=1), label)
        label_cell.font, label_cell.alignment = Font(bold=True), Alignment(vertical="top")
        cell = put(sheet.cell(row=row, column=2), value)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if isinstance(value, Decimal):
            cell.number_format = MONEY
        elif isinstance(value, datetime):
            cell.number_format = "DD/MM/YYYY HH:MM"
        elif isinstance(value, date):
            cell.number_format = "DD/MM/YYYY"
        _fit_height(sheet, row, ("", value if isinstance(value, str) else ""), FACT_WIDTHS)
    for letter, width in zip("AB", FACT_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width


PROVIDER_TOTALS = (
    *("Provider Ref", "Provider", "Lines", "Net"),
    *("Carried In", "Payment", "Carried Out", "Note"),
    # what paying by hand needs, when no payment file is written
    *("Sort Code", "Account Number", "Account Name", "Reference"),
    "Not Confirmed",  # the due week's lines the provider has not confirmed: finance chases them
)


def _providers_table(
    providers: Worksheet, results: Sequence[ProviderResult], header: RemittanceHeader
) -> None:
    _table(
        providers,
        PROVIDER_TOTALS,
        [
            (
                r.provider_ref,
                r.provider_name,
                len(r.lines),
                in_pounds(r.settlement.net_pence),
                in_pounds(r.settlement.carried_in_pence),
                in_pounds(r.settlement.payment_pence),
                in_pounds(r.settlement.carried_out_pence),
                r.settlement.note.value,
                *(
                    (r.bank.sort_code, r.bank.account_number, r.bank.account_name)
                    if r.bank
                    else ("", "", "")
                ),
                header.remittance_number(r.provider_ref),
                _not_confirmed(r),
            )
            for r in results
        ],
        money_columns=(4, 5, 6, 7),
        widths=(14, 30, 8, 14, 14, 14, 14, 28, 11, 17, 26, 20, 30),
        wrapped_columns=(2, 8, 11, 13),
    )


def _not_confirmed(result: ProviderResult) -> str:
    if not result.unconfirmed_lines or result.due_week is None:
        return ""
    return f"w/c {result.due_week:%d/%m/%Y}: {', '.join(result.unconfirmed_lines)}"


def _payments_chart(providers: Worksheet, count: int) -> BarChart:
    """Payment (the Providers sheet's sixth column) per provider, as horizontal bars."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Payment by provider"
    chart.y_axis.title = "£"
    chart.x_axis.title = "Provider"
    chart.legend = None
    chart.add_data(
        Reference(providers, min_col=6, min_row=1, max_row=count + 1), titles_from_data=True
    )
    chart.set_categories(Reference(providers, min_col=1, min_row=2, max_row=count + 1))
    chart.height = max(7.5, 0.6 * count + 3)
    chart.width = 18
    return chart


def _held_and_late_table(sheet: Worksheet, results: Sequence[ProviderResult]) -> None:
    _table(
        sheet,
        (
            "Provider Ref",
            "Line Ref",
            "SS Ref",
            "Week Commencing",
            "Status",
            "Confirmed Late",
            "Why",
        ),
        [
            (
                *(line.provider_ref, line.line_ref, line.ss_ref, line.week_commencing),
                *(line.status.value, "yes" if line.late_confirmation else "", reason_of(line)),
            )
            for r in results
            for line in r.lines
            if line.status is LineStatus.HELD or line.late_confirmation
        ],
        widths=(14, 12, 12, 18, 12, 16, 70),
        wrapped_columns=(7,),
    )


def _table(
    sheet: Worksheet,
    headings: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    money_columns: Sequence[int] = (),
    widths: Sequence[int] = (),
    wrapped_columns: Sequence[int] = (),
) -> None:
    """Headings banded and wrapped (a narrow column's heading takes two lines, never cut), the
    rows under them, long text wrapped in the columns that hold it."""
    band = PatternFill("solid", fgColor="DDEBF7")
    for column, heading in enumerate(headings, start=1):
        cell = put(sheet.cell(row=1, column=column), heading)
        cell.font = Font(bold=True)
        cell.fill = band
        cell.alignment = WRAP_TOP
    _fit_height(sheet, 1, headings, widths)
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = put(sheet.cell(row=row_number, column=column), value)
            if column in money_columns:
                cell.number_format = MONEY
            elif isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            if column in wrapped_columns:
                cell.alignment = WRAP_TOP
        wrapped = [v if c in wrapped_columns else "" for c, v in enumerate(values, start=1)]
        _fit_height(sheet, row_number, wrapped, widths)
    if not rows:
        put(sheet.cell(row=2, column=1), "None.")
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
    sheet.freeze_panes = "A2"


def _fit_height(
    sheet: Worksheet, row: int, values: Sequence[object], widths: Sequence[int]
) -> None:
    """A row as tall as its longest wrapped text (Excel does not work it out when opening)."""
    lines = max(
        (wrapped_lines(str(v), w - 2) for v, w in zip(values, widths, strict=False) if v),
        default=1,
    )
    if lines > 1:
        sheet.row_dimensions[row].height = LINE_HEIGHT * lines + 2


def uncoded(results: Sequence[ProviderResult], coding: FinanceCoding) -> list[tuple[str, str, int]]:
    """The services the FinanceCoding parameter does not cover, with how many ledger lines."""
    missing: dict[tuple[str, str], int] = {}
    for result in results:
        for line in result.lines:
            service = result.services.get(line.line_ref, ("", ""))
            if coding.code_of(*service) is None:
                missing[service] = missing.get(service, 0) + 1
    return [(kind, level, count) for (kind, level), count in sorted(missing.items())]


# A care-monitoring flag as the run summary and the flags workbook list it (after Provider Ref).
FLAG_COLUMNS = ("Flag", "Line Ref", "SS Ref", "Weeks", "What was seen", "What to do")


def flag_values(flag: Flag) -> tuple[object, ...]:
    weeks = f"w/c {flag.weeks[0]:%d/%m/%Y} to {flag.weeks[-1]:%d/%m/%Y}"
    return (flag.code, flag.line_ref, flag.ss_ref, weeks, flag.seen, flag.action)


def write_flags_workbook(
    council_name: str, title: str, raised: Sequence[tuple[str, Flag]], written_at: datetime
) -> bytes:
    """The care-monitoring flags for operational teams: one row per flag, what was seen and what
    to do. They never change a payment."""
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = "Flags"
    _table(
        sheet,
        ("Provider Ref", *FLAG_COLUMNS),
        [(provider_ref, *flag_values(flag)) for provider_ref, flag in raised],
        widths=(14, 8, 12, 12, 30, 44, 30),
        wrapped_columns=(5, 6, 7),
    )
    print_on_a4(sheet, f"{council_name}: {title}", title_rows="1:1")
    return stable_xlsx(workbook, written_at)
