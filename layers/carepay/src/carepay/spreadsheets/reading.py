"""Reading the tables providers and the council send: xlsx, xlsm, xls, ods (python-calamine) and CSV.

The reader finds the header row, maps headers to column keys (case- and space-insensitive),
and streams rows. It knows nothing of the rules; a file it cannot read raises `UnreadableFile`
with a sentence the sender can act on.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from carepay.domain.findings import Finding, warning
from carepay.domain.rows import MAX_CELL_CHARS, SheetRow, visible
from carepay.spreadsheets.safety import UnsafeFile, inspect_container

# What one invocation can read, check and explain well within its time and memory: checked
# before reading (bytes; a CSV's lines; a workbook's extent) and while reading (rows).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DATA_ROWS = 100_000
MAX_COLUMNS = 78  # A to BZ: a claim form has about 16
MAX_LINE_BYTES = 128 * 1024  # a CSV line: 78 cells of up to 1,000 characters fit easily
HEADER_SEARCH_ROWS = 100  # title rows, notes and instructions above the header
OTHER_COLUMN = "other:"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# How other kinds of file begin (PDF, images, RTF, web pages, archives): never read as text.
OTHER_KINDS = (b"%pdf", b"\x89png", b"\xff\xd8\xff", b"gif8", b"{\\rtf", b"<!doctype", b"<html",
               b"\x1f\x8b", b"rar!", b"7z\xbc\xaf")  # fmt: skip
ENCRYPTED_OFFICE_FILE = "EncryptionInfo".encode("utf-16-le")  # a stream only encrypted files have


# Headings that hold a person's name ("Client Full Name", "Resident", "Service User's Name"),
# unless they name an organisation ("Provider Name", "Care Home Name") or an identifier
# ("Client Ref").
NAME_WORDS = frozenset({"name", "names", "forename", "forenames", "surname", "fullname"})
PERSON_WORDS = frozenset(
    {"client", "customer", "resident", "person", "individual", "user", "patient", "tenant"}
)
ORGANISATION_WORDS = frozenset(
    {"provider", "agency", "company", "organisation", "organization", "home", "service", "file"}
)
IDENTIFIER_WORDS = frozenset({"ref", "reference", "id", "number", "no", "code", "nhs"})


class UnreadableFile(ValueError):
    """The whole file is refused: nothing in it is stored."""


def normalise_header(text: object) -> str:
    if text is None:
        return ""
    return " ".join(visible(str(text)).lower().replace("_", " ").split())


@dataclass(frozen=True)
class TableSchema:
    """The columns a kind of file has: header aliases, the required ones, and those never stored."""

    name: str
    aliases: dict[str, str]
    required: dict[str, str]
    ignored: frozenset[str] = frozenset()
    personal_names: frozenset[str] = frozenset()
    # A label above the header whose neighbouring cell, set to Y, declares the whole file.
    declaration_label: str = ""
    # Columns a cell merged down a block of rows gives to every row (a Date for a week's rows);
    # in any other column the value belongs to the merge's first row only.
    fill_down: frozenset[str] = frozenset()

    def key_for(self, header: str) -> str | None:
        return self.aliases.get(normalise_header(header))

    def holds_names(self, normalised: str) -> bool:
        """A heading under which people's names are likely: never stored, never shown back."""
        if not self.personal_names or normalised in self.aliases:
            return False
        words = set(re.findall(r"[a-z]+", normalised))
        if "user" in words:
            words.discard("service")  # a service user is a person
        if words & ORGANISATION_WORDS:
            return False
        if normalised in self.personal_names or words & NAME_WORDS:
            return True
        return bool(words & PERSON_WORDS) and not words & IDENTIFIER_WORDS


@dataclass
class Table:
    """A table as read: each column's header and key (None when dropped), rows, file-level findings."""

    columns: list[tuple[str, str | None]]
    rows: Iterator[SheetRow]
    findings: list[Finding] = field(default_factory=list)
    sheet_name: str = ""
    declared: bool = False  # the declaration above the header was answered Y
    first_data_row: int = 2
    schema: str = ""  # the name of the TableSchema it was read as


