"""A workbook written as it goes: each sheet's rows straight into its compressed zip entry.

For the feedback workbook of a large upload, where openpyxl (even write-only) spends most of the
upload's time on per-cell objects. This writes only what carepay's workbooks use: text, numbers,
dates and carepay's own formulas; fonts, fills, alignment, number formats and unlocked cells;
column widths, row heights, frozen panes, merged cells; a locked sheet; notes on cells;
drop-downs, checks and fills that follow a formula (conditional formatting); A4 print set-up
with heading rows, header and footer.
Text is written inline (no shared-strings table to hold in memory), so memory stays flat.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import IO

from carepay.domain.actuals import EXCEL_EPOCH
from carepay.domain.rows import MAX_CELL_CHARS
from carepay.spreadsheets.layout import (
    LINE_HEIGHT,
    TEXT_THAT_WOULD_RUN,
    column_letter,
    wrapped_lines,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ROWS_PER_WRITE = 500  # rows gathered before each write to the compressor
SHOWN_TEXTS = 20_000  # texts kept as their cells show them (StreamingWorkbook._shown)
SPACES = frozenset(" \t\n\r")
MAX_TEXT = MAX_CELL_CHARS
# Control characters no xlsx cell may hold (all but tab, newline and carriage return).
UNPRINTABLE = dict.fromkeys((*range(9), 11, 12, *range(14, 32)))
DATE_FORMAT = "dd/mm/yyyy"
CALCULATED_ON_OPENING = '<calcPr calcId="191029" fullCalcOnLoad="1"/>'
ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;"}
)


def escaped(text: str) -> str:
    return text.translate(ESCAPES)


def attribute(text: str) -> str:
    return text.translate(ATTRIBUTE_ESCAPES)


@dataclass(frozen=True, slots=True)
class Style:
    """How a cell looks; each distinct one is registered once in the workbook's styles."""

    bold: bool = False
    size: float = 11
    colour: str = ""  # the font's, RRGGBB
    fill: str = ""  # solid, RRGGBB
    wrap: bool = False
    vertical: str = ""  # top, center, bottom
    horizontal: str = ""  # left, center, right
    number_format: str = ""  # e.g. dd/mm/yyyy
    quote_prefix: bool = False  # text that would run as a formula is shown as typed
    locked: bool = True  # on a locked sheet, only unlocked cells take entries


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula carepay itself writes ("=SUM(G6:G40)"), never text from anyone: a text cell
    that looks like one is shown as typed."""

    text: str


@dataclass(frozen=True, slots=True)
class _Blank:
    pass


BLANK = _Blank()  # an empty cell kept for its style: an entry cell, unlocked and white


@dataclass(frozen=True, slots=True)
class Highlight:
    """`cells` filled with `fill` while `formula` (relative to their first cell) holds; `stop`:
    no later rule applies to a cell this one fills."""

    cells: str  # e.g. K6:K40
    formula: str
    fill: str  # RRGGBB
    stop: bool = False


@dataclass(frozen=True, slots=True)
class Validation:
    """A drop-down (`kind` "list", formula a quoted list) or a check (`kind` "custom")."""

    kind: str
    formula: str
    cells: str  # e.g. C2:C900
    error_title: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class PrintSetup:
    """A4, one page wide; `title_rows` (e.g. "1:1") repeated on every page."""

    heading: str
    landscape: bool = True
    title_rows: str = ""


@dataclass(frozen=True, slots=True)
class SheetLock:
    """A locked sheet (`protected`: only unlocked cells take entries; no password, as the lock
    prevents slips, not people; columns and rows can still be resized), its merged cells
    ("F3:M3") and the fills that follow formulas."""

    protected: bool = False
    merged: Sequence[str] = ()
    highlights: Sequence[Highlight] = ()


@dataclass(slots=True)
class _Sheet:
    title: str
    index: int
    stream: IO[bytes]
    setup: PrintSetup
    notes: list[tuple[str, str]] = field(default_factory=list)  # (cell, text)
    validations: Sequence[Validation] = ()
    locked: SheetLock = field(default_factory=SheetLock)
    rows: int = 0
    pending: list[str] = field(default_factory=list)  # rows not yet compressed

    def flush(self) -> None:
        self.stream.write("".join(self.pending).encode())
        self.pending.clear()


class StreamingWorkbook:
    """Sheets one after another: open one, write its rows in order, close it; then `finish`."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.styles: dict[Style, int] = {Style(): 0}
        self.by_number = [Style()]
        self.variants: dict[tuple[int, str], int] = {}  # (style, "date" or "text") → style
        self.highlight_fills: dict[str, int] = {}  # a highlight's fill → its format's number
        self.formulas = False  # any written: the workbook asks to be calculated when opened
        self.sheets: list[_Sheet] = []
        self.current: _Sheet | None = None
        self.letters = [column_letter(number) for number in range(1, 200)]
        self.opened = [f'<c r="{letter}' for letter in self.letters]  # a cell, to its row number
        self.texts: dict[str, tuple[str, str, bool]] = {}  # see _shown
        self.serials: dict[date, str] = {}  # see _serial
        # A cell given no style whose text is too long for its column (see row).
        self.wrapped = self.style(Style(wrap=True, vertical="top", horizontal="left"))

    def style(self, style: Style) -> int:
        """The style's number, for the cells that use it."""
        number = self.styles.get(style)
        if number is None:
            number = self.styles[style] = len(self.styles)
            self.by_number.append(style)
        return number

    def _variant(self, number: int, kind: str) -> int:
        """A style as a date needs it (its format) or text that would run as a formula (a quote
        prefix, so it is shown as typed and stays text when edited)."""
        variant = self.variants.get((number, kind))
        if variant is None:
            style = self.by_number[number]
            changed = (
                replace(style, number_format=DATE_FORMAT)
                if kind == "date"
                else replace(style, quote_prefix=True)
            )
            variant = self.variants[number, kind] = self.style(changed)
        return variant

    def open_sheet(
        self,
        title: str,
        widths: Sequence[float],
        setup: PrintSetup,
        *,
        freeze: str = "",
        validations: Sequence[Validation] = (),
        locked: SheetLock = SheetLock(),
    ) -> None:
        """Start a sheet: its column widths, frozen panes (the first cell that scrolls, e.g.
        B2), print set-up, and what is written after its rows: the drop-downs and checks, the
        lock, merged cells and highlights."""
        self.close_sheet()
        index = len(self.sheets) + 1
        stream = self.zip.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True)
        sheet = _Sheet(title, index, stream, setup, validations=validations, locked=locked)
        for highlight in locked.highlights:
            self.highlight_fills.setdefault(highlight.fill, len(self.highlight_fills))
        self.sheets.append(sheet)
        self.current = sheet
        columns = "".join(
            f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
            for n, width in enumerate(widths, start=1)
        )
        stream.write(
            (
                f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
                '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
                f"<sheetViews>{_sheet_view(freeze)}</sheetViews>"
                '<sheetFormatPr defaultRowHeight="15"/>'
                f"{f'<cols>{columns}</cols>' if columns else ''}<sheetData>"
            ).encode()
        )

    def row(
        self,
        values: Sequence[object],
        styles: Sequence[int] | None = None,
        height: float = 0,
        wrap_beyond: Sequence[int] = (),
    ) -> None:
        """The next row: its values (None and "" leave a cell empty), each cell's style number
        (all the default when None), and its height in points (0: as its text needs).

        Text is made what a cell may hold: control characters dropped, cut at MAX_TEXT. Whatever
        its style, a cell shows what it holds: text that would run as a formula keeps a quote
        prefix and a date has a date's format; in a cell given no style, text longer than its
        column's `wrap_beyond` (characters) wraps, the row growing to fit."""
        sheet = self.current
        assert sheet is not None, "open a sheet first"
        sheet.rows += 1
        number, opened, cells, lines = sheet.rows, self.opened, [], 1
        at, texts = f'{number}"', self.texts  # each cell's reference: its letters, then at
        for position, value in enumerate(values):
            if type(value) is str:
                shown = texts.get(value)
                if shown is None:
                    shown = self._shown(value)
                text, inline, runs = shown
                if not text:
                    continue
                style = styles[position] if styles else 0
                if not style and wrap_beyond and len(text) > wrap_beyond[position]:
                    lines = max(lines, wrapped_lines(text, wrap_beyond[position]))
                    style = self.wrapped
                if runs:
                    style = self._variant(style, "text")
                styled = f' s="{style}"' if style else ""
                cells.append(f"{opened[position]}{at}{styled}{inline}")
            elif value is not None:
                style = styles[position] if styles else 0
                kind = type(value)
                if kind is float or kind is int:  # most cells that are not text: no more to ask
                    styled = f' s="{style}"' if style else ""
                    cells.append(f"{opened[position]}{at}{styled}><v>{value!r}</v></c>")
                    continue
                if isinstance(value, date):
                    style = self._variant(style, "date")
                    serial = self.serials.get(value) or self._serial(value)
                    cells.append(f'{opened[position]}{at} s="{style}"><v>{serial}</v></c>')
                    continue
                if kind is Formula:
                    self.formulas = True
                cells.append(_cell(f"{self.letters[position]}{number}", value, style))
        height = height or (LINE_HEIGHT * lines if lines > 1 else 0)
        tall = f' ht="{height}" customHeight="1"' if height else ""
        sheet.pending.append(f'<row r="{number}"{tall}>{"".join(cells)}</row>')
        if len(sheet.pending) >= ROWS_PER_WRITE:
            sheet.flush()

    def _shown(self, value: str) -> tuple[str, str, bool]:
        """A text as its cell shows it, the cell's XML after its reference and style, and
        whether it would run as a formula; kept, as a sheet repeats its texts row after row
        (bounded: texts that never repeat cost no more than they did)."""
        if len(self.texts) > SHOWN_TEXTS:
            self.texts.clear()
        text = _cell_text(value)
        shown = self.texts[value] = (text, _inline(text), text.startswith(TEXT_THAT_WOULD_RUN))
        return shown

    def _serial(self, day: date) -> str:
        """A date's (or time's) number as a cell holds it; kept, as a sheet repeats its weeks."""
        if len(self.serials) > SHOWN_TEXTS:
            self.serials.clear()
        serial = _serial(day)
        if getattr(day, "tzinfo", None) is None:  # the same instant in two zones shows two times
            self.serials[day] = serial
        return serial

    def note(self, column: int, text: str) -> None:
        """A note on a cell of the row just written (column 0 is A)."""
        sheet = self.current
        assert sheet is not None and sheet.rows, "write the row first"
        sheet.notes.append((f"{self.letters[column]}{sheet.rows}", text))

    def close_sheet(self) -> None:
        sheet = self.current
        if sheet is None:
            return
        self.current = None
        sheet.flush()
        sheet.stream.write(
            (
                "</sheetData>"
                + _lock(sheet.locked, self.highlight_fills)
                + _validations(sheet.validations)
                + '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3"'
                ' footer="0.3"/>'
                + _page_setup(sheet.setup)
                + ('<legacyDrawing r:id="rIdNotes"/>' if sheet.notes else "")
                + "</worksheet>"
            ).encode()
        )
        sheet.stream.close()
        if sheet.notes:
            self._write_notes(sheet)

    def finish(self, moment: datetime) -> bytes:
        """The whole workbook, its document dates `moment`."""
        self.close_sheet()
        self.zip.writestr("[Content_Types].xml", self._content_types())
        self.zip.writestr("_rels/.rels", _package_relationships())
        self.zip.writestr("docProps/core.xml", _core(moment))
        self.zip.writestr("xl/workbook.xml", self._workbook())
        self.zip.writestr("xl/_rels/workbook.xml.rels", self._workbook_relationships())
        self.zip.writestr("xl/styles.xml", _styles(list(self.styles), list(self.highlight_fills)))
        self.zip.close()
        return self.buffer.getvalue()

    def _write_notes(self, sheet: _Sheet) -> None:
        index = sheet.index
        comments = "".join(
            f'<comment ref="{cell}" authorId="0"><text><t xml:space="preserve">'
            f"{escaped(_cell_text(text))}</t></text></comment>"
            for cell, text in sheet.notes
        )
        self.zip.writestr(
            f"xl/comments{index}.xml",
            f'{XML_HEAD}<comments xmlns="{MAIN}"><authors><author>carepay</author></authors>'
            f"<commentList>{comments}</commentList></comments>",
        )
        self.zip.writestr(f"xl/drawings/vmlDrawing{index}.vml", _note_shapes(sheet.notes))
        self.zip.writestr(
            f"xl/worksheets/_rels/sheet{index}.xml.rels",
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
            f'<Relationship Id="rIdComments" Type="{RELATIONSHIPS}/comments"'
            f' Target="../comments{index}.xml"/>'
            f'<Relationship Id="rIdNotes" Type="{RELATIONSHIPS}/vmlDrawing"'
            f' Target="../drawings/vmlDrawing{index}.vml"/></Relationships>',
        )

    def _content_types(self) -> str:
        kind = "application/vnd.openxmlformats-officedocument"
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{s.index}.xml"'
            f' ContentType="{kind}.spreadsheetml.worksheet+xml"/>'
            + (
                f'<Override PartName="/xl/comments{s.index}.xml"'
                f' ContentType="{kind}.spreadsheetml.comments+xml"/>'
                if s.notes
                else ""
            )
            for s in self.sheets
        )
        return (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Default Extension="vml" ContentType="{kind}.vmlDrawing"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{kind}.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
            f'package.core-properties+xml"/>{overrides}</Types>'
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name="{attribute(s.title)}" sheetId="{s.index}" r:id="rIdSheet{s.index}"/>'
            for s in self.sheets
        )
        titles = "".join(
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{s.index - 1}">'
            f"'{attribute(s.title)}'!${s.setup.title_rows.replace(':', ':$')}</definedName>"
            for s in self.sheets
            if s.setup.title_rows
        )
        return (
            f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><bookViews>'
            f'<workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
            f"{f'<definedNames>{titles}</definedNames>' if titles else ''}"
            # formulas are written without results: worked out when the workbook is opened (only
            # then: Excel asks to save a workbook it calculated, even one it did not change)
            f"{CALCULATED_ON_OPENING if self.formulas else ''}</workbook>"
        )

    def _workbook_relationships(self) -> str:
        sheets = "".join(
            f'<Relationship Id="rIdSheet{s.index}" Type="{RELATIONSHIPS}/worksheet"'
            f' Target="worksheets/sheet{s.index}.xml"/>'
            for s in self.sheets
        )
        return (
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{sheets}'
            f'<Relationship Id="rIdStyles" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        )


def _cell_text(value: str) -> str:
    """Text as a cell can hold it: without control characters, and no longer than a cell
    shows (what a provider sent is kept in their own file; this is only what is shown)."""
    if not value.isprintable():
        value = value.translate(UNPRINTABLE)
    return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"


def _text_cell(reference: str, value: str, style: int) -> str:
    styled = f' s="{style}"' if style else ""
    return f'<c r="{reference}"{styled}{_inline(value)}'


def _inline(value: str) -> str:
    """An inline text cell after its reference and style; spaces at either end kept (XML would
    otherwise drop them)."""
    text = value.translate(ESCAPES)
    if value[:1] in SPACES or value[-1:] in SPACES:
        return f' t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f' t="inlineStr"><is><t>{text}</t></is></c>'


def _cell(reference: str, value: object, style: int) -> str:
    """A cell of what `row` leaves to it (it writes text, numbers and dates itself)."""
    styled = f' s="{style}"' if style else ""
    if type(value) is str:
        return _text_cell(reference, _cell_text(value), style)
    if isinstance(value, bool):
        return f'<c r="{reference}"{styled} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"{styled}><v>{value!r}</v></c>'
    if isinstance(value, Formula):
        return f'<c r="{reference}"{styled}><f>{escaped(value.text.removeprefix("="))}</f></c>'
    if value is BLANK:
        return f'<c r="{reference}"{styled}/>' if style else ""
    return _cell(reference, str(value), style)


def _serial(value: date) -> str:
    """Days since Excel's epoch; a time of day as the day's fraction, as its wall clock showed it."""
    if isinstance(value, datetime):
        day = value.replace(tzinfo=None)
        serial = (day.date() - EXCEL_EPOCH).days + (
            day - day.replace(hour=0, minute=0, second=0, microsecond=0)
        ).total_seconds() / 86400
        return repr(serial)
    return str((value - EXCEL_EPOCH).days)


def _columns_and_rows_before(cell: str) -> tuple[int, int]:
    """How many columns and rows come before a cell: B3 → (1, 2)."""
    digits = next(i for i, ch in enumerate(cell) if ch.isdigit())
    letters = cell[:digits]
    column = sum((ord(ch) - 64) * 26**power for power, ch in enumerate(reversed(letters)))
    return column - 1, int(cell[digits:]) - 1


def _sheet_view(freeze: str) -> str:
    if not freeze:
        return '<sheetView workbookViewId="0"/>'
    across, down = _columns_and_rows_before(freeze)
    split = (f' xSplit="{across}"' if across else "") + (f' ySplit="{down}"' if down else "")
    pane = "bottomRight" if across and down else "bottomLeft" if down else "topRight"
    return (
        f'<sheetView workbookViewId="0"><pane{split} topLeftCell="{freeze}" activePane="{pane}"'
        f' state="frozen"/><selection pane="{pane}" activeCell="{freeze}" sqref="{freeze}"/>'
        "</sheetView>"
    )


STOP_IF_TRUE = ' stopIfTrue="1"'


def _lock(lock: SheetLock, fills: dict[str, int]) -> str:
    """What follows a sheet's rows, in the order the format requires: the lock, merged cells,
    highlights."""
    protection = (
        '<sheetProtection sheet="1" formatColumns="0" formatRows="0"/>' if lock.protected else ""
    )
    merged = "".join(f'<mergeCell ref="{cells}"/>' for cells in lock.merged)
    highlights = "".join(
        f'<conditionalFormatting sqref="{h.cells}"><cfRule type="expression"'
        f' dxfId="{fills[h.fill]}" priority="{priority}"{STOP_IF_TRUE if h.stop else ""}>'
        f"<formula>{escaped(h.formula.removeprefix('='))}</formula></cfRule></conditionalFormatting>"
        for priority, h in enumerate(lock.highlights, start=1)
    )
    return (
        protection
        + (f'<mergeCells count="{len(lock.merged)}">{merged}</mergeCells>' if merged else "")
        + highlights
    )


def _validations(validations: Sequence[Validation]) -> str:
    if not validations:
        return ""
    rules = "".join(
        f'<dataValidation type="{v.kind}" allowBlank="1" showErrorMessage="1"'
        + (f' errorTitle="{attribute(v.error_title)}"' if v.error_title else "")
        + (f' error="{attribute(v.error)}"' if v.error else "")
        + f' sqref="{v.cells}"><formula1>{escaped(v.formula.removeprefix("="))}</formula1>'
        "</dataValidation>"
        for v in validations
    )
    return f'<dataValidations count="{len(validations)}">{rules}</dataValidations>'


def _page_setup(setup: PrintSetup) -> str:
    orientation = "landscape" if setup.landscape else "portrait"
    # & starts a field code; the heading may name the provider's file, so it is cleaned too
    heading = escaped(_cell_text(setup.heading).replace("&", "&&")[:200])
    return (
        f'<pageSetup paperSize="9" orientation="{orientation}" fitToWidth="1" fitToHeight="0"/>'
        f"<headerFooter><oddHeader>&amp;C{heading}</oddHeader>"
        "<oddFooter>&amp;CPage &amp;P of &amp;N</oddFooter></headerFooter>"
    )


def _note_shapes(notes: list[tuple[str, str]]) -> str:
    """The boxes Excel draws notes in (a note without one is not shown there)."""
    shapes = []
    for number, (cell, _) in enumerate(notes, start=1):
        across, row = _columns_and_rows_before(cell)
        shapes.append(
            f'<v:shape id="_x0000_s{1024 + number}" type="#_x0000_t202" style="position:absolute;'
            "margin-left:59.25pt;margin-top:1.5pt;width:240pt;height:82.5pt;z-index:1;"
            'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
            '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{across}</x:Column>"
            "</x:ClientData></v:shape>"
        )
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:'
        'office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
        '<o:idmap v:ext="edit" data="1"/></o:shapelayout><v:shapetype id="_x0000_t202"'
        ' coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke'
        ' joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f"{''.join(shapes)}</xml>"
    )


