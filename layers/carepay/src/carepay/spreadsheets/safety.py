"""Provider files are untrusted: look inside the container before any parser does.

An xlsx, xlsm or ods is a zip of XML parts. Refused, with a message, before reading:
  - a zip bomb: more uncompressed data than any claim needs, or an absurd compression ratio;
  - an XML bomb: a DTD or entity declaration in any part (Office files never carry one);
  - external links: formulas that would fetch data from other workbooks or the network;
  - a sheet whose content reaches beyond column BZ or row 199,999 (or an ods row or cell
    repeated as far): a reader lays a sheet out as a grid from its first to its last cell, so
    one cell at XFD1048576 in a 2 KB file would ask for 512 GiB. The reader places a row or
    cell at its reference, however the XML spells it (quotes, spacing, lower case, leading
    zeros, a namespace prefix), or after the last one when it has none; a sheet whose rows and
    cells are not all written plainly, as spreadsheet programs write them, is walked as the
    reader walks it.
Macros (.xlsm's vbaProject.bin) are never run; values are read and the provider is told so.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import IO
from xml.parsers import expat

from carepay.domain.findings import Finding, warning

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
MAX_PARTS = 2_000
# A DTD must come before the root element, so only a part's prolog is searched for one; comments
# can pad a prolog, so it is read (in chunks) until the root element, up to a length no
# spreadsheet program writes.
PROLOG_CHUNK_BYTES = 64 * 1024
MOST_PROLOG_BYTES = 1024 * 1024
DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
LAST_ROW, LAST_COLUMN = 199_999, 78  # BZ
# An xlsx row or cell element not plainly within BZ199999: not written as spreadsheet programs
# write one (its reference first, double-quoted, upper case, no leading zeros; then name="value"
# attributes a space apart, none of them another r, which the reader would take instead), or
# beyond it. One search of the sheet clears the usual sheet; anything it finds is walked.
_NEAR_ROW = rb"(?:[1-9]\d{0,4}|1\d{5})"
_PLAIN_REST = rb'(?: (?!r=)[\w:.-]++="[^"<>]*+")*+/?>'
NOT_PLAINLY_NEAR = re.compile(
    rb'<(?:c(?=[\s/>])(?! r="(?:[A-Z]|[AB][A-Z])' + _NEAR_ROW + rb'"' + _PLAIN_REST + rb")"
    rb'|row(?=[\s/>])(?! r="' + _NEAR_ROW + rb'"' + _PLAIN_REST + rb"))"
)
# A row or cell element with a namespace prefix (<x:c …>), which the search above cannot see.
PREFIXED_ROW_OR_CELL = re.compile(rb":(?:c|row)[\s/>]")
CELL_REFERENCE = re.compile(r"([A-Za-z]{1,3})(\d{1,9})", re.ASCII)
ROW_REFERENCE = re.compile(r"\d{1,9}", re.ASCII)
# ods: a row, or a cell with a value, repeated (table:number-…-repeated) past those limits.
ODS_ROW = re.compile(rb"<table:table-row\b([^>]*)>(.*?)</table:table-row>", re.DOTALL)
ODS_VALUE_CELL = re.compile(rb"<table:table-cell\b[^>]*office:value-type[^>]*>")
REPEATED = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"']\s*(\d+)")
MOST_REPEATED_ROWS, MOST_REPEATED_CELLS = 200_000, 78


class UnsafeFile(ValueError):
    """The file is refused whole, for the reason given."""


def inspect_container(
    content: bytes, filename: str, on_worksheet: Callable[[str, bytes], None] | None = None
) -> list[Finding]:
    """Raise UnsafeFile for a file that must not be parsed; return warnings for one that may.
    `on_worksheet` is given each xlsx worksheet's part name and XML once it is found safe, so a
    reader that must look at the XML too need not decompress it again."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnsafeFile(
            f"{filename} is damaged: it is not a whole spreadsheet (perhaps cut short while "
            "copying or sending). Open it in your spreadsheet program, save it again as .xlsx, "
            "and upload that."
        ) from exc
    if len(members) > MAX_PARTS:
        raise UnsafeFile(
            f"{filename} has {len(members)} parts, more than a claim form can: it was not read."
        )
    uncompressed = sum(member.file_size for member in members)
    compressed = max(1, sum(member.compress_size for member in members))
    if uncompressed > MAX_UNCOMPRESSED_BYTES or uncompressed / compressed > MAX_COMPRESSION_RATIO:
        raise UnsafeFile(
            f"{filename} expands to {uncompressed // (1024 * 1024)} MB from "
            f"{compressed // 1024} KB, far more than any claim form: it was not read. Save the "
            "claim again from your spreadsheet program and upload that."
        )
    names = [member.filename for member in members]
    if any("externallink" in name.lower() for name in names):
        raise UnsafeFile(
            f"{filename} links to other workbooks (external links), which carepay does not "
            "follow: copy the values in (Paste Special › Values), remove the links and upload again."
        )
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels", ".vml")) and member.file_size:
            with archive.open(member) as part:
                if _declares_in_prolog(part):
                    raise UnsafeFile(
                        f"{filename} contains XML declarations no spreadsheet program writes "
                        f"(in {member.filename}): it was not read. Save the claim again and upload that."
                    )
    _refuse_far_content(archive, filename, on_worksheet or (lambda part, sheet: None))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return [
            warning(
                "FILE",
                f"{filename} contains macros: carepay never runs them and read only the values "
                "in the cells. You can save the claim as .xlsx instead.",
            )
        ]
    return []


