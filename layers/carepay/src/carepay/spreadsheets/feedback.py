"""The feedback a provider gets seconds after an upload: a workbook and the same as JSON.

The workbook repeats the provider's rows with Status, Errors, Warnings and Exceptions beside
them, rejected rows highlighted, and a summary sheet that says what to do next. It is written
with openpyxl in write-only mode so a 100,000-row upload streams instead of filling memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from carepay.domain.rows import MAX_CELL_CHARS
from carepay.spreadsheets.layout import (
    LINE_HEIGHT,
    TEXT_THAT_WOULD_RUN,
    column_letter,
    wrapped_lines,
)
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD

REJECTED_FILL = "FFC7CE"
FLAGGED_FILL = "FF7C80"  # the very cell an error or warning is about
HELD_FILL = "FFEB9C"
HEADER_FILL = "1F4E78"


class FindingOut(BaseModel):
    code: str
    message: str
    column: str | None = None


class RowFeedback(BaseModel):
    row: int
    status: str
    line_ref: str | None = None
    week_commencing: date | None = None
    errors: list[FindingOut] = Field(default_factory=list)
    warnings: list[FindingOut] = Field(default_factory=list)
    exceptions: list[FindingOut] = Field(default_factory=list)


class WeekConfirmationOut(BaseModel):
    week_commencing: date
    status: str  # confirmed | confirmed late | not confirmed | refused | already confirmed
    lines_confirmed: int = 0
    lines_confirmed_as_planned: int = 0
    message: str = ""


class SubmissionFeedback(BaseModel):
    """The JSON contract of feedback/{provider}/{name}.feedback.json (documented in the README)."""

    kind: str  # upload | confirmation
    provider_ref: str
    provider_name: str = ""
    file: str
    sheet: str = ""  # the workbook's sheet the rows were read from (empty for CSV and Sheets)
    source_key: str  # the inbound object this feedback answers
    upload_id: str
    uploaded_at: datetime
    accepted: int = 0
    rejected: int = 0
    file_rejected: bool = False
    file_findings: list[FindingOut] = Field(default_factory=list)
    confirmations: list[WeekConfirmationOut] = Field(default_factory=list)
    next_step: str = ""
    rows: list[RowFeedback] = Field(default_factory=list)


def write_feedback_workbook(
    feedback: SubmissionFeedback,
    columns: list[tuple[str, str | None]],
    provider_rows: Sequence[tuple[int, Mapping[str, object]]],
    council_name: str,
    *,
    write_only: bool = True,
) -> bytes:
    """Write-only streams rows to disk as they come; `write_only=False` is for `make bench`."""
    # openpyxl only when a workbook is written: it is a fifth of the handler's import time.
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell, WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.worksheets[0])  # the empty sheet a normal workbook starts with
    # Any: the stubs give write-only sheets no column_dimensions, which openpyxl does provide.
    summary: Any = workbook.create_sheet("Summary")
    rows_sheet: Any = workbook.create_sheet("Rows")
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top", horizontal="left")
    top = Alignment(vertical="top")
    for sheet in (summary, rows_sheet):
        # Printed as a provider would: landscape, one page wide, the header on every page.
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = "9"  # A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
    rows_sheet.print_title_rows = "1:1"

    def cell(sheet: WriteOnlyWorksheet, value: Any, **style: Any) -> Cell:
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

    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 90
    title_font = Font(bold=True, size=14)
    summary.append([cell(summary, f"{council_name}: feedback on your upload", font=title_font)])
    summary.append([])
    for label, value in (
        ("Provider", f"{feedback.provider_name} ({feedback.provider_ref})"),
        ("File", feedback.file + (f", sheet '{feedback.sheet}'" if feedback.sheet else "")),
        ("Received", f"{feedback.uploaded_at:%d/%m/%Y %H:%M}"),
        ("Rows accepted", feedback.accepted),
        ("Rows rejected", feedback.rejected),
        ("What to do next", feedback.next_step),
    ):
        summary.append([cell(summary, label, font=bold), cell(summary, value, alignment=wrap)])
    if feedback.confirmations:
        summary.append([])
        summary.append([cell(summary, "Week confirmations", font=bold)])
        for confirmation in feedback.confirmations:
            summary.append(
                [
                    cell(summary, confirmation.week_commencing),
                    cell(
                        summary,
                        f"{confirmation.status}. {confirmation.message}".strip(),
                        alignment=wrap,
                    ),
                ]
            )
    if feedback.file_findings:
        summary.append([])
        summary.append([cell(summary, "About the file", font=bold)])
        for finding in feedback.file_findings:
            summary.append(
                [cell(summary, finding.code), cell(summary, finding.message, alignment=wrap)]
            )

    shown = [(title, key) for title, key in columns if key is not None]
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    titles = ["Row", *(title for title, _ in shown), "Status", "Errors", "Warnings", "Exceptions"]
    finding_widths = (60, 40, 60)
    widths = [6, *([16] * len(shown)), 10, *finding_widths]
    for index, width in enumerate(widths):
        rows_sheet.column_dimensions[column_letter(index + 1)].width = width
    rows_sheet.freeze_panes = "B2"
    rows_sheet.append([cell(rows_sheet, t, font=header_font, fill=header_fill) for t in titles])
    # Each style is registered once on a prototype; copying its style array per cell avoids
    # openpyxl hashing the style again for every cell. Findings wrap, so the sheet prints legibly.
    prototypes = {
        (fill, wrapped): cell(
            rows_sheet,
            None,
            **({"fill": PatternFill("solid", fgColor=fill)} if fill else {}),
            alignment=wrap if wrapped else top,
        )
        for fill in (REJECTED_FILL, HELD_FILL, None)
        for wrapped in (True, False)
    }
    first_finding = len(titles) - 3
    position_of_key = {key: position for position, (_, key) in enumerate(shown, start=1)}
    flagged_prototype = cell(
        rows_sheet,
        None,
        fill=PatternFill("solid", fgColor=FLAGGED_FILL),
        font=Font(bold=True),
        alignment=top,
    )

    def styled_like(prototype: Cell, value: Any) -> Cell:
        written = cell(rows_sheet, value)
        written._style = copy(prototype._style)  # type: ignore[attr-defined]  # openpyxl's own idiom
        if isinstance(value, date):
            written.number_format = "dd/mm/yyyy"
        return written

    by_row = {r.row: r for r in feedback.rows}
    for rows_written, (row_number, cells) in enumerate(provider_rows, start=1):
        outcome = by_row[row_number]
        held = any(f.code in ("X2", "X3") for f in outcome.exceptions)
        fill = REJECTED_FILL if outcome.status == "rejected" else HELD_FILL if held else None
        values = [
            row_number,
            *(cells.get(key) for _, key in shown),
            outcome.status,
            _joined(outcome.errors),
            _joined(outcome.warnings),
            _joined(outcome.exceptions),
        ]
        if fill is None and not (outcome.warnings or outcome.exceptions):
            # Most rows need no styling: plain values are written several times faster than
            # cells, except text that would become a formula and dates that need a format.
            rows_sheet.append(
                [cell(rows_sheet, v) if _needs_cell(v) else shown_in_cell(v) for v in values]
            )
        else:
            findings = values[first_finding:]
            lines = max(
                wrapped_lines(str(text), width)
                for text, width in zip(findings, finding_widths, strict=True)
            )
            if lines > 1:  # set before the row is written: write-only sheets cannot go back
                rows_sheet.row_dimensions[rows_written + 1].height = LINE_HEIGHT * lines
            row_cells = [
                styled_like(prototypes[(fill, position >= first_finding)], value)
                for position, value in enumerate(values)
            ]
            # Each finding that names a column is also written beside that cell, highlighted.
            beside: dict[int, list[FindingOut]] = {}
            for finding in (*outcome.errors, *outcome.warnings):
                position = position_of_key.get(ACTUALS_UPLOAD.key_for(finding.column or "") or "")
                if position is not None:
                    beside.setdefault(position, []).append(finding)
            for position, found in beside.items():
                flagged = row_cells[position]
                flagged._style = copy(flagged_prototype._style)  # type: ignore[attr-defined]
                if isinstance(flagged.value, date):
                    flagged.number_format = "dd/mm/yyyy"
                flagged.comment = Comment(_joined(found), "carepay", width=320, height=110)
            rows_sheet.append(row_cells)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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


def _needs_cell(value: object) -> bool:
    return isinstance(value, date) or (
        isinstance(value, str) and value.startswith(TEXT_THAT_WOULD_RUN)
    )


def _joined(findings: list[FindingOut]) -> str:
    return "\n".join(f"{f.code}: {f.message}" for f in findings)