def _styles(styles: list[Style], highlight_fills: list[str]) -> str:
    """Fonts, fills and number formats, one of each as the styles need, a cell format per
    style (in the order of their numbers), and a format per highlight's fill."""
    fonts = sorted({(s.bold, s.size, s.colour) for s in styles}, key=str)
    fills = sorted({s.fill for s in styles if s.fill})
    formats = sorted({s.number_format for s in styles if s.number_format})
    font_xml = "".join(
        "<font>"
        + ("<b/>" if bold else "")
        + f'<sz val="{size}"/>'
        + (f'<color rgb="FF{colour}"/>' if colour else "")
        + '<name val="Calibri"/></font>'
        for bold, size, colour in fonts
    )
    fill_xml = "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{fill}"/></patternFill></fill>'
        for fill in fills
    )
    format_xml = "".join(
        f'<numFmt numFmtId="{164 + i}" formatCode="{attribute(code)}"/>'
        for i, code in enumerate(formats)
    )
    cells = "".join(_cell_format(s, fonts, fills, formats) for s in styles)
    highlights = "".join(
        f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="FF{fill}"/>'
        f'<bgColor rgb="FF{fill}"/></patternFill></fill></dxf>'
        for fill in highlight_fills
    )
    number_formats = f'<numFmts count="{len(formats)}">{format_xml}</numFmts>' if formats else ""
    return (
        f'{XML_HEAD}<styleSheet xmlns="{MAIN}">{number_formats}'
        f'<fonts count="{len(fonts)}">{font_xml}</fonts>'
        f'<fills count="{len(fills) + 2}"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill>{fill_xml}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f'</cellStyleXfs><cellXfs count="{len(styles)}">{cells}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        f'<dxfs count="{len(highlight_fills)}">{highlights}</dxfs></styleSheet>'
    )


