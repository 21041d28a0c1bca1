"""Hostile or awkward spreadsheets, built from a valid claim so only the hostile part differs."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "spreadsheets" / "samples"
CLAIM = SAMPLES / "P001-claim-w-c-2026-11-09.xlsx"

BILLION_LAUGHS_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";" if n > 1 else "&lol;") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b"]>"
)


def with_parts(
    replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The sample claim with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(CLAIM.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(
                member.filename, (replace or {}).get(member.filename, source.read(member))
            )
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    return with_parts(add={"xl/media/padding.bin": b"\0" * (30 * 1024 * 1024)})


def xml_bomb() -> bytes:
    """The claim's worksheet with a billion-laughs DTD in front of it."""
    sheet = "xl/worksheets/sheet1.xml"
    original = zipfile.ZipFile(io.BytesIO(CLAIM.read_bytes())).read(sheet)
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    return with_parts(replace={sheet: BILLION_LAUGHS_DTD + body})


def external_link() -> bytes:
    return with_parts(add={"xl/externalLinks/externalLink1.xml": b'<externalLink xmlns="x"/>'})


def with_macros() -> bytes:
    return with_parts(add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 pretend macros"})


def _sheet_xml() -> bytes:
    return zipfile.ZipFile(io.BytesIO(CLAIM.read_bytes())).read("xl/worksheets/sheet1.xml")


def far_cell(reference: str = "XFD1048576", dimension: str | None = None) -> bytes:
    """The claim with one more cell, far away: 2 KB that would ask a reader for its whole grid.
    With `dimension`, the sheet's declared extent lies about it."""
    sheet = _sheet_xml().replace(
        b"</sheetData>",
        f'<row r="{reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
        f'<c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'.encode(),
    )
    if dimension is not None:
        sheet = re.sub(
            rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), sheet
        )
    return with_parts(replace={"xl/worksheets/sheet1.xml": sheet})


def with_rows(rows: bytes) -> bytes:
    """The claim with these rows' XML added at the end of its sheet, written as given."""
    sheet = _sheet_xml().replace(b"</sheetData>", rows + b"</sheetData>")
    return with_parts(replace={"xl/worksheets/sheet1.xml": sheet})


def bit_flipped() -> bytes:
    """A byte of the worksheet's compressed data changed, as a bad disk or transfer does."""
    content = bytearray(CLAIM.read_bytes())
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    member = archive.getinfo("xl/worksheets/sheet1.xml")
    data_start = member.header_offset + 30 + len(member.filename) + len(member.extra)
    for offset in range(data_start + 10, data_start + 30):
        content[offset] ^= 0xFF
    return bytes(content)


def lying_sizes() -> bytes:
    """The worksheet's headers (local and central) claim another CRC than its data has."""
    content = bytearray(CLAIM.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, name_offset, crc_offset in ((b"PK\x03\x04", 30, 14), (b"PK\x01\x02", 46, 16)):
        position = content.find(signature)
        while position >= 0:
            if content[position + name_offset : position + name_offset + len(name)] == name:
                content[position + crc_offset : position + crc_offset + 4] = b"\x01\x02\x03\x04"
            position = content.find(signature, position + 1)
    return bytes(content)


def ods_repeated_row(times: int, repeated: str = 'table:number-rows-repeated="{times}"') -> bytes:
    """The ods claim with one more row, its value repeated `times` rows down (`repeated`: how
    the attribute is written)."""
    row = (
        f"<table:table-row {repeated.format(times=times)}><table:table-cell "
        'office:value-type="string" calcext:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    ).encode()
    return ods_with_row(row)


def ods_with_row(row: bytes) -> bytes:
    """The ods claim with this row's XML added to its table."""
    source = zipfile.ZipFile(SAMPLES / "P001-claim-w-c-2026-11-09.ods")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            part = source.read(member)
            if member.filename == "content.xml":
                part = part.replace(b"</table:table>", row + b"</table:table>", 1)
            target.writestr(member, part)
    return buffer.getvalue()
