"""Reading what providers really send: encodings, separators, title rows, blank rows."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from carepay.spreadsheets.reading import OTHER_COLUMN, UnreadableFile, read_table
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD, CARE_PACKAGES
from openpyxl import Workbook

HEADER = "SS Ref,Date,Weekly Actual Quantity,Comments"


def rows_of(content: bytes, name: str = "claim.csv") -> list[dict[str, object]]:
    return [dict(row.cells) for row in read_table(content, name, ACTUALS_UPLOAD).rows]


def test_utf8_with_a_byte_order_mark_is_read() -> None:
    content = ("\ufeff" + HEADER + "\nSS1,09/11/2026,5,Café visit\n").encode()
    assert rows_of(content) == [
        {"ss_ref": "SS1", "date": "09/11/2026", "actual": "5", "comments": "Café visit"}
    ]


def test_a_cp1252_file_from_excel_keeps_its_pound_signs_and_dashes() -> None:
    content = (HEADER + "\nSS1,09/11/2026,5,£5 taxi – paid\n").encode("cp1252")
    assert rows_of(content)[0]["comments"] == "£5 taxi – paid"


def test_semicolon_separated_files_are_read() -> None:
    content = b"SS Ref;Date;Weekly Actual Quantity\r\nSS1;2026-11-09;5,5\r\n"
    assert rows_of(content)[0] == {"ss_ref": "SS1", "date": "2026-11-09", "actual": "5,5"}


def test_headers_match_whatever_their_case_and_spacing() -> None:
    content = b"  ss  REF ,date,weekly actual quantity\nSS1,2026-11-09,5\n"
    assert rows_of(content)[0]["ss_ref"] == "SS1"


def test_row_numbers_are_those_the_provider_sees_and_blank_rows_are_skipped() -> None:
    content = (HEADER + "\n\nSS1,2026-11-09,5,\n,,,\nSS2,2026-11-09,5,\n").encode()
    table = read_table(content, "claim.csv", ACTUALS_UPLOAD)
    assert [row.row_number for row in table.rows] == [3, 5]


def test_a_workbook_with_title_rows_and_a_second_sheet_is_read_from_its_header() -> None:
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "Read me"
    cover.append(["Instructions only"])
    claim = workbook.create_sheet("Claim")
    claim.append(["Acme Home Care: weekly claim"])
    claim.append([])
    claim.append(["SS Ref", "Date", "Weekly Actual Quantity", "Notes to self"])
    claim.append(["SS1", datetime(2026, 11, 9), 5.25, "x"])  # noqa: DTZ001 - a date cell has no zone
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "claim.xlsx", ACTUALS_UPLOAD)
    [row] = list(table.rows)
    assert table.sheet_name == "Claim" and row.row_number == 4  # title, blank, header, then this
    assert row.cells["ss_ref"] == "SS1" and row.cells["actual"] == 5.25
    assert row.cells["date"] in (date(2026, 11, 9), datetime(2026, 11, 9))  # noqa: DTZ001
    assert row.cells[OTHER_COLUMN + "Notes to self"] == "x"
    assert [f.code for f in table.findings] == ["FILE"]


@pytest.mark.parametrize(
    "column",
    [
        "Name",
        "Client Name",
        "service user",
        "Surname",
        "Forename",
        "Client Full Name",
        "Customer Name",
        "Resident",
        "Service User's Name",
        "Patient",
    ],
)
def test_a_names_column_is_dropped_on_reading(column: str) -> None:
    content = (
        f"SS Ref,{column},Date,Weekly Actual Quantity\nSS1,Mavis Ogbonna,2026-11-09,5\n".encode()
    )
    table = read_table(content, "claim.csv", ACTUALS_UPLOAD)
    assert "Mavis Ogbonna" not in repr(list(table.rows))
    assert [f.code for f in table.findings] == ["V9"]


def test_a_care_package_file_without_a_required_column_is_refused_naming_it() -> None:
    with pytest.raises(UnreadableFile, match="'Unit Rate'"):
        read_table(
            b"Provider Ref,Line Ref,SS Ref,Service Type,Service Level,Unit,Planned Quantity,Start Date\n",
            "export.csv",
            CARE_PACKAGES,
        )


def test_a_row_of_zeros_is_not_mistaken_for_a_blank_row() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["SS Ref", "Date", "Weekly Actual Quantity"])
    sheet.append([None, 0, 0])
    sheet.append([None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = list(read_table(buffer.getvalue(), "claim.xlsx", ACTUALS_UPLOAD).rows)
    assert [(row.row_number, row.cells["actual"]) for row in rows] == [(2, 0)]


def _with_formula(saved_result: bytes) -> bytes:
    """A claim whose Actual is the formula =2+3, saved with or without its result."""
    import zipfile

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Totals", None, "=SUM(C3:C3)"])  # above the header: never reported
    sheet.append(["SS Ref", "Date", "Weekly Actual Quantity"])
    sheet.append(["SS1", "09/11/2026", "=2+3"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    rewritten = io.BytesIO()
    with zipfile.ZipFile(rewritten, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                part = part.replace(b"<f>2+3</f><v></v>", b"<f>2+3</f><v>" + saved_result + b"</v>")
            target.writestr(name, part)
    return rewritten.getvalue()


def test_a_formula_is_read_as_the_result_the_spreadsheet_saved() -> None:
    table = read_table(_with_formula(b"5"), "claim.xlsx", ACTUALS_UPLOAD)
    assert [row.cells["actual"] for row in table.rows] == [5.0]
    assert table.findings == []


def test_a_formula_with_no_saved_result_is_read_as_empty_and_the_provider_is_told() -> None:
    table = read_table(_with_formula(b""), "claim.xlsx", ACTUALS_UPLOAD)
    assert [row.cells.get("actual") for row in table.rows] == [None]
    [finding] = table.findings
    assert "C3" in finding.message and "save it, and upload it again" in finding.message


@pytest.mark.parametrize("column", ["Provider Name", "Care Home Name", "Client Ref", "Service"])
def test_a_heading_naming_an_organisation_or_an_identifier_is_not_taken_for_names(
    column: str,
) -> None:
    content = f"SS Ref,{column},Date,Weekly Actual Quantity\nSS1,Acme,2026-11-09,5\n".encode()
    table = read_table(content, "claim.csv", ACTUALS_UPLOAD)
    assert "V9" not in [f.code for f in table.findings]
