"""What every workbook carepay writes has in common: text never runs, wrapped text gets its height."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

# A cell whose text starts with one of these would be read as a formula (CSV/formula injection).
TEXT_THAT_WOULD_RUN = ("=", "+", "-", "@", "\t", "\r")
LINE_HEIGHT = 15  # points, for the default 11 pt font


def wrapped_lines(text: str, width: int) -> int:
    """How many lines `text` takes in a wrapped column `width` characters wide (roughly)."""
    return sum(max(1, -(-len(paragraph) // width)) for paragraph in text.split("\n")) if text else 1


def print_on_a4(
    sheet: Any, heading: str, *, landscape: bool = True, title_rows: str | None = None
) -> None:
    """A4, one page wide however many long, the heading rows on every page, and who and what
    at the top of each page with "page x of y" at the foot, as a reader filing it expects."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddHeader.center.text = heading.replace("&", "&&")[:200]  # & starts a field code
    sheet.oddFooter.center.text = "Page &P of &N"


def column_letter(number: int) -> str:
    """1 → A, 27 → AA (openpyxl has one, but importing openpyxl costs every handler's start-up)."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def put(cell: Any, value: object) -> Any:
    """Assign a value; text that would run as a formula (=, +, -, @ …) stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(TEXT_THAT_WOULD_RUN):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def csv_text(value: object) -> object:
    """A CSV cell Excel would run as a formula is prefixed with an apostrophe (numbers are not)."""
    if isinstance(value, str) and value.startswith(TEXT_THAT_WOULD_RUN):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def stable_xlsx(workbook: Any, moment: datetime) -> bytes:
    """Save a workbook so that the same content gives the same bytes: every zip entry and the
    document's created/modified times are `moment`, not the clock at saving."""
    saved = io.BytesIO()
    workbook.save(saved)
    stamp = moment.astimezone(UTC)
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    stable = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(saved.getvalue())) as source,
        zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + when + rb"\g<2>", content)
            info = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return stable.getvalue()
