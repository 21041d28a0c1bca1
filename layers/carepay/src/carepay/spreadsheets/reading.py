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

from carepay.domain.findings import Finding, warning
from carepay.domain.rows import MAX_CELL_CHARS, SheetRow
from carepay.spreadsheets.safety import UnsafeFile, inspect_container

# What one invocation can read, check and explain well within its time and memory: checked
# before reading (bytes; a CSV's lines; a workbook's extent) and while reading (rows).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DATA_ROWS = 100_000
MAX_COLUMNS = 78  # A to BZ: a claim form has about 16
MAX_LINE_BYTES = 128 * 1024  # a CSV line: 78 cells of up to 1,000 characters fit easily
HEADER_SEARCH_ROWS = 20
OTHER_COLUMN = "other:"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
    return " ".join(str(text).lower().replace("_", " ").split()) if text is not None else ""


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


def too_large(filename: str, size: int) -> str:
    return (
        f"{filename} is {size / (1024 * 1024):.0f} MB, over the "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB a file may be: split it into smaller files "
        f"(up to {MAX_DATA_ROWS:,} rows each) and upload each."
    )


def read_table(content: bytes, filename: str, schema: TableSchema) -> Table:
    if not content.strip():
        raise UnreadableFile(f"{filename} is empty: upload the completed file again.")
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableFile(too_large(filename, len(content)))
    try:
        return _read_table(content, filename, schema)
    except (zlib.error, zipfile.BadZipFile, EOFError) as damaged:
        raise UnreadableFile(
            f"{filename} is damaged: the spreadsheet inside it does not check out ({damaged}). "
            "Open it in your spreadsheet program, save it again as .xlsx, and upload that."
        ) from damaged


