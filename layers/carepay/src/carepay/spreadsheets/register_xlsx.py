"""The register's sheet in the provider's weekly workbook: codes pre-filled on planned days,
unplanned days shaded but open for a swap, a drop-down of codes in every day cell, and each row's
paid days counted against its planned days in the sheet itself, so an excess (R2) shows before
the file is uploaded. Printable on A4 landscape; its own instructions, for day care only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from carepay.domain.registers import BLANK_DAY
from carepay.domain.weeks import confirmation_deadline, financial_year_week, week_ending
from carepay.spreadsheets.claim_workbook import CouncilNotice
from carepay.spreadsheets.layout import column_letter
from carepay.spreadsheets.register_sheet import (
    REGISTER_SHEET,
    SUBMIT_LABEL,
    RegisterRow,
    day_columns,
    register_headers,
)
from carepay.spreadsheets.xlsx_stream import (
    BLANK,
    Formula,
    Highlight,
    PrintSetup,
    SheetLock,
    StreamingWorkbook,
    Style,
    Validation,
    write_paragraphs,
)

HEADER_ROW = 5
BOLD = Style(bold=True)
HEADER = Style(
    bold=True, colour="FFFFFF", fill="1F4E78", wrap=True, vertical="center", horizontal="center"
)
CELL_STYLES = {  # each kind of cell in a line's row
    "": Style(),
    "planned": Style(fill="FFFFFF", horizontal="center", locked=False),
    "unplanned": Style(fill="D9D9D9", horizontal="center", locked=False),
    "entry": Style(locked=False),
    "week": Style(number_format="dd/mm/yyyy"),
}
EXCESS_FILL = "FFC7CE"
TOO_MANY = "More days than planned"
WIDTHS = {"Line Ref": 10, "SS Ref": 11, "Service Level": 16, "Week Commencing": 12,
          "All Week": 9, "Comments": 34, "Submit": 8, "Planned Days": 9, "Paid Days": 9,
          "Check": 22}  # fmt: skip


def add_register_sheet(
    book: StreamingWorkbook,
    register: tuple[str, str, date, Sequence[RegisterRow], Sequence[date]],
    notice: CouncilNotice,
) -> None:
    """The register (provider ref and name, Monday, rows, the non-payment weeks coming up) as
    the workbook's next sheet, and its instructions after it."""
    provider_ref, provider_name, monday, rows, coming = register
    days = day_columns(rows)
    headers = [*register_headers(days), "Planned Days", "Paid Days", "Check"]
    letter = {title: column_letter(index) for index, title in enumerate(headers, start=1)}
    first, last = HEADER_ROW + 1, HEADER_ROW + max(len(rows), 1)
    paid, planned = letter["Paid Days"], letter["Planned Days"]
    excess = Highlight(
        f"{paid}{first}:{paid}{last}", f"${paid}{first}>${planned}{first}", EXCESS_FILL
    )
    heading = (
        f"{notice.council_name}: day-care register for {provider_name} ({provider_ref}), "
        f"w/c {monday:%d/%m/%Y}"
    )
    book.open_sheet(
        REGISTER_SHEET,
        [WIDTHS.get(title, 6) for title in headers],
        PrintSetup(heading, title_rows=f"{HEADER_ROW}:{HEADER_ROW}"),
        freeze=f"E{first}",
        validations=_validations(days, letter, first, last),
        locked=SheetLock(protected=True, highlights=[excess]),
    )
    _title_rows(book, provider_ref, provider_name, monday, notice, coming)
    book.row([])  # where the claim has its totals
    book.row(headers, [book.style(HEADER)] * len(headers), 32)
    styles = {kind: book.style(style) for kind, style in CELL_STYLES.items()}
    for row_number, row in enumerate(rows, start=first):
        _register_row(book, row_number, row, monday, days, styles)
    how_to = heading.replace("day-care register for", "how to complete the register for", 1)
    setup = PrintSetup(how_to, landscape=False)
    paragraphs = register_instructions(provider_name, monday, notice)
    write_paragraphs(book, "Register instructions", setup, paragraphs)


