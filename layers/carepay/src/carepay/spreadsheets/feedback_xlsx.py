"""The feedback workbook: a Summary sheet that says what to do next, and the provider's rows
with Status, Errors, Warnings and Exceptions beside them, rejected rows highlighted.

Written by carepay.spreadsheets.xlsx_stream as the rows come, straight into the compressed file:
a 100,000-row upload's feedback costs about what its bytes do, not an object per cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from carepay.domain.actuals import MISSED_REASONS, QUANTITY_COLUMNS
from carepay.domain.registers import DayCode
from carepay.spreadsheets.claim_workbook import QUARTER_HOURS
from carepay.spreadsheets.feedback import (
    REGISTER_ROWS,
    FindingOut,
    RowFeedback,
    SubmissionFeedback,
)
from carepay.spreadsheets.layout import (
    LINE_HEIGHT,
    column_letter,
    wrapped_lines,
)
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD, REGISTER_UPLOAD
from carepay.spreadsheets.xlsx_stream import PrintSetup, StreamingWorkbook, Style, Validation

ProviderRow = tuple[int, Mapping[str, object]]  # a row as the provider sent it: number, cells


def _one_of(*choices: str) -> tuple[str, str, str, str]:
    return ("list", '"' + ",".join(choices) + '"', "", "")


# The claim's and the register's own checks, on the columns the provider corrects: the kind,
# the formula ({cell}: the range's first cell), and the message when refused.
ENTRY_RULES = {
    **dict.fromkeys(QUANTITY_COLUMNS, QUARTER_HOURS),
    "missed_reason": _one_of(*MISSED_REASONS.values()),
    "confirm": _one_of("Y", "N"),
    **{f"day_{day}": _one_of(*(code.value for code in DayCode)) for day in range(7)},
    "all_week": _one_of("N", "W", "X"),
    "submit": _one_of("Y", "N"),
}
REJECTED_FILL = "FFC7CE"
FLAGGED_FILL = "FF7C80"  # the very cell an error or warning is about
HELD_FILL = "FFEB9C"
HEADER_FILL = "1F4E78"


FINDING_WIDTHS = (60, 40, 60)  # Errors, Warnings, Exceptions
TYPICAL_ROWS = 200  # a column is as wide as the values of the first rows need, within limits
WIDEST_VALUE = 30  # longer text wraps
BOLD = Style(bold=True)
LABEL = Style(bold=True, vertical="top")  # beside text that may take several lines
WRAP = Style(wrap=True, vertical="top", horizontal="left")
TOP = Style(vertical="top")
HEADER = Style(bold=True, colour="FFFFFF", fill=HEADER_FILL, wrap=True, vertical="top")
FLAGGED = Style(bold=True, fill=FLAGGED_FILL, vertical="top")
SUMMARY_WIDTHS = (22, 90)


def write_feedback_workbook(
    feedback: SubmissionFeedback,
    columns: Sequence[tuple[str, str | None]],
    provider_rows: Sequence[ProviderRow],
    council_name: str,
    *,
    register: tuple[Sequence[tuple[str, str | None]], Sequence[ProviderRow]] | None = None,
) -> bytes:
    """The summary, then the claim's rows and the register's (`register`: its columns and
    rows), each with its outcome."""
    book = StreamingWorkbook()
    heading = f"{council_name}: feedback on {feedback.file} ({feedback.provider_ref})"
    book.open_sheet("Summary", SUMMARY_WIDTHS, PrintSetup(heading, landscape=False))
    _write_summary(book, feedback, council_name)
    sheets = [("Rows", "", columns, provider_rows)] if columns or not register else []
    sheets += [("Register", REGISTER_ROWS, *register)] if register else []
    for title, kind, sheet_columns, rows in sheets:
        outcomes = [outcome for outcome in feedback.rows if outcome.sheet == kind]
        setup = PrintSetup(heading, title_rows="1:1")
        _RowsSheet(book, list(sheet_columns)).write(title, setup, outcomes, rows)
    return book.finish(feedback.uploaded_at)


def _write_summary(
    book: StreamingWorkbook, feedback: SubmissionFeedback, council_name: str
) -> None:
    title = Style(bold=True, size=14)
    rows: list[tuple[object, object, Style]] = [
        (f"{council_name}: feedback on your upload", None, title),
        (None, None, BOLD),
    ]
    sheet = f", sheet '{feedback.sheet}'" if feedback.sheet else ""
    for label, value in (
        ("Provider", f"{feedback.provider_name} ({feedback.provider_ref})"),
        ("File", feedback.file + sheet),
        ("Received", f"{feedback.uploaded_at:%d/%m/%Y %H:%M}"),
        ("Rows accepted", feedback.accepted),
        ("Rows rejected", feedback.rejected),
        ("What to do next", feedback.next_step),
    ):
        rows.append((label, value, LABEL))
    confirmations = [
        (c.week_commencing, f"{c.status}. {c.message}".strip()) for c in feedback.confirmations
    ]
    findings = [(f.code, f.message) for f in feedback.file_findings]
    for heading, entries in (("Week confirmations", confirmations), ("About the file", findings)):
        if entries:
            rows += [(None, None, BOLD), (heading, None, BOLD)]
            rows += [
                (first, text, Style(vertical="top", horizontal="left")) for first, text in entries
            ]
    for first, text, style in rows:
        lines = wrapped_lines(text, SUMMARY_WIDTHS[1] - 6) if isinstance(text, str) else 1
        styles = [book.style(style), book.style(WRAP)]
        book.row([first, text], styles, LINE_HEIGHT * lines if lines > 1 else 0)


def _filled(wrapped: bool, fill: str) -> Style:
    return replace(WRAP if wrapped else TOP, fill=fill)


class _RowsSheet:
    """The provider's rows, each with its outcome; rejected and held rows filled, and each cell a
    finding is about flagged with the finding as a note."""

    def __init__(self, book: StreamingWorkbook, columns: list[tuple[str, str | None]]) -> None:
        self.book = book
        self.shown = [(title, key) for title, key in columns if key is not None]
        self.titles = [
            "Row",
            *(title for title, _ in self.shown),
            *("Status", "Errors", "Warnings", "Exceptions"),
        ]
        self.first_finding = len(self.titles) - 3
        self.position_of_key = {key: at for at, (_, key) in enumerate(self.shown, start=1)}
        self.keys = [key for _, key in self.shown]
        self.widths: list[int] = []  # of every column, worked out from the rows written
        self.limits: list[int] = []
        self.fills: dict[str, tuple[int, int]] = {}  # see _filled_styles

    def write(
        self,
        title: str,
        setup: PrintSetup,
        outcomes: Sequence[RowFeedback],
        provider_rows: Sequence[ProviderRow],
    ) -> None:
        self.widths = self._widths(provider_rows)
        self.limits = [width - 2 for width in self.widths]  # longer text wraps
        rules = self._entry_rules(len(provider_rows))
        self.book.open_sheet(title, self.widths, setup, freeze="B2", validations=rules)
        self._header()
        by_row = {outcome.row: outcome for outcome in outcomes}
        for row_number, cells in provider_rows:
            outcome = by_row[row_number]
            values = [
                row_number,
                *[cells.get(key) for key in self.keys],
                outcome.status,
                joined(outcome.errors),
                joined(outcome.warnings),
                joined(outcome.exceptions),
            ]
            held = any(f.code in ("X2", "X3") for f in outcome.exceptions)
            fill = REJECTED_FILL if outcome.status == "rejected" else HELD_FILL if held else ""
            if not fill and not (outcome.warnings or outcome.exceptions):
                self._plain_row(values)
            else:
                self._styled_row(values, fill, outcome)

    def _widths(self, provider_rows: Sequence[ProviderRow]) -> list[int]:
        """Each column as wide as its heading's longest word and its typical values need (a
        heading wraps, never cut), up to WIDEST_VALUE; longer values wrap."""
        typical = provider_rows[:TYPICAL_ROWS]
        shown = [
            min(
                WIDEST_VALUE,
                max(
                    8,
                    max(len(word) for word in title.split()) + 2,
                    *(_shown_length(cells.get(key)) + 2 for _, cells in typical),
                ),
            )
            for title, key in self.shown
        ]
        return [6, *shown, 10, *FINDING_WIDTHS]

    def _entry_rules(self, rows: int) -> list[Validation]:
        """The claim's and the register's own drop-downs and checks on the columns the provider
        corrects, so the ready-to-fix copy refuses what the claim did before it is uploaded."""
        if not rows:
            return []
        rules = []
        for key, (kind, formula, error_title, error) in ENTRY_RULES.items():
            position = self.position_of_key.get(key)
            if position is None:
                continue
            letter = column_letter(position + 1)  # after the Row column
            cells = f"{letter}2:{letter}{rows + 1}"
            rule = formula.replace("{cell}", f"{letter}2")
            rules.append(Validation(kind, rule, cells, error_title, error))
        return rules

    def _header(self) -> None:
        lines = max(wrapped_lines(t, w - 2) for t, w in zip(self.titles, self.widths, strict=True))
        header = self.book.style(HEADER)
        self.book.row(self.titles, [header] * len(self.titles), LINE_HEIGHT * lines)

    def _plain_row(self, values: list[Any]) -> None:
        # Most rows need no style of their own: the writer keeps text that would run as a
        # formula as text, gives dates their format, and wraps text too long for its column.
        self.book.row(values, wrap_beyond=self.limits)

    def _styled_row(self, values: list[Any], fill: str, outcome: RowFeedback) -> None:
        wraps = [
            position >= self.first_finding or (type(value) is str and len(value) > width - 2)
            for position, (value, width) in enumerate(zip(values, self.widths, strict=True))
        ]
        lines = max(
            wrapped_lines(str(value), width - 2) if wrapped and value else 1
            for value, width, wrapped in zip(values, self.widths, wraps, strict=True)
        )
        beside = self._findings_by_position(outcome)
        flagged, filled = self.book.style(FLAGGED), self._filled_styles(fill)
        styles = [
            flagged if position in beside else filled[wrapped]
            for position, wrapped in enumerate(wraps)
        ]
        self.book.row(values, styles, LINE_HEIGHT * lines if lines > 1 else 0)
        for position, found in beside.items():
            self.book.note(position, joined(found))

    def _filled_styles(self, fill: str) -> tuple[int, int]:
        """The style numbers of a `fill`ed cell, unwrapped and wrapped (a row at a time asks)."""
        numbers = self.fills.get(fill)
        if numbers is None:
            numbers = self.fills[fill] = (
                self.book.style(_filled(False, fill)),
                self.book.style(_filled(True, fill)),
            )
        return numbers

    def _findings_by_position(self, outcome: RowFeedback) -> dict[int, list[FindingOut]]:
        """Each finding that names a column is also written beside that cell."""
        beside: dict[int, list[FindingOut]] = {}
        for finding in (*outcome.errors, *outcome.warnings):
            column = finding.column or ""
            key = ACTUALS_UPLOAD.key_for(column) or REGISTER_UPLOAD.key_for(column) or ""
            position = self.position_of_key.get(key)
            if position is not None:
                beside.setdefault(position, []).append(finding)
        return beside


def _shown_length(value: object) -> int:
    """How many characters a value takes in its cell (a date as dd/mm/yyyy)."""
    if value is None:
        return 0
    return 10 if isinstance(value, date) else len(str(value))


def joined(findings: Sequence[FindingOut]) -> str:
    if not findings:
        return ""  # most rows: asked three times a row
    return "\n".join(f"{f.code}: {f.message}" for f in findings)
