"""The corpus: awkward-but-valid and invalid files providers really send, each with its result.

Every case is checked against Acme Home Care's plan (spreadsheets/samples/care-packages.csv):
"read" cases give the accepted and rejected row counts shown; "refused" cases are refused whole
with a message containing the words shown, and nothing of them is stored.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from carepay.domain.actuals import ValidationContext, validate_rows
from carepay.domain.care_packages import read_care_packages
from carepay.domain.service_lines import ProviderPlan
from carepay.domain.weeks import LONDON
from carepay.spreadsheets.reading import MAX_FILE_BYTES, UnreadableFile, read_table
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD, CARE_PACKAGES
from tests.spreadsheets.hostile_files import external_link, with_macros, xml_bomb, zip_bomb

SAMPLES = Path(__file__).resolve().parents[2] / "spreadsheets" / "samples"
HEADER = ["SS Ref", "Date", "Weekly Actual Quantity", "Weekly Missed Quantity", "Comments"]
AS_PLANNED = ["SS1009", "09/11/2026", "5", "", ""]
LEFT_EARLY = ["SS1003", "09/11/2026", "4.75", "0.25", "Left early"]


def csv_of(
    rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8", newline: str = "\n"
) -> bytes:
    return newline.join(delimiter.join(row) for row in rows).encode(encoding) + newline.encode()


def xlsx_of(
    *rows: list[object],
    before: list[list[object]] | None = None,
    sheets: int = 1,
    merge: str = "",
    hide: int = 0,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for _ in range(sheets - 1):
        sheet.append(["Cover sheet: see the next tab"])
        sheet = workbook.create_sheet("Claim")
    for row in [*(before or []), *rows]:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if hide:
        sheet.row_dimensions[hide].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sample(name: str) -> Callable[[], bytes]:
    return lambda: (SAMPLES / name).read_bytes()


MONDAY = datetime(2026, 11, 9)  # noqa: DTZ001 - a date cell, as a spreadsheet stores it
# (name, file, expected): expected is (accepted, rejected) when read, or the refusal's words.
CORPUS: list[tuple[str, Callable[[], bytes], tuple[int, int] | str]] = [
    ("csv, UTF-8", lambda: csv_of([HEADER, AS_PLANNED, LEFT_EARLY]), (2, 0)),
    (
        "csv, UTF-8 with a byte order mark",
        lambda: b"\xef\xbb\xbf" + csv_of([HEADER, AS_PLANNED]),
        (1, 0),
    ),
    (
        "csv, cp1252 from Excel (£ and dashes)",
        lambda: csv_of([HEADER, [*LEFT_EARLY[:4], "Left early – £0 taxi"]], encoding="cp1252"),
        (1, 0),
    ),
    (
        "csv, semicolons and decimal commas",
        lambda: csv_of([HEADER, ["SS1003", "09/11/2026", "4,75", "0,25", "Left early"]], ";"),
        (1, 0),
    ),
    (
        "csv, Windows line endings",
        lambda: csv_of([HEADER, AS_PLANNED, LEFT_EARLY], newline="\r\n"),
        (2, 0),
    ),
    ("csv saved with an .xlsx name", lambda: csv_of([HEADER, AS_PLANNED]), (1, 0)),
    (
        "csv, headers in odd case and spacing",
        lambda: csv_of(
            [["ss  ref", " DATE ", "weekly actual quantity"], ["SS1009", "2026-11-09", "5"]]
        ),
        (1, 0),
    ),
    (
        "csv, trailing spaces in values",
        lambda: csv_of([HEADER, ["SS1009 ", " 09/11/2026 ", " 5 ", "", ""]]),
        (1, 0),
    ),
    (
        "csv, blank rows between rows",
        lambda: csv_of([HEADER, AS_PLANNED, ["", "", "", "", ""], LEFT_EARLY]),
        (2, 0),
    ),
    (
        "csv, a row needing a comment without one",
        lambda: csv_of([HEADER, ["SS1003", "09/11/2026", "4", "1", ""]]),
        (0, 1),
    ),
    (
        "xlsx, title rows above the header",
        lambda: xlsx_of(HEADER, AS_PLANNED, before=[["Acme: weekly claim"], []]),
        (1, 0),
    ),
    ("xlsx, the header on the second sheet", lambda: xlsx_of(HEADER, AS_PLANNED, sheets=2), (1, 0)),
    (
        "xlsx, numbers stored as text",
        lambda: xlsx_of(HEADER, ["SS1003", MONDAY, " 4.75 ", "0.25", "Left early"]),
        (1, 0),
    ),
    ("xlsx, real date cells", lambda: xlsx_of(HEADER, ["SS1009", MONDAY, 5]), (1, 0)),
    (
        "xlsx, a date serial that lost its format",
        lambda: xlsx_of(HEADER, ["SS1009", 46335, 5]),
        (1, 0),
    ),
    ("xlsx, text dates YYYY/MM/DD", lambda: xlsx_of(HEADER, ["SS1009", "2026/11/09", 5]), (1, 0)),
    (
        "xlsx, a date merged down two rows",
        lambda: xlsx_of(
            HEADER, ["SS1009", MONDAY, 5], ["SS1003", None, 4.75, 0.25, "Left early"], merge="B2:B3"
        ),
        (2, 0),
    ),
    (
        "xlsx, a hidden row (still read)",
        lambda: xlsx_of(HEADER, AS_PLANNED, LEFT_EARLY, hide=3),
        (2, 0),
    ),
    ("xlsx from the demo", sample("P001-claim-w-c-2026-11-09.xlsx"), (9, 3)),
    ("xls (Excel 97-2003)", sample("P001-claim-w-c-2026-11-09.xls"), (9, 3)),
    ("ods (LibreOffice)", sample("P001-claim-w-c-2026-11-09.ods"), (9, 3)),
    ("xlsm without macros", sample("P001-claim-w-c-2026-11-09.xlsm"), (9, 3)),
    ("xlsm with macros: values read, macros never run", with_macros, (9, 3)),
    ("empty file", lambda: b"", "is empty"),
    ("a PDF", lambda: b"%PDF-1.7\x00\x01 binary", "is not a spreadsheet"),
    ("a PNG renamed .xlsx", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a spreadsheet"),
    (
        "no Weekly Actual Quantity column",
        lambda: csv_of([["SS Ref", "Date"], ["SS1009", "09/11/2026"]]),
        "missing the required column 'Weekly Actual Quantity'",
    ),
    # Read as no rows; the upload is then refused whole (tests/e2e/test_bad_files.py).
    ("a header and no rows", lambda: csv_of([HEADER]), (0, 0)),
    ("a damaged zip", lambda: b"PK\x03\x04 truncated", "is damaged"),
    ("a zip bomb", zip_bomb, "far more than any claim form"),
    ("an XML bomb", xml_bomb, "XML declarations"),
    ("external links", external_link, "external links"),
    (
        "over the size limit",
        lambda: csv_of([HEADER]) + b"x" * MAX_FILE_BYTES,
        "split it into smaller files",
    ),
]


def acme() -> ProviderPlan:
    table = read_table(
        (SAMPLES / "care-packages.csv").read_bytes(), "care-packages.csv", CARE_PACKAGES
    )
    return ProviderPlan("P001", read_care_packages(table.rows).versions)


def test_the_corpus_holds_at_least_25_files() -> None:
    assert len(CORPUS) >= 25


@pytest.mark.parametrize(("name", "make", "expected"), CORPUS, ids=[case[0] for case in CORPUS])
def test_each_file_in_the_corpus_gives_its_documented_result(
    name: str, make: Callable[[], bytes], expected: tuple[int, int] | str
) -> None:
    filename = "claim.xlsx" if "xlsx" in name else "claim.csv"
    if isinstance(expected, str):
        with pytest.raises(UnreadableFile, match=expected.replace("(", r"\(").replace(")", r"\)")):
            read_table(make(), filename, ACTUALS_UPLOAD)
        return
    rows = list(read_table(make(), filename, ACTUALS_UPLOAD).rows)
    context = ValidationContext("P001", acme(), datetime(2026, 11, 16, 9, 30, tzinfo=LONDON))
    outcomes = validate_rows(rows, context)
    accepted = sum(o.accepted for o in outcomes)
    assert (accepted, len(outcomes) - accepted) == expected, [
        (o.row_number, o.errors) for o in outcomes
    ]
    assert all(o.week == date(2026, 11, 9) for o in outcomes if o.accepted)
