"""The streaming workbook writer, read back by openpyxl as a spreadsheet program reads it: what
was written is what is shown, whatever the text, and the set-up a reader relies on is there."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from carepay.spreadsheets.xlsx_stream import (
    BLANK,
    Formula,
    Highlight,
    PrintSetup,
    SheetLock,
    StreamingWorkbook,
    Style,
    Validation,
)

WRITTEN_AT = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
# What a cell can hold: no control characters but tab, newline and carriage return
CELL_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=[chr(c) for c in range(32)])
    | st.sampled_from("\t\n"),
    min_size=1,
    max_size=60,
)


def one_sheet(*rows: list[object], **options: Any) -> Any:
    book = StreamingWorkbook()
    book.open_sheet(
        "Rows", [10, 20, 30], PrintSetup("Council: feedback", title_rows="1:1"), **options
    )
    for values in rows:
        book.row(values)
    return load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))


@settings(max_examples=80, deadline=None)
@given(texts=st.lists(CELL_TEXT, min_size=1, max_size=3))
def test_any_text_is_read_back_exactly_as_written(texts: list[str]) -> None:
    sheet = one_sheet(list(texts))["Rows"]
    assert [cell.value for cell in sheet[1]][: len(texts)] == texts


def test_numbers_and_dates_are_numbers_and_dates_and_empty_cells_stay_empty() -> None:
    book = StreamingWorkbook()
    book.open_sheet("Rows", [10], PrintSetup("Council"))
    day = book.style(Style(number_format="dd/mm/yyyy"))
    book.row([7, 2.25, date(2026, 11, 9), None, "", "x"], [0, 0, day, 0, 0, 0])
    sheet = load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))["Rows"]
    values = [cell.value for cell in sheet[1]]
    assert values[:2] == [7, 2.25] and values[3:] == [None, None, "x"]
    assert isinstance(values[2], datetime) and values[2].date() == date(2026, 11, 9)
    assert sheet["C1"].number_format == "dd/mm/yyyy"


def test_styles_widths_heights_and_frozen_panes_are_what_was_asked() -> None:
    book = StreamingWorkbook()
    book.open_sheet("Rows", [6, 40], PrintSetup("Council: feedback"), freeze="B2")
    header = book.style(Style(bold=True, colour="FFFFFF", fill="1F4E78", wrap=True))
    book.row(["Row", "Comments"], [header, header], height=30)
    book.row([2, "=SUM(A1)"], [0, book.style(Style(quote_prefix=True))])
    sheet = load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))["Rows"]
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FF1F4E78"
    assert sheet["A1"].alignment.wrap_text and sheet.row_dimensions[1].height == 30
    assert sheet.column_dimensions["B"].width == 40 and sheet.freeze_panes == "B2"
    assert sheet["B2"].value == "=SUM(A1)" and sheet["B2"].quotePrefix  # shown, never run


def test_notes_drop_downs_and_print_set_up_reach_the_reader() -> None:
    book = StreamingWorkbook()
    rules = [
        Validation("list", '"Y,N"', "B2:B3"),
        Validation("custom", "=AND(ISNUMBER(C2),C2>=0)", "C2:C3", "Hours", "Enter hours"),
    ]
    setup = PrintSetup("Council & Co: feedback", landscape=True, title_rows="1:1")
    book.open_sheet("Rows", [6, 10, 10], setup, validations=rules)
    book.row(["Row", "Confirm", "Hours"])
    book.row([2, "maybe", 3])
    book.note(1, "V6: Confirm must be Y or N")
    workbook = load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))
    sheet = workbook["Rows"]
    assert sheet["B2"].comment is not None and sheet["B2"].comment.text.startswith("V6")
    found = {
        str(v.sqref): (v.type, v.formula1, v.error) for v in sheet.data_validations.dataValidation
    }
    assert found == {
        "B2:B3": ("list", '"Y,N"', None),
        "C2:C3": ("custom", "AND(ISNUMBER(C2),C2>=0)", "Enter hours"),
    }
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows.replace("$", "") == "1:1"
    assert sheet.oddHeader.center.text == "Council && Co: feedback"  # & would start a field
    assert sheet.oddFooter.center.text == "Page &P of &N"


def test_sheets_keep_their_order_and_names() -> None:
    book = StreamingWorkbook()
    for title in ("Summary", "Rows", "Register"):
        book.open_sheet(title, [10], PrintSetup(title))
        book.row([title])
    workbook = load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))
    assert workbook.sheetnames == ["Summary", "Rows", "Register"]
    assert [workbook[name]["A1"].value for name in workbook.sheetnames] == workbook.sheetnames


def test_a_styled_cell_keeps_its_style_and_still_shows_a_date_or_formula_like_text_as_such() -> (
    None
):
    book = StreamingWorkbook()
    book.open_sheet("Rows", [10, 10], PrintSetup("Council"))
    bold = book.style(Style(bold=True, fill="FFC7CE"))
    book.row([date(2026, 11, 9), "=1+1"], [bold, bold])
    sheet = load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))["Rows"]
    assert sheet["A1"].font.b and sheet["A1"].number_format == "dd/mm/yyyy"
    assert sheet["B1"].font.b and sheet["B1"].quotePrefix and sheet["B1"].value == "=1+1"


def test_a_note_or_heading_with_a_control_character_still_makes_a_workbook_that_opens() -> None:
    book = StreamingWorkbook()
    book.open_sheet("Rows", [10], PrintSetup("feedback on claim\x07.csv"))
    book.row(["x"])
    book.note(0, "V1: '\x002.7' is not a quarter hour")
    sheet = load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))["Rows"]
    assert sheet["A1"].comment.text == "V1: '2.7' is not a quarter hour"
    assert sheet.oddHeader.center.text == "feedback on claim.csv"


def test_the_workbooks_dates_are_the_moment_it_was_written_in_utc() -> None:
    london_summer = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    book = StreamingWorkbook()
    book.open_sheet("Rows", [10], PrintSetup("Council"))
    properties = load_workbook(io.BytesIO(book.finish(london_summer))).properties
    created = properties.created.replace(tzinfo=UTC)
    assert created == datetime(2026, 7, 1, 8, 30, tzinfo=UTC)  # 09:30 BST is 08:30 UTC


def test_a_locked_sheet_takes_entries_only_in_unlocked_cells_even_empty_ones() -> None:
    book = StreamingWorkbook()
    lock = SheetLock(protected=True, merged=["C1:E1"])
    book.open_sheet("Claim", [10, 10, 10], PrintSetup("Council"), locked=lock)
    entry = book.style(Style(fill="FFFFFF", locked=False))
    book.row(["Plan", BLANK, "A council message across three columns"], [0, entry, 0])
    book.row([None, BLANK], [0, 0])  # an empty cell with no style is no cell at all
    sheet = load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))["Claim"]
    assert sheet.protection.sheet and not sheet.protection.formatColumns
    assert sheet["A1"].protection.locked and not sheet["B1"].protection.locked
    assert sheet["B1"].value is None and sheet["B1"].fill.fgColor.rgb == "FFFFFFFF"
    assert [str(cells) for cells in sheet.merged_cells.ranges] == ["C1:E1"]
    assert sheet.max_row == 1  # the second row has no cell


def test_carepays_own_formulas_are_formulas_and_highlights_follow_theirs() -> None:
    book = StreamingWorkbook()
    amber = Highlight("B1:B2", "AND(LEN(TRIM($B1))=0,$A1<>5)", "FFC000", stop=True)
    book.open_sheet("Claim", [10, 10], PrintSetup("Council"), locked=SheetLock(highlights=[amber]))
    book.row([5, "ok"])
    book.row([4, None])
    book.row([Formula("=SUM(A1:A2)"), Formula('IF(A1>A2,"more & less","")')])
    workbook = load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))
    sheet = workbook["Claim"]
    assert sheet["A3"].value == "=SUM(A1:A2)" and sheet["A3"].data_type == "f"
    assert workbook.calculation.fullCalcOnLoad  # written without results: worked out on opening
    assert one_sheet(["no formulas"]).calculation is None  # nothing to work out, nor to save
    assert sheet["B3"].value == '=IF(A1>A2,"more & less","")'
    [(cells, [rule])] = [(str(r.sqref), r.rules) for r in sheet.conditional_formatting]
    assert cells == "B1:B2" and rule.formula == ["AND(LEN(TRIM($B1))=0,$A1<>5)"]
    assert rule.stopIfTrue and rule.dxf.fill.bgColor.rgb == "FFFFC000"


def wall_clock(hour: int, minute: int = 0) -> datetime:
    """1 July 2026 at a time as a spreadsheet holds it: no zone."""
    return datetime(2026, 7, 1, hour, minute, tzinfo=UTC).replace(tzinfo=None)


def test_a_time_shows_its_own_wall_clock_even_beside_the_same_instant_in_another_zone() -> None:
    utc = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    london = utc.astimezone(ZoneInfo("Europe/London"))  # equal to utc: the same instant
    book = StreamingWorkbook()
    book.open_sheet("Rows", [20, 20, 20], PrintSetup("Council"))
    book.row([utc, london, date(2026, 7, 1)])
    book.row([wall_clock(8, 30), date(2026, 7, 1)])  # written before: now from what was kept
    sheet = load_workbook(io.BytesIO(book.finish(WRITTEN_AT)))["Rows"]
    assert [cell.value for cell in sheet[1]] == [
        wall_clock(8, 30),
        wall_clock(9, 30),
        wall_clock(0),
    ]
    assert [cell.value for cell in sheet[2]][:2] == [wall_clock(8, 30), wall_clock(0)]