def _read_table(content: bytes, filename: str, schema: TableSchema) -> Table:
    container_findings: list[Finding] = []
    if content.startswith(ZIP_MAGIC):
        try:
            container_findings = inspect_container(content, filename)
        except UnsafeFile as unsafe:
            raise UnreadableFile(str(unsafe)) from unsafe
    first_column = 0
    if content.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        sheet_name, raw_rows, first_column = _workbook_rows(content, filename, schema)
    else:
        sheet_name, raw_rows = "", _csv_rows(content, filename)
    table = _map_columns(raw_rows, filename, schema)
    table.sheet_name = sheet_name
    table.findings[:0] = container_findings
    if content.startswith(ZIP_MAGIC):
        read = {
            p
            for p, (_, key) in enumerate(table.columns)
            if key and not key.startswith(OTHER_COLUMN)
        }
        unsaved = [
            cell
            for cell, row in formulas_without_results(content, sheet_name)
            if row >= table.first_data_row and _column_index(cell) - first_column in read
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
    return table


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


def formulas_without_results(content: bytes, sheet_name: str) -> list[tuple[str, int]]:
    """Cells of an xlsx sheet holding a formula but no saved result: (reference, row number)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        sheets = _attribute_pairs(archive.read("xl/workbook.xml"), "sheet", b"name", b"r:id")
        targets = _attribute_pairs(
            archive.read("xl/_rels/workbook.xml.rels"), "rel", b"Id", b"Target"
        )
        target = targets[sheets[sheet_name.encode()]].decode().lstrip("/")
        part = archive.read(target if target.startswith("xl/") else f"xl/{target}")
    except (KeyError, zipfile.BadZipFile):
        return []  # not an xlsx (an ods), or parts named otherwise: nothing to say
    if b"<f" not in part:
        return []  # no formulas at all: most providers' sheets, and cheaper than the pattern
    return [(f"{m[1].decode()}{m[2].decode()}", int(m[2])) for m in _UNSAVED_FORMULA.finditer(part)]


def _workbook_rows(
    content: bytes, filename: str, schema: TableSchema
) -> tuple[str, Iterator[Sequence[object]], int]:
    """The sheet with the header: its name, its rows, and its first used column (0-based)."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet_names: list[str] = list(workbook.sheet_names)
        # The sheet with the header is the one to read; without one, the first sheet says why.
        for name in sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            rows = _merged_filled_down(sheet.iter_rows(), sheet.merged_cell_ranges, sheet.start)
            head = [row for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
            if _header_index(head, schema) is not None or name == sheet_names[-1]:
                return name, _chain(head, rows), (sheet.start or (0, 0))[1]
    except (CalamineError, ValueError, OSError) as exc:
        raise UnreadableFile(
            f"{filename} could not be read as a spreadsheet ({exc}): save it as .xlsx or .csv "
            "and upload it again."
        ) from exc
    raise UnreadableFile(f"{filename} has no sheets: upload the completed claim form.")


def _merged_filled_down(
    rows: Iterable[Sequence[object]],
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] | None,
    start: tuple[int, int] | None,
) -> Iterator[Sequence[object]]:
    """A merged cell's value on every row it spans (a Date merged down a block of rows).

    Only downwards: a value is never copied sideways, so a merged title or header cannot make
    a column appear twice. Rows come from row 0; columns from the sheet's first used column.
    """
    if not merged:
        yield from rows
        return
    first_column = start[1] if start else 0
    areas = [
        (r0, c0 - first_column, r1, c1 - first_column) for (r0, c0), (r1, c1) in merged if r1 > r0
    ]
    top_values: dict[tuple[int, int], object] = {}
    for index, row in enumerate(rows):
        covering = [area for area in areas if area[0] <= index <= area[2]]
        if not covering:
            yield row
            continue
        filled = list(row)
        for r0, c0, _, c1 in covering:
            for column in range(max(c0, 0), min(c1 + 1, len(filled))):
                if index == r0:
                    top_values[(r0, column)] = filled[column]
                elif filled[column] in ("", None):
                    filled[column] = top_values.get((r0, column), "")
        yield filled


def _chain(
    head: Iterable[Sequence[object]], rest: Iterable[Sequence[object]]
) -> Iterator[Sequence[object]]:
    yield from head
    yield from rest


def _csv_rows(content: bytes, filename: str) -> Iterator[Sequence[object]]:
    if b"\x00" in content[:4096]:
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
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return iter(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


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


def _map_columns(raw_rows: Iterator[Sequence[object]], filename: str, schema: TableSchema) -> Table:
    head = [row for _, row in zip(range(HEADER_SEARCH_ROWS), raw_rows, strict=False)]
    index = _header_index(head, schema)
    if index is None:
        best = max(head, key=lambda row: sum(1 for c in row if schema.key_for(str(c))), default=[])
        found = {schema.key_for(str(cell)) for cell in best}
        missing = [label for key, label in schema.required.items() if key not in found]
        if not any(str(cell).strip() for row in head for cell in row):
            raise UnreadableFile(f"{filename} has no rows: upload the completed file again.")
        raise UnreadableFile(
            f"{filename} is missing the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)}: add "
            f"{'them' if len(missing) > 1 else 'it'} to the header row and upload again."
        )
    header = head[index]
    width = max((p + 1 for p, cell in enumerate(header) if cell not in (None, "")), default=0)
    if width > MAX_COLUMNS:
        raise UnreadableFile(
            f"{filename}'s header row has {width} columns, more than the {MAX_COLUMNS} carepay "
            "reads: keep the claim's columns (SS Ref, Date, Weekly Actual Quantity …), delete "
            "the others, and upload again."
        )
    header = header[:width]
    columns: list[tuple[str, str | None]] = []
    findings: list[Finding] = []
    for cell in header:
        title = str(cell).strip() if cell is not None else ""
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
        columns.append((title, key))
    first_data_row = index + 2  # 1-based row numbers, as the provider sees them in their sheet
    declared = bool(schema.declaration_label) and _declared(head[:index], schema.declaration_label)

    def rows() -> Iterator[SheetRow]:
        keyed = [(position, key) for position, (_, key) in enumerate(columns) if key is not None]
        width = len(columns)
        data_rows = 0
        for number, raw in enumerate(_chain(head[index + 1 :], raw_rows), start=first_data_row):
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
            yield SheetRow(
                number,
                {key: (None if raw[p] == "" else raw[p]) for p, key in keyed},
            )

    return Table(
        columns=columns,
        rows=rows(),
        findings=findings,
        declared=declared,
        first_data_row=first_data_row,
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