def too_large(filename: str, size: int) -> str:
    return (
        f"{filename} is {size / (1024 * 1024):.0f} MB, over the "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB a file may be: split it into smaller files "
        f"(up to {MAX_DATA_ROWS:,} rows each) and upload each."
    )


def read_table(content: bytes, filename: str, schema: TableSchema) -> Table:
    return read_tables(content, filename, (schema,))[0]


def read_tables(content: bytes, filename: str, schemas: Sequence[TableSchema]) -> list[Table]:
    """The file's table of each schema it holds (a workbook may hold a sheet of each), at least
    one: with none found, it is read as the first schema, which says what is missing."""
    if not content.strip():
        raise UnreadableFile(f"{filename} is empty: upload the completed file again.")
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableFile(too_large(filename, len(content)))
    try:
        return _read_tables(content, filename, schemas)
    except (zlib.error, zipfile.BadZipFile, EOFError) as damaged:
        raise UnreadableFile(
            f"{filename} is damaged: the spreadsheet inside it does not check out. "
            "Open it in your spreadsheet program, save it again as .xlsx, and upload that."
        ) from damaged


def _read_tables(content: bytes, filename: str, schemas: Sequence[TableSchema]) -> list[Table]:
    container_findings: list[Finding] = []
    formula_notes: dict[str, CellNotes] = {}  # by worksheet part, from the one read of its XML
    if content.startswith(ZIP_MAGIC):
        try:
            container_findings = inspect_container(
                content,
                filename,
                lambda part, xml: formula_notes.update({part: formula_cells(xml)}),
            )
        except UnsafeFile as unsafe:
            raise UnreadableFile(str(unsafe)) from unsafe
    if content.startswith(OLE2_MAGIC) and ENCRYPTED_OFFICE_FILE in content:
        raise UnreadableFile(
            f"{filename} is protected with a password, so carepay cannot open it: remove the "
            "password (in Excel: File > Info > Protect Workbook > Encrypt with Password, and "
            "clear it), save, and upload again."
        )
    if content.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        sheets = _workbook_sheets(content, filename, schemas)
        if content.startswith(ZIP_MAGIC):
            for _, sheet in sheets:
                _note_formula_cells(content, sheet, formula_notes)
    else:
        sheets = [_csv_sheet(content, filename, schemas)]
    tables = []
    for schema, sheet in sheets:
        table = _map_columns(sheet, filename, schema)
        table.findings[:0] = container_findings
        _warn_of_unsaved_formulas(table, sheet)
        tables.append(table)
    return tables


def _csv_sheet(
    content: bytes, filename: str, schemas: Sequence[TableSchema]
) -> tuple[TableSchema, SheetRead]:
    sheet = SheetRead("", _csv_rows(content, filename))
    sheet.head = [row for _, row in zip(range(HEADER_SEARCH_ROWS), sheet.rows, strict=False)]
    found = next((schema for schema in schemas if _has_header(sheet, schema)), schemas[0])
    return found, sheet


def _warn_of_unsaved_formulas(table: Table, sheet: SheetRead) -> None:
    read = {
        p for p, (_, key) in enumerate(table.columns) if key and not key.startswith(OTHER_COLUMN)
    }
    unsaved = [
        cell
        for cell, row in sheet.cells.unsaved_formulas
        if row >= table.first_data_row and _column_index(cell) - sheet.first_column in read
    ]
    if unsaved:
        shown = ", ".join(unsaved[:10]) + (" …" if len(unsaved) > 10 else "")
        table.findings.append(
            warning(
                "FILE",
                f"The formulas in {shown} have no saved result, so they were read as empty: "
                "open the file in your spreadsheet program, save it, and upload it again.",
            )
        )


_ELEMENT = {"sheet": re.compile(rb"<sheet\b[^>]*>"), "rel": re.compile(rb"<Relationship\b[^>]*>")}


def _attribute_pairs(xml: bytes, element: str, key: bytes, value: bytes) -> dict[bytes, bytes]:
    """{key attribute: value attribute} of each element, whatever order a writer put them in."""
    pairs = {}
    for tag in _ELEMENT[element].findall(xml):
        found_key = re.search(rb"\s" + key + rb'="([^"]*)"', tag)
        found_value = re.search(rb"\s" + value + rb'="([^"]*)"', tag)
        if found_key and found_value:
            pairs[found_key[1]] = found_value[1]
    return pairs