def _cell_format(
    style: Style,
    fonts: list[tuple[bool, float, str]],
    fills: list[str],
    formats: list[str],
) -> str:
    font = fonts.index((style.bold, style.size, style.colour))
    fill = fills.index(style.fill) + 2 if style.fill else 0
    number = formats.index(style.number_format) + 164 if style.number_format else 0
    aligned = style.wrap or style.vertical or style.horizontal
    alignment = (
        "<alignment"
        + (f' horizontal="{style.horizontal}"' if style.horizontal else "")
        + (f' vertical="{style.vertical}"' if style.vertical else "")
        + (' wrapText="1"' if style.wrap else "")
        + "/>"
        if aligned
        else ""
    )
    inside = alignment + ("" if style.locked else '<protection locked="0"/>')
    return (
        f'<xf numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"'
        + (' applyNumberFormat="1"' if number else "")
        + (' applyFont="1"' if font else "")
        + (' applyFill="1"' if fill else "")
        + (' applyAlignment="1"' if aligned else "")
        + ("" if style.locked else ' applyProtection="1"')
        + (' quotePrefix="1"' if style.quote_prefix else "")
        + (f">{inside}</xf>" if inside else "/>")
    )


def _package_relationships() -> str:
    return (
        f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rIdBook" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rIdCore" Type="{PACKAGE_RELATIONSHIPS}/metadata/core-properties"'
        ' Target="docProps/core.xml"/></Relationships>'
    )


def _core(moment: datetime) -> str:
    when = f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    return (
        f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms='
        '"http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>carepay</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
        "</cp:coreProperties>"
    )


PARAGRAPH = Style(wrap=True, vertical="top")
PARAGRAPH_HEADING = Style(bold=True, wrap=True, vertical="top")


def write_paragraphs(
    book: StreamingWorkbook,
    title: str,
    setup: PrintSetup,
    paragraphs: Sequence[tuple[str, bool]],
    width: int = 95,
) -> None:
    """A sheet of text (instructions): a paragraph a row, wrapped in one column `width`
    characters wide, each row as tall as its text; paragraphs marked True are headings, bold."""
    book.open_sheet(title, [width], setup)
    text_style, heading_style = book.style(PARAGRAPH), book.style(PARAGRAPH_HEADING)
    for text, heading in paragraphs:
        height = LINE_HEIGHT * wrapped_lines(text, width - 5) + 4
        book.row([text], [heading_style if heading else text_style], height)
