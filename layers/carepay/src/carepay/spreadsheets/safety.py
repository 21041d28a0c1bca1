"""Provider files are untrusted: look inside the container before any parser does.

An xlsx, xlsm or ods is a zip of XML parts. Refused, with a message, before reading:
  - a zip bomb: more uncompressed data than any claim needs, or an absurd compression ratio;
  - an XML bomb: a DTD or entity declaration in any part (Office files never carry one);
  - external links: formulas that would fetch data from other workbooks or the network.
Macros (.xlsm's vbaProject.bin) are never run; values are read and the provider is told so.
"""

from __future__ import annotations

import io
import re
import zipfile

from carepay.domain.findings import Finding, warning

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
MAX_PARTS = 2_000
XML_HEAD_BYTES = 4096  # a DTD must come before the root element: the head of a part is enough
DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsafeFile(ValueError):
    """The file is refused whole, for the reason given."""


def inspect_container(content: bytes, filename: str) -> list[Finding]:
    """Raise UnsafeFile for a file that must not be parsed; return warnings for one that may."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnsafeFile(
            f"{filename} is damaged ({exc}): save it again as .xlsx and upload it."
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
                if DECLARATION.search(part.read(XML_HEAD_BYTES)):
                    raise UnsafeFile(
                        f"{filename} contains XML declarations no spreadsheet program writes "
                        f"(in {member.filename}): it was not read. Save the claim again and upload that."
                    )
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return [
            warning(
                "FILE",
                f"{filename} contains macros: carepay never runs them and read only the values "
                "in the cells. You can save the claim as .xlsx instead.",
            )
        ]
    return []