_UNSAVED_FORMULA = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)


def _column_index(reference: str) -> int:
    """0-based column of a cell reference: "C3" → 2."""
    index = 0
    for letter in reference.rstrip("0123456789"):
        index = index * 26 + ord(letter) - 64
    return index - 1


def _sheet_part_name(content: bytes, sheet_name: str) -> str | None:
    """The part holding an xlsx sheet's XML; None for an ods or parts named otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        sheets = _attribute_pairs(archive.read("xl/workbook.xml"), "sheet", b"name", b"r:id")
        targets = _attribute_pairs(
            archive.read("xl/_rels/workbook.xml.rels"), "rel", b"Id", b"Target"
        )
        target = targets[sheets[sheet_name.encode()]].decode().lstrip("/")
        return target if target.startswith("xl/") else f"xl/{target}"
    except (KeyError, zipfile.BadZipFile):
        return None


def formula_cells(part: bytes) -> CellNotes:
    """What readers give wrongly in an xlsx sheet's formula cells, from its XML (a 100,000-row
    sheet is ~30 MB of it): its errors, by column from A, and its formulas with no saved result."""
    return CellNotes(errors=error_cells(part), unsaved_formulas=formulas_without_results(part))


def _note_formula_cells(content: bytes, sheet: SheetRead, by_part: dict[str, CellNotes]) -> None:
    notes = by_part.get(_sheet_part_name(content, sheet.name) or "")
    if notes is None:
        return
    sheet.cells.errors = {
        (row, column - sheet.first_column): error for (row, column), error in notes.errors.items()
    }
    sheet.cells.unsaved_formulas = notes.unsaved_formulas


def formulas_without_results(part: bytes) -> list[tuple[str, int]]:
    """Cells of an xlsx sheet's XML holding a formula but no saved result: (reference, row
    number)."""
    if b"<f" not in part:
        return []  # no formulas at all: most providers' sheets, and cheaper than the pattern
    return [(f"{m[1].decode()}{m[2].decode()}", int(m[2])) for m in _UNSAVED_FORMULA.finditer(part)]


_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*\bt="e"[^>]*>(?:\s*<f\b[^>]*(?:/>|>[^<]*</f>))?\s*<v>([^<]*)</v>'
)


def error_cells(part: bytes) -> dict[tuple[int, int], str]:
    """An xlsx sheet's error cells (#DIV/0!, #REF! …), from its XML, which readers give as
    empty: {(row number, column from A, 0-based): the error}."""
    if b't="e"' not in part:
        return {}
    return {
        (int(m[2]), _column_index(m[1].decode())): m[3].decode(errors="replace")
        for m in _ERROR_CELL.finditer(part)
    }


@dataclass
class CellNotes:
    """What a reader gives wrongly for some cells, by (row number, column position)."""

    filled_down: set[tuple[int, int]] = field(default_factory=set)  # copied from a merged cell
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # #DIV/0! and the like
    unsaved_formulas: list[tuple[str, int]] = field(default_factory=list)  # (cell, row number)


@dataclass
class SheetRead:
    """The sheet a table is read from: its name, rows, first used column and notes on cells."""

    name: str
    rows: Iterator[Sequence[object]]
    first_column: int = 0
    cells: CellNotes = field(default_factory=CellNotes)
    head: list[Sequence[object]] = field(default_factory=list)


def _workbook_sheets(
    content: bytes, filename: str, schemas: Sequence[TableSchema]
) -> list[tuple[TableSchema, SheetRead]]:
    """The one visible sheet with each schema's header. A second one, or a claim only on a
    hidden sheet, is refused rather than read silently; with no header anywhere, the first
    visible sheet is read as the first schema, to say why."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        metadata = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        shown = [
            _sheet(workbook, m.name) for m in metadata if m.visible == SheetVisibleEnum.Visible
        ]
        hidden = [m.name for m in metadata if m.visible != SheetVisibleEnum.Visible]
        found = []
        for schema in schemas:
            claims = [read for read in shown if _has_header(read, schema)]
            if len(claims) > 1:
                names = " and ".join(f"'{claim.name}'" for claim in claims[:2])
                raise UnreadableFile(
                    f"{filename} has a claim on more than one sheet ({names}): put every row on "
                    "one sheet, or upload each sheet as its own file."
                )
            found += [(schema, claims[0])] if claims else []
        if found:
            return found
        hidden_claims = [name for name in hidden if _has_header(_sheet(workbook, name), schemas[0])]
        if hidden_claims:
            raise UnreadableFile(
                f"{filename}'s claim is on the hidden sheet '{hidden_claims[0]}': unhide it (or "
                "copy its rows to a visible sheet), save, and upload again."
            )
        if shown:
            return [(schemas[0], shown[0])]
    except UnreadableFile:
        raise
    except (CalamineError, ValueError, OSError) as exc:
        raise UnreadableFile(
            f"{filename} could not be read as a spreadsheet: it may be another kind of file "
            "renamed, or saved by a program carepay does not know. Open it in your spreadsheet "
            "program, save it as .xlsx or .csv, and upload that."
        ) from exc
    raise UnreadableFile(f"{filename} has no visible sheets: upload the completed claim form.")


