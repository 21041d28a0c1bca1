"""The feedback workbook: a Summary sheet that says what to do next, and the provider's rows
with Status, Errors, Warnings and Exceptions beside them, rejected rows highlighted.

Written with openpyxl in write-only mode so a 100,000-row upload streams instead of filling
memory. Imported only when a workbook is written: openpyxl is a fifth of a handler's import time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from carepay.domain.actuals import MISSED_REASONS, QUANTITY_COLUMNS
from carepay.domain.registers import DayCode
from carepay.domain.rows import MAX_CELL_CHARS
from carepay.spreadsheets.feedback import (
    REGISTER_ROWS,
    FindingOut,
    RowFeedback,
    SubmissionFeedback,
)
from carepay.spreadsheets.layout import (
    LINE_HEIGHT,
    TEXT_THAT_WOULD_RUN,
    column_letter,
    print_on_a4,
    wrapped_lines,
)
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD, REGISTER_UPLOAD

ProviderRow = tuple[int, Mapping[str, object]]  # a row as the provider sent it: number, cells


def _quarter_hours() -> DataValidation:
    return DataValidation(
        type="custom",
        formula1="=AND(ISNUMBER({cell}),{cell}>=0,{cell}<=168,MOD({cell}*4,1)=0)",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Quarter hours only",
        error="Enter hours in quarters between 0 and 168: 0.25, 0.5, 0.75, 1.00 …",
    )


def _one_of(*choices: str) -> DataValidation:
    return DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)


ENTRY_RULES = {
    **{key: _quarter_hours() for key in QUANTITY_COLUMNS},
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
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top", horizontal="left")
TOP = Alignment(vertical="top")


def write_feedback_workbook(
    feedback: SubmissionFeedback,
    columns: Sequence[tuple[str, str | None]],
    provider_rows: Sequence[ProviderRow],
    council_name: str,
    *,
    write_only: bool = True,
    register: tuple[Sequence[tuple[str, str | None]], Sequence[ProviderRow]] | None = None,
) -> bytes:
    """The summary, then the claim's rows and the register's (`register`: its columns and
    rows), each with its outcome. Write-only streams rows to disk as they come;
    `write_only=False` is for `make bench`."""
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.worksheets[0])  # the empty sheet a normal workbook starts with
    # Any: the stubs give write-only sheets no column_dimensions, which openpyxl does provide.
    heading = f"{council_name}: feedback on {feedback.file} ({feedback.provider_ref})"
    summary: Any = workbook.create_sheet("Summary")
    print_on_a4(summary, heading, landscape=False)
    _write_summary(summary, feedback, council_name)
    sheets = [("Rows", "", columns, provider_rows)] if columns or not register else []
    sheets += [("Register", REGISTER_ROWS, *register)] if register else []
    for title, kind, sheet_columns, rows in sheets:
        rows_sheet: Any = workbook.create_sheet(title)
        print_on_a4(rows_sheet, heading, title_rows="1:1")
        outcomes = [outcome for outcome in feedback.rows if outcome.sheet == kind]
        _RowsSheet(rows_sheet, list(sheet_columns)).write(outcomes, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Any, value: Any, **style: Any) -> Cell:
    value = shown_in_cell(value)
    written = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(TEXT_THAT_WOULD_RUN):
        written.data_type = "s"  # never a formula, whatever the provider typed
        written.quotePrefix = True
    if isinstance(value, date):
        written.number_format = "dd/mm/yyyy"
    for name, setting in style.items():
        setattr(written, name, setting)
    return written


SUMMARY_WIDTHS = (22, 90)


def _write_summary(summary: Any, feedback: SubmissionFeedback, council_name: str) -> None:
    for letter, width in zip("AB", SUMMARY_WIDTHS, strict=True):
        summary.column_dimensions[letter].width = width
    title_font = Font(bold=True, size=14)
    rows: list[tuple[object, object]] = [
        (_cell(summary, f"{council_name}: feedback on your upload", font=title_font), None),
        (None, None),
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
        rows.append((_cell(summary, label, font=BOLD), value))
    confirmations = [
        (c.week_commencing, f"{c.status}. {c.message}".strip()) for c in feedback.confirmations
    ]
    findings = [(f.code, f.message) for f in feedback.file_findings]
    for heading, entries in (("Week confirmations", confirmations), ("About the file", findings)):
        if entries:
            rows += [(None, None), (_cell(summary, heading, font=BOLD), None)]
            rows += [(_cell(summary, first), text) for first, text in entries]
    for number, (first, text) in enumerate(rows, start=1):
        # each row as tall as its wrapped text, set before it is written (write-only)
        lines = wrapped_lines(text, SUMMARY_WIDTHS[1] - 6) if isinstance(text, str) else 1
        if lines > 1:
            summary.row_dimensions[number].height = LINE_HEIGHT * lines
        summary.append([first, None if text is None else _cell(summary, text, alignment=WRAP)])


class _RowsSheet:
    """The provider's rows, each with its outcome; rejected and held rows filled, and each cell a
    finding is about flagged with the finding as a comment."""

    def __init__(self, sheet: Any, columns: list[tuple[str, str | None]]) -> None:
        self.sheet = sheet
        self.shown = [(title, key) for title, key in columns if key is not None]
        self.titles = [
            "Row",
            *(title for title, _ in self.shown),
            *("Status", "Errors", "Warnings", "Exceptions"),
        ]
        self.first_finding = len(self.titles) - 3
        self.position_of_key = {key: at for at, (_, key) in enumerate(self.shown, start=1)}
        self.prototypes: dict[tuple[str | None, bool], Cell] = {}
        self.widths: list[int] = []  # of every column, worked out from the rows written

    def write(
        self,
        outcomes: Sequence[RowFeedback],
        provider_rows: Sequence[tuple[int, Mapping[str, object]]],
    ) -> None:
        self.widths = self._widths(provider_rows)
        self._header()
        self._register_styles()
        self._entry_rules(len(provider_rows))
        by_row = {outcome.row: outcome for outcome in outcomes}
        for rows_written, (row_number, cells) in enumerate(provider_rows, start=1):
            outcome = by_row[row_number]
            values = [
                row_number,
                *(cells.get(key) for _, key in self.shown),
                outcome.status,
                joined(outcome.errors),
                joined(outcome.warnings),
                joined(outcome.exceptions),
            ]
            held = any(f.code in ("X2", "X3") for f in outcome.exceptions)
            fill = REJECTED_FILL if outcome.status == "rejected" else HELD_FILL if held else None
            if fill is None and not (outcome.warnings or outcome.exceptions):
                self._plain_row(rows_written + 1, values)
            else:
                self._styled_row(rows_written + 1, values, fill, outcome)

    def _entry_rules(self, rows: int) -> None:
        """The claim's and the register's own drop-downs and checks on the columns the provider
        corrects, so the ready-to-fix copy refuses what the claim did before it is uploaded."""
        if not rows:
            return
        for key, rule in ENTRY_RULES.items():
            position = self.position_of_key.get(key)
            if position is None:
                continue
            letter = column_letter(position + 1)  # after the Row column
            validation = copy(rule)
            if validation.type == "custom":  # relative to the range's first cell
                validation.formula1 = (validation.formula1 or "").replace("{cell}", f"{letter}2")
            validation.add(f"{letter}2:{letter}{rows + 1}")
            self.sheet.data_validations.append(validation)

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

    def _header(self) -> None:
        for index, width in enumerate(self.widths):
            self.sheet.column_dimensions[column_letter(index + 1)].width = width
        self.sheet.freeze_panes = "B2"
        font = Font(bold=True, color="FFFFFF")
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        lines = max(wrapped_lines(t, w - 2) for t, w in zip(self.titles, self.widths, strict=True))
        self.sheet.row_dimensions[1].height = LINE_HEIGHT * lines
        self.sheet.append(
            [_cell(self.sheet, t, font=font, fill=fill, alignment=WRAP) for t in self.titles]
        )

    def _register_styles(self) -> None:
        # Each style is registered once on a prototype; copying its style array per cell avoids
        # openpyxl hashing the style again for every cell. Findings wrap, so the sheet prints
        # legibly.
        self.prototypes = {
            (fill, wrapped): _cell(
                self.sheet,
                None,
                **({"fill": PatternFill("solid", fgColor=fill)} if fill else {}),
                alignment=WRAP if wrapped else TOP,
            )
            for fill in (REJECTED_FILL, HELD_FILL, None)
            for wrapped in (True, False)
        }
        self.flagged = _cell(
            self.sheet,
            None,
            fill=PatternFill("solid", fgColor=FLAGGED_FILL),
            font=BOLD,
            alignment=TOP,
        )

    def _plain_row(self, sheet_row: int, values: list[Any]) -> None:
        # Most rows need no styling: plain values are written several times faster than cells,
        # except text that would become a formula, dates that need a format, and text too long
        # for its column, which wraps.
        lines = max(
            (
                wrapped_lines(v, width - 2)
                for v, width in zip(values, self.widths, strict=True)
                if type(v) is str and len(v) > width - 2
            ),
            default=1,
        )
        if lines == 1:
            self.sheet.append(
                [_cell(self.sheet, v) if needs_cell(v) else shown_in_cell(v) for v in values]
            )
            return
        self.sheet.row_dimensions[sheet_row].height = LINE_HEIGHT * lines
        self.sheet.append(
            [
                _cell(self.sheet, v, alignment=WRAP if type(v) is str and len(v) > w - 2 else TOP)
                for v, w in zip(values, self.widths, strict=True)
            ]
        )

    def _styled_row(
        self, sheet_row: int, values: list[Any], fill: str | None, outcome: RowFeedback
    ) -> None:
        wraps = [
            position >= self.first_finding or (type(value) is str and len(value) > width - 2)
            for position, (value, width) in enumerate(zip(values, self.widths, strict=True))
        ]
        lines = max(
            wrapped_lines(str(value), width - 2) if wrapped and value else 1
            for value, width, wrapped in zip(values, self.widths, wraps, strict=True)
        )
        if lines > 1:  # set before the row is written: write-only sheets cannot go back
            self.sheet.row_dimensions[sheet_row].height = LINE_HEIGHT * lines
        row_cells = [
            self._styled_like(self.prototypes[(fill, wrapped)], value)
            for value, wrapped in zip(values, wraps, strict=True)
        ]
        for position, found in self._findings_by_position(outcome).items():
            self._flag(row_cells[position], found)
        self.sheet.append(row_cells)

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

    def _styled_like(self, prototype: Cell, value: Any) -> Cell:
        written = _cell(self.sheet, value)
        written._style = copy(prototype._style)  # type: ignore[attr-defined]  # openpyxl's own idiom
        if isinstance(value, date):
            written.number_format = "dd/mm/yyyy"
        return written

    def _flag(self, flagged: Cell, found: list[FindingOut]) -> None:
        flagged._style = copy(self.flagged._style)  # type: ignore[attr-defined]
        if isinstance(flagged.value, date):
            flagged.number_format = "dd/mm/yyyy"
        flagged.comment = Comment(joined(found), "carepay", width=320, height=110)


# Control characters no xlsx cell may hold (all but tab, newline and carriage return).
ILLEGAL_IN_CELL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def shown_in_cell(value: Any) -> Any:
    """Text as a workbook can hold it: without control characters, and no longer than a cell
    may be (what the provider sent is kept in their own file; this is only what is shown)."""
    if type(value) is str and (len(value) > MAX_CELL_CHARS or not value.isprintable()):
        value = ILLEGAL_IN_CELL.sub("", value)
        if len(value) > MAX_CELL_CHARS:
            value = value[:MAX_CELL_CHARS] + "…"
    return value


def _shown_length(value: object) -> int:
    """How many characters a value takes in its cell (a date as dd/mm/yyyy)."""
    if value is None:
        return 0
    return 10 if isinstance(value, date) else len(str(value))


def needs_cell(value: object) -> bool:
    return isinstance(value, date) or (
        isinstance(value, str) and value.startswith(TEXT_THAT_WOULD_RUN)
    )


def joined(findings: list[FindingOut]) -> str:
    return "\n".join(f"{f.code}: {f.message}" for f in findings)