def _title_rows(
    book: StreamingWorkbook,
    provider_ref: str,
    provider_name: str,
    monday: date,
    notice: CouncilNotice,
    coming: Sequence[date],
) -> None:
    year, week_number = financial_year_week(monday)
    deadline = confirmation_deadline(monday)
    title = f"{notice.council_name}: day-care register for {provider_name} ({provider_ref})"
    book.row([title], [book.style(Style(bold=True, size=14))])
    book.row(
        [
            f"Week commencing {monday:%d/%m/%Y} (to Sunday {week_ending(monday):%d/%m/%Y}), week "
            f"{week_number} of {year}/{str(year + 1)[-2:]}. Submit by 17:00 on "
            f"{deadline:%A %d/%m/%Y}."
        ]
    )
    banner, said = BOLD, notice.message
    if coming:
        weeks = " and ".join(f"{week:%d/%m/%Y}" for week in coming)
        are = "are non-payment weeks" if len(coming) > 1 else "is a non-payment week"
        banner, said = (
            Style(bold=True, fill="FFEB9C"),
            f"Coming up: w/c {weeks} {are}: no register, no payment.",
        )
    book.row(
        [SUBMIT_LABEL, None, None, BLANK, None, said or None],
        [
            book.style(BOLD),
            0,
            0,
            book.style(Style(fill="FFF2CC", locked=False)),
            0,
            book.style(banner),
        ],
    )


def _register_row(
    book: StreamingWorkbook,
    row_number: int,
    row: RegisterRow,
    monday: date,
    days: Sequence[int],
    styles: dict[str, int],
) -> None:
    """A line's row: the plan, a code cell a day, the provider's columns and the counts."""
    day_cells = [BLANK if row.day_codes[day] == BLANK_DAY else row.day_codes[day] for day in days]
    values: list[object] = [
        row.line_ref, row.ss_ref, row.service_level, monday, *day_cells, BLANK,
        row.comments or BLANK, "Y" if row.submitted else BLANK, len(row.planned_days),
    ]  # fmt: skip
    kinds = ["", "", "", "week",
             *("planned" if day in row.planned_days else "unplanned" for day in days),
             "entry", "entry", "entry", ""]  # fmt: skip
    first_day, last_day = column_letter(5), column_letter(4 + len(days))
    span = f"{first_day}{row_number}:{last_day}{row_number}"
    all_week = f"{column_letter(5 + len(days))}{row_number}"
    planned = f"{column_letter(len(values))}{row_number}"
    paid = f"{column_letter(len(values) + 1)}{row_number}"
    counted = Formula(  # carepay's own formula, counting as R2 does
        f'IF(OR(UPPER({all_week})="N",UPPER({all_week})="W"),{planned},'
        f'IF(UPPER({all_week})="X",0,COUNTIF({span},"A")+COUNTIF({span},"N")+COUNTIF({span},"W")))'
    )
    check = Formula(f'IF({paid}>{planned},"{TOO_MANY}","")')
    book.row([*values, counted, check], [*(styles[kind] for kind in kinds), 0, 0])


def _validations(
    days: Sequence[int], letter: dict[str, str], first: int, last: int
) -> list[Validation]:
    codes = Validation(
        "list",
        '"A,N,W,X"',
        f"{letter['Mon']}{first}:{column_letter(4 + len(days))}{last}",
        "One code a day",
        "A attended, N absent with notice, W absent without notice, X non-payment, "
        "or leave the day blank.",
    )
    all_week = Validation(
        "list", '"N,W,X"', f"{letter['All Week']}{first}:{letter['All Week']}{last}"
    )
    submit = Validation("list", '"Y,N"', f"{letter['Submit']}{first}:{letter['Submit']}{last} D3")
    return [codes, all_week, submit]


def register_instructions(
    provider_name: str, monday: date, notice: CouncilNotice
) -> list[tuple[str, bool]]:
    """What a day-centre manager needs, and nothing about home care or hospital stays."""
    deadline = confirmation_deadline(monday)
    return [
        (f"How to complete this register ({provider_name})", True),
        ("Each row is one item of a person's day care: a session, support hours or transport. "
         "Every planned day already says A (attended). Change only what was different.", False),
        ("A attended · N absent with notice (paid, not charged to the person) · W absent "
         "without notice (paid, charged) · X non-payment (not paid) · blank: nothing that day. "
         "A planned day left blank is not paid.", False),
        ("Swaps: if the person came on another day instead, clear the planned day and put A on "
         "the day they came (the grey cells). Paid days can never exceed the planned days: Paid "
         "Days turns red and Check says so until the row is right.", False),
        ("Absent all week: put N, W or X in All Week and leave the days as they are.", False),
        (f"Submit by 17:00 on {deadline:%A %d %B %Y}: put Y in '{SUBMIT_LABEL}' (or Y in "
         "Submit on each row) and upload this file. A submitted register is locked; lines you "
         "leave as they are are submitted as planned.", False),
        ("Non-payment weeks: two weeks a year nothing is registered or paid (Christmas and New "
         "Year unless the council agreed others with you). There is no register for them.", False),
        ("Questions", True),
        (f"Contact {notice.contact}." if notice.contact else "Contact the council.", False),
    ]  # fmt: skip