def _sheet(workbook: Any, name: str) -> SheetRead:
    sheet = workbook.get_sheet_by_name(name)
    read = SheetRead(name, iter(()), (sheet.start or (0, 0))[1])
    rows = _merged_filled_down(
        sheet.iter_rows(), sheet.merged_cell_ranges, read.first_column, read.cells.filled_down
    )
    read.head = [row for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
    read.rows = rows
    return read


def _has_header(sheet: SheetRead, schema: TableSchema) -> bool:
    return _header_index(sheet.head, schema) is not None


def _merged_filled_down(
    rows: Iterable[Sequence[object]],
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] | None,
    first_column: int,
    filled: set[tuple[int, int]],
) -> Iterator[Sequence[object]]:
    """A merged cell's value on every row it spans, each copy noted in `filled` (row number,
    column position) so only the columns that may take it keep it (a Date merged down a week).

    Only downwards: a value is never copied sideways, so a merged title or header cannot make
    a column appear twice. Rows come from row 0; columns from the sheet's first used column.
    """
    if not merged:
        yield from rows
        return
    areas = [
        (r0, c0 - first_column, r1, c1 - first_column) for (r0, c0), (r1, c1) in merged if r1 > r0
    ]
    top_values: dict[tuple[int, int], object] = {}
    for index, row in enumerate(rows):
        covering = [area for area in areas if area[0] <= index <= area[2]]
        if not covering:
            yield row
            continue
        filled_row = list(row)
        for r0, c0, _, c1 in covering:
            for column in range(max(c0, 0), min(c1 + 1, len(filled_row))):
                if index == r0:
                    top_values[(r0, column)] = filled_row[column]
                elif filled_row[column] in ("", None):
                    filled_row[column] = top_values.get((r0, column), "")
                    filled.add((index + 1, column))
        yield filled_row


def _chain(
    head: Iterable[Sequence[object]], rest: Iterable[Sequence[object]]
) -> Iterator[Sequence[object]]:
    yield from head
    yield from rest


