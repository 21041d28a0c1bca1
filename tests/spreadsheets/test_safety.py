"""Provider files are untrusted: bombs, links and oversize files are refused before parsing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from carepay.spreadsheets.reading import (
    HEADER_SEARCH_ROWS,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    UnreadableFile,
    read_table,
)
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD
from tests.spreadsheets.hostile_files import (
    bit_flipped,
    external_link,
    far_cell,
    lying_sizes,
    ods_repeated_row,
    with_macros,
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


def test_content_up_to_column_bz_is_read() -> None:
    assert len(list(read_table(far_cell("BZ5"), "claim.xlsx", ACTUALS_UPLOAD).rows)) == 12


def test_an_ods_row_with_a_value_repeated_a_million_times_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="repeated thousands of times"):
        read_table(ods_repeated_row(1_000_000), "claim.ods", ACTUALS_UPLOAD)


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
