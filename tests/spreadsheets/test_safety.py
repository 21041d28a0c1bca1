"""Provider files are untrusted: bombs, links and oversize files are refused before parsing."""

from __future__ import annotations

import pytest
from carepay.spreadsheets.reading import MAX_FILE_BYTES, UnreadableFile, read_table
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD

from tests.spreadsheets.hostile_files import external_link, with_macros, xml_bomb, zip_bomb


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