def _csv_rows(content: bytes, filename: str) -> Iterator[Sequence[object]]:
    content = _utf16_as_utf8(content)
    if b"\x00" in content[:4096] or content.lstrip()[:16].lower().startswith(OTHER_KINDS):
        raise UnreadableFile(
            f"{filename} is not a spreadsheet carepay can read: upload .xlsx, .xlsm, .xls, .ods "
            "or .csv."
        )
    _check_csv_shape(content, filename)
    csv.field_size_limit(MAX_LINE_BYTES)  # the lines are checked above; a cell is never longer
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    # Excel's "CSV" is comma- or semicolon-separated by locale, its "Unicode Text" tab-separated.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    return iter(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _utf16_as_utf8(content: bytes) -> bytes:
    """Text saved as UTF-16 (Excel's "Unicode Text"), re-encoded; anything else as it is."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        sample = content[:4096]
        if not sample or sample[1::2].count(0) < len(sample) // 3 or b"\x00" in sample[::2]:
            return content
        encoding = "utf-16-le"  # no byte order mark: every other byte is zero
    try:
        return content.decode(encoding).encode("utf-8")
    except UnicodeDecodeError:
        return content


def _check_csv_shape(content: bytes, filename: str) -> None:
    """Refuse before parsing what no claim is: too many lines, or a line too long to be a row."""
    lines = content.count(b"\n") + 1
    if lines > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
        raise UnreadableFile(
            f"{filename} has {lines:,} lines, more than the {MAX_DATA_ROWS:,} rows a file may "
            "have: split it into smaller files and upload each."
        )
    longest = max(enumerate(content.split(b"\n"), start=1), key=lambda line: len(line[1]))
    if len(longest[1]) > MAX_LINE_BYTES:
        raise UnreadableFile(
            f"Line {longest[0]} of {filename} is {len(longest[1]):,} characters long, more than "
            f"a row of a claim can be: a cell holds at most {MAX_CELL_CHARS:,} characters. "
            "Shorten it (or check the file is a claim saved as CSV) and upload again."
        )


def _header_index(head: Sequence[Sequence[object]], schema: TableSchema) -> int | None:
    for index, row in enumerate(head):
        keys = {schema.key_for(str(cell)) for cell in row if cell not in (None, "")}
        if set(schema.required) <= keys:
            return index
    return None


def _find_header(head: Sequence[Sequence[object]], filename: str, schema: TableSchema) -> int:
    """The header row's index in `head`, or why there is none, in words that say what to fix."""
    index = _header_index(head, schema)
    if index is not None:
        return index
    if not any(str(cell).strip() for row in head for cell in row):
        raise UnreadableFile(f"{filename} has no rows: upload the completed file again.")
    best = max(head, key=lambda row: sum(1 for c in row if schema.key_for(str(c))), default=[])
    found = {schema.key_for(str(cell)) for cell in best} - {None}
    if len(found) < 2:
        raise UnreadableFile(
            f"carepay found no header row in the first {HEADER_SEARCH_ROWS} rows of {filename}: "
            f"the row naming the columns ({', '.join(schema.required.values())} …) must be one "
            "of them. Check this is the claim file, delete any rows above the header, and "
            "upload again."
        )
    missing = [label for key, label in schema.required.items() if key not in found]
    raise UnreadableFile(
        f"{filename} is missing the required column{'s' if len(missing) > 1 else ''} "
        f"{', '.join(repr(m) for m in missing)}: add "
        f"{'them' if len(missing) > 1 else 'it'} to the header row and upload again."
    )


def _column_keys(
    header: Sequence[object], filename: str, schema: TableSchema
) -> tuple[list[tuple[str, str | None]], list[Finding]]:
    """Each heading with the key it is read as (None when dropped), and what to say about them.
    Two headings for one key are refused: carepay cannot know which the provider meant."""
    columns: list[tuple[str, str | None]] = []
    findings: list[Finding] = []
    first_heading: dict[str, str] = {}
    for cell in header:
        title = visible(str(cell)).strip() if cell is not None else ""
        normalised = normalise_header(title)
        key = schema.aliases.get(normalised)
        if schema.holds_names(normalised):
            findings.append(
                warning(
                    "V9",
                    f"Column '{title}' holds people's names: names are not needed and were not "
                    "stored; the SS Ref identifies the person.",
                    title,
                )
            )
            key = None
        elif key is None and normalised and normalised not in schema.ignored:
            findings.append(
                warning(
                    "FILE", f"Column '{title}' is not one carepay uses, so it was ignored.", title
                )
            )
            key = OTHER_COLUMN + title  # kept only to be repeated in the feedback
        elif key is not None and key in first_heading:
            raise UnreadableFile(
                f"{filename} has two columns for the same thing, '{first_heading[key]}' and "
                f"'{title}', so carepay cannot tell which one you meant: delete one of them and "
                "upload again."
            )
        elif key is not None:
            first_heading[key] = title
        columns.append((title, key))
    return columns, findings


