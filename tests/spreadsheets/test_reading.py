"""Reading what providers really send: encodings, separators, title rows, blank rows."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from carepay.spreadsheets.reading import OTHER_COLUMN, UnreadableFile, read_table
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD, CARE_PACKAGES
from tests.corpus.files import error_cell, xlsx_sheets

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


def test_a_text_repeated_down_a_file_is_kept_once_and_an_empty_cell_not_at_all() -> None:
    """What lets a 100,000-row upload stay within 256 MB (make bench)."""
    content = (HEADER + "\nSS1,09/11/2026,5,\nSS2,09/11/2026,5,Ill\n").encode()
    first, second = read_table(content, "claim.csv", ACTUALS_UPLOAD).rows
    assert first.cells["date"] is second.cells["date"]
    assert dict(first.cells) == {"ss_ref": "SS1", "date": "09/11/2026", "actual": "5"}
    assert first.text("comments") == "" and second.text("comments") == "Ill"


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


CLAIM_ROWS: list[list[object]] = [
    ["SS Ref", "Date", "Weekly Actual Quantity"],
    ["SS1", "09/11/2026", 5],
]


def test_a_hidden_sheet_is_never_read_in_place_of_the_visible_one() -> None:
    old_rows: list[list[object]] = [CLAIM_ROWS[0], ["SS1", "02/11/2026", 9]]
    content = xlsx_sheets(("Old", old_rows, "hidden"), ("This week", CLAIM_ROWS, "visible"))
    table = read_table(content, "claim.xlsx", ACTUALS_UPLOAD)
    assert table.sheet_name == "This week"
    assert [row.cells["actual"] for row in table.rows] == [5]


def test_a_claim_only_on_a_hidden_sheet_is_refused_saying_so() -> None:
    content = xlsx_sheets(("Cover", [["Read me"]], "visible"), ("Claim", CLAIM_ROWS, "hidden"))
    with pytest.raises(UnreadableFile, match="is on the hidden sheet 'Claim': unhide it"):
        read_table(content, "claim.xlsx", ACTUALS_UPLOAD)


def test_a_claim_on_two_visible_sheets_is_refused_naming_both() -> None:
    content = xlsx_sheets(("Week 1", CLAIM_ROWS, "visible"), ("Week 2", CLAIM_ROWS, "visible"))
    with pytest.raises(UnreadableFile, match="more than one sheet \\('Week 1' and 'Week 2'\\)"):
        read_table(content, "claim.xlsx", ACTUALS_UPLOAD)


@pytest.mark.parametrize("second", ["Weekly Actual Quantity", "Actual", " ACTUAL quantity"])
def test_two_headings_for_one_column_are_refused_naming_both(second: str) -> None:
    content = f"SS Ref,Date,Weekly Actual Quantity,{second}\nSS1,09/11/2026,5,3\n".encode()
    with pytest.raises(UnreadableFile, match="two columns for the same thing") as refused:
        read_table(content, "claim.csv", ACTUALS_UPLOAD)
    assert f"'Weekly Actual Quantity' and '{second.strip()}'" in str(refused.value)


def test_a_merged_quantity_is_read_for_its_first_row_only_and_the_provider_is_told() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["SS Ref", "Date", "Weekly Actual Quantity", "Comments"])
    sheet.append(["SS1", "09/11/2026", 5, "Both the same"])
    sheet.append(["SS2", None, None, None])
    sheet.merge_cells("B2:B3")  # a Date merged down a week's rows: every row's date
    sheet.merge_cells("C2:C3")  # a quantity merged down: the first person's only
    sheet.merge_cells("D2:D3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "claim.xlsx", ACTUALS_UPLOAD)
    first, second = [dict(row.cells) for row in table.rows]
    assert first == {
        "ss_ref": "SS1",
        "date": "09/11/2026",
        "actual": 5,
        "comments": "Both the same",
    }
    assert second == {"ss_ref": "SS2", "date": "09/11/2026", "actual": None, "comments": None}
    messages = [f.message for f in table.findings]
    assert any("'Weekly Actual Quantity' is one cell merged down over row 3" in m for m in messages)
    assert any("'Comments' is one cell merged down over row 3" in m for m in messages)


def test_an_error_cell_is_read_as_its_error_not_as_empty() -> None:
    table = read_table(error_cell("#DIV/0!"), "claim.xlsx", ACTUALS_UPLOAD)
    assert [row.cells.get("actual") for row in table.rows] == ["#DIV/0!"]


def test_invisible_characters_in_a_heading_do_not_hide_it() -> None:
    content = "SS\u200b Ref,Date\u2060,Weekly Actual Quantity\ufeff\nSS1,09/11/2026,5\n".encode()
    assert rows_of(content) == [{"ss_ref": "SS1", "date": "09/11/2026", "actual": "5"}]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_excel_unicode_text_utf16_and_tab_separated_is_read(encoding: str) -> None:
    content = "SS Ref\tDate\tWeekly Actual Quantity\tComments\r\nSS1\t09/11/2026\t5\tCafé, late\r\n"
    assert rows_of(content.encode(encoding)) == [
        {"ss_ref": "SS1", "date": "09/11/2026", "actual": "5", "comments": "Café, late"}
    ]


def test_a_header_below_many_rows_of_notes_is_found() -> None:
    notes = "".join(f"Note {n}: read the guidance\n" for n in range(40))
    content = (notes + HEADER + "\nSS1,09/11/2026,5,\n").encode()
    assert [row.row_number for row in read_table(content, "c.csv", ACTUALS_UPLOAD).rows] == [42]


def test_a_file_with_no_header_row_at_all_is_told_so_not_that_a_column_is_missing() -> None:
    content = b"Dear council,\nPlease find our hours attached.\nRegards\n"
    with pytest.raises(UnreadableFile, match="found no header row in the first 100 rows"):
        read_table(content, "letter.csv", ACTUALS_UPLOAD)


def test_a_password_protected_workbook_is_refused_as_protected() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le")
    with pytest.raises(UnreadableFile, match="is protected with a password"):
        read_table(ole2 + b"\0" * 500, "claim.xlsx", ACTUALS_UPLOAD)