def _declares_in_prolog(part: IO[bytes]) -> bool:
    """Whether the part declares a DTD or entities before its root element (or has a prolog
    longer than any spreadsheet program writes, which is treated alike)."""
    head = b""
    while len(head) < MOST_PROLOG_BYTES:
        chunk = part.read(PROLOG_CHUNK_BYTES)
        head += chunk
        if DECLARATION.search(head):
            return True
        outside_comments = COMMENT.sub(b"", head)
        open_comment = outside_comments.find(b"<!--")
        searched = outside_comments if open_comment < 0 else outside_comments[:open_comment]
        if ROOT_ELEMENT.search(searched) or not chunk:
            return False
    return True


def _refuse_far_content(
    archive: zipfile.ZipFile, filename: str, on_worksheet: Callable[[str, bytes], None]
) -> None:
    for name in archive.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            sheet = archive.read(name)
            if PREFIXED_ROW_OR_CELL.search(sheet) or NOT_PLAINLY_NEAR.search(sheet):
                _walk_sheet(sheet, filename)
            on_worksheet(name, sheet)
        elif name == "content.xml":
            _refuse_far_ods_content(archive.read(name), filename)


class _SheetWalk:
    """A sheet's cells placed as the reader places them: each at its reference, or after the
    last cell of its row; a row at its reference, or after the last row. Where a reader could
    place a cell in either its row or its reference's row, both are held to the limits."""

    def __init__(self, filename: str) -> None:
        self.filename, self.row, self.column, self.last_row = filename, 0, 0, 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        element, reference = name.rpartition(":")[2], attributes.get("r")
        if element == "row":
            self.row = self.last_row + 1 if reference is None else self._row_number(reference)
            self.column, self.last_row = 0, max(self.last_row, self.row)
        elif element == "c":
            self.column += 1
            if reference is not None:
                cell = CELL_REFERENCE.fullmatch(reference.strip())
                if cell is None:
                    raise UnsafeFile(self._unreadable(reference))
                self.column = _column_number(cell[1])
                self.last_row = max(self.last_row, int(cell[2]))
            if self.column > LAST_COLUMN or max(self.row, self.last_row) > LAST_ROW:
                where = f"column {self.column:,} of row {max(self.row, self.last_row):,}"
                raise UnsafeFile(_far(self.filename, f"cell {reference or 'at ' + where}"))

    def _row_number(self, reference: str) -> int:
        if ROW_REFERENCE.fullmatch(reference.strip()) is None:
            raise UnsafeFile(self._unreadable(reference))
        return int(reference)

    def _unreadable(self, reference: str) -> str:
        return (
            f"{self.filename} has a row or cell reference no spreadsheet program writes "
            f"({reference[:20]!r}): it was not read. Save the claim again from your spreadsheet "
            "program and upload that."
        )


def _walk_sheet(sheet: bytes, filename: str) -> None:
    """Raise UnsafeFile if the sheet, walked as the reader walks it, reaches beyond BZ199999.
    Runs after the DTD check, so the XML declares no entities to expand."""
    parser = expat.ParserCreate()
    parser.StartElementHandler = _SheetWalk(filename).start
    try:
        parser.Parse(sheet, True)
    except expat.ExpatError as damaged:
        raise UnsafeFile(
            f"{filename} is damaged: a sheet inside it is not well-formed XML. Open it in your "
            "spreadsheet program, save it again as .xlsx, and upload that."
        ) from damaged


def _column_number(letters: str) -> int:
    """1-based: "A" → 1, "bz" → 78."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _refuse_far_ods_content(content: bytes, filename: str) -> None:
    if b"-repeated" not in content:
        return
    for row in ODS_ROW.finditer(content):
        cells = ODS_VALUE_CELL.findall(row[2])
        if not cells:
            continue  # empty rows and cells are repeated to the sheet's end in every ods
        rows = max((int(n) for n in REPEATED.findall(row[1])), default=1)
        across = max((int(n) for cell in cells for n in REPEATED.findall(cell)), default=1)
        if rows >= MOST_REPEATED_ROWS or across > MOST_REPEATED_CELLS:
            raise UnsafeFile(_far(filename, "a row or cell repeated thousands of times"))


def _far(filename: str, what: str) -> str:
    return (
        f"{filename} has {what}, far beyond any claim (carepay reads up to column BZ and row "
        "199,999): delete the rows and columns after your claim (or clear that cell), save, "
        "and upload again."
    )