def _map_columns(sheet: SheetRead, filename: str, schema: TableSchema) -> Table:
    head = sheet.head or [
        row for _, row in zip(range(HEADER_SEARCH_ROWS), sheet.rows, strict=False)
    ]
    index = _find_header(head, filename, schema)
    header = head[index]
    width = max((p + 1 for p, cell in enumerate(header) if cell not in (None, "")), default=0)
    if width > MAX_COLUMNS:
        raise UnreadableFile(
            f"{filename}'s header row has {width} columns, more than the {MAX_COLUMNS} carepay "
            "reads: keep the claim's columns (SS Ref, Date, Weekly Actual Quantity …), delete "
            "the others, and upload again."
        )
    columns, findings = _column_keys(header[:width], filename, schema)
    table = Table(
        columns=columns,
        rows=iter(()),
        findings=findings,
        sheet_name=sheet.name,
        declared=bool(schema.declaration_label)
        and _declared(head[:index], schema.declaration_label),
        first_data_row=index + 2,  # 1-based row numbers, as the provider sees them
        schema=schema.name,
    )
    table.rows = _data_rows(
        _chain(head[index + 1 :], sheet.rows), table, filename, schema, sheet.cells
    )
    return table


SHARED_TEXTS = 20_000


def _data_rows(
    raw_rows: Iterator[Sequence[object]],
    table: Table,
    filename: str,
    schema: TableSchema,
    notes: CellNotes,
) -> Iterator[SheetRow]:
    keyed = [(position, key) for position, (_, key) in enumerate(table.columns) if key is not None]
    width = len(table.columns)
    noted_rows = {row for row, _ in notes.filled_down} | {row for row, _ in notes.errors}
    merged_into: dict[str, list[int]] = {}
    data_rows = 0
    # A claim repeats its dates, services and quantities on every row: each text is kept once
    # (a 100,000-row file's cells are ~28 MB of text otherwise), and an empty cell not at all.
    # Bounded, so a file of texts that never repeat costs no more than it did.
    texts: dict[str, str] = {}
    shared = texts.setdefault
    for number, raw in enumerate(raw_rows, start=table.first_data_row):
        # any() alone would also skip a row of zeros, so only a row it calls empty is looked at again
        if not any(raw) and all(cell in ("", None) for cell in raw):
            continue
        data_rows += 1
        if data_rows > MAX_DATA_ROWS:
            raise UnreadableFile(
                f"{filename} has more than {MAX_DATA_ROWS:,} rows: split it into smaller "
                "files and upload each."
            )
        if len(raw) < width:
            raw = [*raw, *([""] * (width - len(raw)))]
        if len(texts) > SHARED_TEXTS:
            texts.clear()
        cells: dict[str, object] = {}
        for position, key in keyed:
            value = raw[position]
            if type(value) is str:
                if value:
                    cells[key] = shared(value, value)
            elif value is not None:
                cells[key] = value
        if number in noted_rows:
            for position, key in keyed:
                if (number, position) in notes.errors:
                    cells[key] = notes.errors[(number, position)]  # shown back as the error
                elif (number, position) in notes.filled_down and key not in schema.fill_down:
                    cells[key] = None  # a merged value belongs to its first row only
                    merged_into.setdefault(table.columns[position][0], []).append(number)
        yield SheetRow(number, cells)
    for title, numbers in merged_into.items():
        table.findings.append(
            warning(
                "FILE",
                f"'{title}' is one cell merged down over row {', '.join(map(str, numbers))}: "
                "its value was read for the merge's first row only. Unmerge it, type the value "
                "on each row it applies to, and upload again.",
                title,
            )
        )


def _declared(title_rows: Sequence[Sequence[object]], label: str) -> bool:
    """True when the cell after `label`, in the rows above the header, says Y."""
    wanted = normalise_header(label)
    for row in title_rows:
        cells = [c for c in row if c not in (None, "")]
        for position, cell in enumerate(cells[:-1]):
            if normalise_header(cell) == wanted:
                return str(cells[position + 1]).strip().lower() in ("y", "yes", "true", "1")
    return False
