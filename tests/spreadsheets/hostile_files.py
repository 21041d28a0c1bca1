"""Hostile or awkward spreadsheets, built from a valid claim so only the hostile part differs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

CLAIM = (
    Path(__file__).resolve().parents[2]
    / "spreadsheets"
    / "samples"
    / "P001-claim-w-c-2026-11-09.xlsx"
)

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
