"""Provider files are untrusted: bombs, links and oversize files are refused before parsing."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from carepay.spreadsheets.reading import (
    HEADER_SEARCH_ROWS,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    UnreadableFile,
    read_table,
)
from carepay.spreadsheets.safety import inspect_container
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD
from tests.spreadsheets.hostile_files import (
    CLAIM,
    bit_flipped,
    external_link,
    far_cell,
    lying_sizes,
    ods_repeated_row,
    with_macros,
    with_rows,
    xml_bomb,
    zip_bomb,
)


def test_a_zip_bomb_is_refused_before_it_is_expanded() -> None:
    with pytest.raises(UnreadableFile, match="far more than any claim form"):
        read_table(zip_bomb(), "claim.xlsx", ACTUALS_UPLOAD)


def test_an_xml_bomb_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(UnreadableFile, match="XML declarations no spreadsheet program writes"):
        read_table(xml_bomb(), "claim.xlsx", ACTUALS_UPLOAD)


def test_a_workbook_with_external_links_is_refused_with_what_to_do() -> None:
    with pytest.raises(UnreadableFile, match="Paste Special"):
        read_table(external_link(), "claim.xlsx", ACTUALS_UPLOAD)


def test_a_file_over_the_size_limit_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="split it into smaller files"):
        read_table(
            b"SS Ref,Date,Weekly Actual Quantity\n" + b"x" * MAX_FILE_BYTES,
            "claim.csv",
            ACTUALS_UPLOAD,
        )


def test_macros_are_never_run_the_values_are_read_and_the_provider_is_told() -> None:
    table = read_table(with_macros(), "claim.xlsm", ACTUALS_UPLOAD)
    assert len(list(table.rows)) == 12
    assert any("never runs them" in f.message for f in table.findings)


@pytest.mark.parametrize(
    ("reference", "dimension"),
    [("XFD1048576", None), ("XFD1048576", "A1:A1"), ("CA5", None), ("A200000", None)],
)
def test_a_cell_far_beyond_any_claim_is_refused_before_a_reader_lays_out_the_grid(
    reference: str, dimension: str | None
) -> None:
    """2 KB that once made the reader ask for 512 GiB and abort the process (every retry too)."""
    with pytest.raises(UnreadableFile, match=f"has cell {reference}, far beyond any claim"):
        read_table(far_cell(reference, dimension), "claim.xlsx", ACTUALS_UPLOAD)


# Far cells as a hostile file might write them, each placing a value beyond BZ199999 for the
# reader (python-calamine places a cell at its reference however it is quoted or spaced, in
# lower case or with leading zeros, and a cell with none after the last).
FAR_CELLS_WRITTEN_ODDLY = {
    "single quotes": b"<row r='3000'><c r='CZ3000' t='n'><v>1</v></c></row>",
    "a tab before r": b'<row r="3000"><c\tr="CZ3000" t="n"><v>1</v></c></row>',
    "a line break before r": b'<row r="3000"><c\nr="CZ3000" t="n"><v>1</v></c></row>',
    "spaces around =": b'<row r="3000"><c r = "CZ3000" t="n"><v>1</v></c></row>',
    "lower case": b'<row r="3000"><c r="cz3000" t="n"><v>1</v></c></row>',
    "another attribute first": b'<row r="3000"><c t="n" r="CZ3000"><v>1</v></c></row>',
    "leading zeros": b'<row r="200005"><c r="A000200005" t="n"><v>1</v></c></row>',
    "a far row, its cell with no reference": b'<row r="200005"><c t="n"><v>1</v></c></row>',
    "a far row, a near cell, then one with no reference": (
        b'<row r="200005"><c r="A41" t="n"><v>1</v></c><c t="n"><v>2</v></c></row>'
    ),
    "rows with no reference": b'<row r="199999"/><row/><row><c t="n"><v>1</v></c></row>',
    "cells with no reference": b'<row r="20">' + b'<c t="n"><v>1</v></c>' * 80 + b"</row>",
    "a namespace prefix": (
        b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="3000">'
        b'<x:c r="CZ3000" t="n"><x:v>1</x:v></x:c></x:row>'
    ),
}


@pytest.mark.parametrize("rows", FAR_CELLS_WRITTEN_ODDLY.values(), ids=FAR_CELLS_WRITTEN_ODDLY)
def test_a_far_cell_is_refused_however_the_xml_spells_its_place(rows: bytes) -> None:
    hostile = with_rows(rows)
    assert _reader_reaches_beyond_bz199999(hostile)  # the reader would lay the grid out so far
    with pytest.raises(UnreadableFile, match="far beyond any claim"):
        read_table(hostile, "claim.xlsx", ACTUALS_UPLOAD)


def test_a_cell_with_a_second_far_reference_is_refused_as_damaged() -> None:
    """The reader takes a cell's last reference; XML allows an attribute once, so it is not a
    sheet any program saved."""
    hostile = with_rows(b'<row r="3000"><c r="A3000" t="n" r="CZ3000"><v>1</v></c></row>')
    assert _reader_reaches_beyond_bz199999(hostile)
    with pytest.raises(UnreadableFile, match="is damaged: a sheet inside it is not well-formed"):
        read_table(hostile, "claim.xlsx", ACTUALS_UPLOAD)


def _reader_reaches_beyond_bz199999(content: bytes) -> bool:
    from python_calamine import CalamineWorkbook

    last_row, last_column = (
        CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).end
    )  # type: ignore[misc]
    return bool(last_row + 1 > 199_999 or last_column + 1 > 78)


@pytest.mark.parametrize(
    "rows",
    [
        b'<row r="30"><c t="n"><v>1</v></c><c t="inlineStr"><is><t>x</t></is></c></row>',
        b"<row r='31'><c r='bz31' t='n'><v>1</v></c></row>",
        b'<row r="32"><c r="A00032" t="n"><v>1</v></c></row>',
    ],
    ids=["cells with no reference", "single quotes, lower case", "leading zeros"],
)
def test_a_sheet_written_unusually_but_within_bz199999_is_read(rows: bytes) -> None:
    read = read_table(with_rows(rows), "claim.xlsx", ACTUALS_UPLOAD)
    assert len(list(read.rows)) == 13  # the claim's 12 rows and the one added


def test_a_cell_reference_no_program_writes_is_refused_saying_what_to_do() -> None:
    hostile = with_rows(b'<row r="40"><c r="$CZ$40" t="n"><v>1</v></c></row>')
    with pytest.raises(
        UnreadableFile, match=r"reference no spreadsheet program writes \('\$CZ\$40'\)"
    ):
        read_table(hostile, "claim.xlsx", ACTUALS_UPLOAD)


def test_each_worksheet_found_safe_is_handed_on_so_its_xml_is_not_decompressed_again() -> None:
    handed_on: dict[str, bytes] = {}
    inspect_container(CLAIM.read_bytes(), "claim.xlsx", handed_on.__setitem__)
    assert list(handed_on) == ["xl/worksheets/sheet1.xml"]
    assert b"<sheetData>" in handed_on["xl/worksheets/sheet1.xml"]


def test_content_up_to_column_bz_is_read() -> None:
    assert len(list(read_table(far_cell("BZ5"), "claim.xlsx", ACTUALS_UPLOAD).rows)) == 12


@pytest.mark.parametrize(
    "repeated",
    [
        'table:number-rows-repeated="{times}"',
        "table:number-rows-repeated='{times}'",
        'table:number-rows-repeated = "{times}"',
    ],
    ids=["as written", "single quotes", "spaces around ="],
)
def test_an_ods_row_with_a_value_repeated_a_million_times_is_refused(repeated: str) -> None:
    hostile = ods_repeated_row(1_000_000, repeated)
    assert _reader_reaches_beyond_bz199999(hostile)
    with pytest.raises(UnreadableFile, match="repeated thousands of times"):
        read_table(hostile, "claim.ods", ACTUALS_UPLOAD)


@pytest.mark.parametrize(
    ("damaged", "why"),
    [(bit_flipped, "decompressing"), (lying_sizes, "CRC")],
)
def test_a_damaged_zip_is_refused_as_damaged_with_what_to_do(
    damaged: Callable[[], bytes], why: str
) -> None:
    """The provider is told what to do; the technical cause stays with the exception (logged)."""
    with pytest.raises(UnreadableFile, match=r"is damaged.*save it again as \.xlsx") as refused:
        read_table(damaged(), "claim.xlsx", ACTUALS_UPLOAD)
    assert why not in str(refused.value) and why in repr(refused.value.__cause__)


def test_a_csv_with_more_lines_than_a_file_may_have_is_refused_before_parsing() -> None:
    lines = b"SS Ref,Date,Weekly Actual Quantity\n" + b"SS1,09/11/2026,1\n" * (
        MAX_DATA_ROWS + HEADER_SEARCH_ROWS
    )
    with pytest.raises(UnreadableFile, match=f"more than the {MAX_DATA_ROWS:,} rows"):
        read_table(lines, "claim.csv", ACTUALS_UPLOAD)


def test_a_csv_line_longer_than_any_row_is_refused_naming_it() -> None:
    """A 200,000-character comment: over the csv module's own limit, so it was a crash."""
    content = f"SS Ref,Date,Weekly Actual Quantity,Comments\nSS1,09/11/2026,1,{'x' * 200_000}\n"
    with pytest.raises(UnreadableFile, match=r"Line 2 of claim\.csv is 200,0"):
        read_table(content.encode(), "claim.csv", ACTUALS_UPLOAD)


def test_a_header_row_of_300_columns_is_refused_saying_which_to_keep() -> None:
    header = ",".join(["SS Ref", "Date", "Weekly Actual Quantity", *(f"c{n}" for n in range(297))])
    with pytest.raises(UnreadableFile, match="header row has 300 columns"):
        read_table(f"{header}\nSS1,09/11/2026,1\n".encode(), "claim.csv", ACTUALS_UPLOAD)
