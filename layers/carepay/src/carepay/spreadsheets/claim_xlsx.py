"""The claim workbook (PCF) as xlsx: the plan's columns locked, entry cells unlocked and checked
by the sheet itself, Instructions for the provider's services, and the payment preview.

Written by carepay.spreadsheets.xlsx_stream, row by row into the compressed file (openpyxl's
cell objects cost a 2,000-line claim ~0.4 s; every provider's workbook is written each Monday).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from carepay.domain.money import quarters_to_decimal
from carepay.domain.payment_run import PaymentPreview
from carepay.domain.service_lines import ServiceType, WeeklyLine
from carepay.domain.weeks import confirmation_deadline, financial_year_week, week_ending
from carepay.spreadsheets.claim_workbook import (
    BANNER_FILLS,
    CLAIM_SHEET,
    COLUMN_LETTER,
    COLUMNS,
    DECLARATION_LABEL,
    MISSED_REASONS,
    NEEDS_A_COMMENT,
    QUARTER_HOURS,
    CouncilNotice,
)
from carepay.spreadsheets.register_sheet import RegisterRow
from carepay.spreadsheets.register_xlsx import add_register_sheet
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
FIRST_LINE_ROW = HEADER_ROW + 1
BOLD = Style(bold=True)
TITLE = Style(bold=True, size=14)
HEADER = Style(bold=True, colour="FFFFFF", fill="1F4E78", wrap=True, vertical="center")
DECLARATION = Style(fill="FFF2CC", locked=False)
TOTAL = Style(bold=True, number_format="0.00")
POUNDS = '"£"#,##0.00'
COMMENT_NEEDED_FILL = "FFC000"


def write_claim_workbook(
    provider_ref: str,
    provider_name: str,
    monday: date,
    lines: Sequence[WeeklyLine],
    notice: CouncilNotice,
    preview: PaymentPreview | None = None,
    register: Sequence[RegisterRow] = (),
    coming_non_payment_weeks: Sequence[date] = (),
    *,
    written_at: datetime | None = None,
) -> bytes:
    """The week's workbook: the claim sheet for weekly lines, the register for Day Care lines
    (a provider with both gets both), each with its instructions, and the payment preview."""
    book = StreamingWorkbook()
    claim_lines = [line for line in lines if line.service_type is not ServiceType.DAY_CARE]
    if claim_lines or not register:
        _claim_sheet(book, provider_ref, provider_name, monday, claim_lines, notice)
    if register:
        details = (provider_ref, provider_name, monday, register, coming_non_payment_weeks)
        add_register_sheet(book, details, notice)
    if preview is not None:
        heading = _heading(notice, provider_ref, provider_name, monday, "payment preview")
        _payment_preview(book, preview, heading)
    return book.finish(written_at or datetime.now(UTC))


def _claim_sheet(
    book: StreamingWorkbook,
    provider_ref: str,
    provider_name: str,
    monday: date,
    lines: Sequence[WeeklyLine],
    notice: CouncilNotice,
) -> None:
    first, last = FIRST_LINE_ROW, HEADER_ROW + max(len(lines), 1)
    ordered = sorted(lines, key=lambda line: (line.ss_ref, line.service_level, line.line_ref))
    heading = _heading(notice, provider_ref, provider_name, monday, "weekly claim")
    lock = SheetLock(
        protected=True,
        merged=["F3:M3"] if notice.message else [],
        highlights=[_needs_a_comment(first, last)],
    )
    book.open_sheet(
        CLAIM_SHEET,
        [width for _, width, _ in COLUMNS],
        PrintSetup(heading, title_rows=f"{HEADER_ROW}:{HEADER_ROW}"),
        freeze=f"C{first}",
        validations=_validations(ordered, first, last),
        locked=lock,
    )
    _title_rows(book, provider_ref, provider_name, monday, notice)
    _totals(book, first, last)
    book.row([title for title, _, _ in COLUMNS], [book.style(HEADER)] * len(COLUMNS), 45)
    _line_rows(book, monday, ordered)
    how_to = _heading(notice, provider_ref, provider_name, monday, "how to complete the claim")
    _instructions(book, provider_name, monday, ordered, notice, how_to)


def _heading(
    notice: CouncilNotice, provider_ref: str, provider_name: str, monday: date, what: str
) -> str:
    """Printed at the top of every page: whose sheet, for which week."""
    return (
        f"{notice.council_name}: {what} for {provider_name} ({provider_ref}), w/c {monday:%d/%m/%Y}"
    )


def _title_rows(
    book: StreamingWorkbook,
    provider_ref: str,
    provider_name: str,
    monday: date,
    notice: CouncilNotice,
) -> None:
    """Above the header (the reader finds the header wherever it is): the week, its deadline,
    the declaration and the council's message."""
    deadline = confirmation_deadline(monday)
    year, week_number = financial_year_week(monday)
    title = f"{notice.council_name}: weekly claim for {provider_name} ({provider_ref})"
    book.row([title], [book.style(TITLE)])
    book.row(
        [
            f"Week commencing {monday:%d/%m/%Y} (to Sunday {week_ending(monday):%d/%m/%Y}), "
            f"week {week_number} of {year}/{str(year + 1)[-2:]}. Confirm by 17:00 on "
            f"{deadline:%A %d/%m/%Y}."
        ]
    )
    banner = book.style(Style(bold=True, fill=BANNER_FILLS.get(notice.level, "E2EFDA")))
    book.row(
        [DECLARATION_LABEL, None, None, BLANK, None, notice.message or None],
        [book.style(BOLD), 0, 0, book.style(DECLARATION), 0, banner],
    )


def _column_styles(book: StreamingWorkbook) -> list[int]:
    """A style per column: entry cells white and unlocked, the plan's grey and locked."""
    styles = []
    for title, _, entry in COLUMNS:
        number_format = ""
        if title == "Date":
            number_format = "dd/mm/yyyy"
        elif title.startswith("Weekly") and title != "Weekly Number Of Visits":
            number_format = "0.00"
        fill = "FFFFFF" if entry else "F2F2F2"
        styles.append(book.style(Style(fill=fill, number_format=number_format, locked=not entry)))
    return styles


def _line_rows(book: StreamingWorkbook, monday: date, ordered: Sequence[WeeklyLine]) -> None:
    styles = _column_styles(book)
    titles = [title for title, _, _ in COLUMNS]
    for row, line in enumerate(ordered, start=FIRST_LINE_ROW):
        planned = float(quarters_to_decimal(line.planned_quarters))
        values = {
            "Line Ref": line.line_ref,
            "SS Ref": line.ss_ref,
            "Service Level": line.service_level,
            "Date": monday,
            "Weekly Planned Quantity": planned,
            "Weekly Number Of Visits": line.planned_visits,
            "Weekly Actual Quantity": planned,
            "Check": Formula(
                f"IF(AND(LEN(TRIM({COLUMN_LETTER['Comments']}{row}))=0,"
                f'{_differs_from_plan(row, absolute=False)}),"{NEEDS_A_COMMENT}","")'
            ),
        }
        book.row([_or_blank(values.get(title)) for title in titles], styles)


def _or_blank(value: object) -> object:
    """An empty cell keeps its column's style: an entry cell stays white and unlocked."""
    return BLANK if value is None else value


def _totals(book: StreamingWorkbook, first: int, last: int) -> None:
    """Above the header: a row below it would be read as a claim."""
    summed = {
        "Weekly Planned Quantity", "Weekly Actual Quantity", "Weekly Frustrated Quantity",
        "Weekly Missed Quantity", "Weekly Extra Quantity",
    }  # fmt: skip
    values: list[object] = ["Totals"]
    for title, _, _ in COLUMNS[1:]:
        letter = COLUMN_LETTER[title]
        values.append(Formula(f"SUM({letter}{first}:{letter}{last})") if title in summed else None)
    book.row(values, [book.style(BOLD), *[book.style(TOTAL)] * (len(COLUMNS) - 1)])


def _ranges(letter: str, rows: Sequence[int]) -> list[str]:
    """Consecutive rows as ranges ("H6:H40"), so a validation names a handful of ranges."""
    spans: list[str] = []
    start = previous = rows[0]
    for row in [*rows[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        spans.append(
            f"{letter}{start}:{letter}{previous}" if previous > start else f"{letter}{start}"
        )
        if row is not None:
            start = previous = row
    return spans


def _validations(lines: Sequence[WeeklyLine], first: int, last: int) -> list[Validation]:
    """Entry rules enforced by the spreadsheet itself, before anything is uploaded."""

    def rule_for(letter: str, rows: Sequence[int], refused: str = "") -> Validation:
        anchor = f"{letter}{rows[0]}"  # a formula is relative to its range's first cell
        cells = " ".join(_ranges(letter, rows))
        if refused:
            formula = f"=OR(ISBLANK({anchor}),{anchor}=0)"
            return Validation("custom", formula, cells, "Not for this service", refused)
        kind, formula, title, message = QUARTER_HOURS
        return Validation(kind, formula.replace("{cell}", anchor), cells, title, message)

    every_row = list(range(first, last + 1))
    rules = [
        rule_for(COLUMN_LETTER[title], every_row)
        for title in ("Weekly Actual Quantity", "Weekly Missed Quantity")
    ]
    for title, allowed in (
        ("Weekly Frustrated Quantity", {s for s in ServiceType if s.allows_frustrated}),
        ("Weekly Extra Quantity", {s for s in ServiceType if s.pays_extras}),
    ):
        letter = COLUMN_LETTER[title]
        rows = list(enumerate(lines, start=first))
        allowed_rows = [r for r, line in rows if line.service_type in allowed]
        refused_rows = [r for r, line in rows if line.service_type not in allowed]
        if allowed_rows:
            rules.append(rule_for(letter, allowed_rows))
        if refused_rows:
            rules.append(rule_for(letter, refused_rows, _why_refused(title)))
    reasons, confirm = COLUMN_LETTER["Missed Reason"], COLUMN_LETTER["Confirm"]
    reason_list = '"' + ",".join(MISSED_REASONS) + '"'
    rules.append(Validation("list", reason_list, f"{reasons}{first}:{reasons}{last}"))
    rules.append(Validation("list", '"Y,N"', f"{confirm}{first}:{confirm}{last} D3"))
    return rules


def _why_refused(title: str) -> str:
    if "Frustrated" in title:
        return "Frustrated (hospital retainer) is not paid for day care: record it as Missed."
    return "Extra is never paid on this service: ask the social worker for a new service line."


def _needs_a_comment(first: int, last: int) -> Highlight:
    """Comments turns amber while a row differs from plan and has no comment (V5)."""
    comments = COLUMN_LETTER["Comments"]
    differs = _differs_from_plan(first, absolute=True)
    return Highlight(
        f"{comments}{first}:{comments}{last}",
        f"AND(LEN(TRIM(${comments}{first}))=0,{differs})",
        COMMENT_NEEDED_FILL,
        stop=True,
    )


def _differs_from_plan(row: int, *, absolute: bool) -> str:
    """The sheet's own test of V5's condition: Actual differs from plan, or any other quantity."""
    c, anchor = COLUMN_LETTER, "$" if absolute else ""
    return (
        f"OR({anchor}{c['Weekly Actual Quantity']}{row}<>{anchor}{c['Weekly Planned Quantity']}{row},"
        f"N({anchor}{c['Weekly Frustrated Quantity']}{row})>0,"
        f"N({anchor}{c['Weekly Missed Quantity']}{row})>0,"
        f"N({anchor}{c['Weekly Extra Quantity']}{row})>0)"
    )


def _instructions(
    book: StreamingWorkbook,
    provider_name: str,
    monday: date,
    lines: Sequence[WeeklyLine],
    notice: CouncilNotice,
    page_heading: str,
) -> None:
    paragraphs = [
        *([(notice.message, True)] if notice.message else []),
        *_how_to_complete(provider_name, monday),
        ("Rules for your services", True),
        *_rules_for(sorted({line.service_type for line in lines}, key=lambda s: s.value)),
        *_examples_and_questions(notice),
    ]
    write_paragraphs(book, "Instructions", PrintSetup(page_heading, landscape=False), paragraphs)


Paragraph = tuple[str, bool]  # the text, and whether it is a heading


def _how_to_complete(provider_name: str, monday: date) -> list[Paragraph]:
    deadline = confirmation_deadline(monday)
    return [
        (f"How to complete this claim ({provider_name})", True),
        (
            f"This is your claim for the week commencing {monday:%d/%m/%Y}. Each row is a service "
            "line the council planned for that week; Weekly Actual Quantity is filled in with the "
            "plan. Change only the white cells, then upload this file as it is.",
            False,
        ),
        (
            "Quantities are hours (or sessions or journeys) in quarters: 0.25, 0.5, 0.75, 1.00. "
            "Actual: what was delivered, or cancelled at short notice and still payable. "
            "Missed: what was not delivered. Frustrated: hours kept free while the person was in "
            "hospital. Extra: above the plan, paid only with the council's approval.",
            False,
        ),
        (
            "Whenever a row differs from the plan, say why in Comments (the cell turns amber until "
            "you do). Failure to complete this may result in payment being rejected.",
            False,
        ),
        (
            f"Confirm the week by 17:00 on {deadline:%A %d %B %Y}: put Y in '{DECLARATION_LABEL}' "
            "(or Y in Confirm on each row) and upload. Lines you leave as planned are confirmed as "
            "planned. A week confirmed later is paid a week later; nothing is lost.",
            False,
        ),
    ]


RULES = {
    ServiceType.HOME_SUPPORT: "Home Support: Frustrated is paid for up to 6 weeks in a row "
    "(longer needs an approval). Extra is held until the council approves it.",
    ServiceType.ONE_TO_ONE_RESIDENTIAL: "1:1 Support at Residential / Nursing: Frustrated is "
    "paid for up to 6 weeks in a row. Extra is never paid: an increase needs a new service line.",
    ServiceType.SUPPORT_AT_DAY_CARE: "Support at Day Care: no Frustrated and no Extra; support "
    "not delivered, or on days the centre is closed, is not paid.",
    ServiceType.DAY_CARE: "Day Care: no Frustrated, and never above the commissioned weekly total.",
}


def _rules_for(services: Sequence[ServiceType]) -> list[Paragraph]:
    return [(RULES[service], False) for service in services]


def _examples_and_questions(notice: CouncilNotice) -> list[Paragraph]:
    return [
        ("Examples (5 hours planned)", True),
        ("In hospital after 2 hours: Actual 2, Frustrated 3, a comment. Paid 5 hours.", False),
        (
            "On holiday, notice given, wanted 2 hours: Actual 2, Missed 3, a comment. Paid 2 hours.",
            False,
        ),
        (
            "A call cancelled on the day: leave Actual at 5, Missed 1, a comment. Paid 5 hours.",
            False,
        ),
        ("1 hour you could not deliver: Actual 4, Missed 1, a comment. Paid 4 hours.", False),
        ("Questions", True),
        (
            f"Contact {notice.contact}. If a service line agreed by a social worker is missing, "
            "report it to the council; do not add rows for it.",
            False,
        ),
    ]


PREVIEW_HEADINGS = (
    ("Line Ref", 12), ("SS Ref", 12), ("Payable Quantity", 16), ("Amount", 12),
    ("Previously Paid", 15), ("Net", 12), ("Note", 48),
)  # fmt: skip


def _payment_preview(book: StreamingWorkbook, preview: PaymentPreview, heading: str) -> None:
    """What the provider will be paid if they confirm now, as the payment run calculates it:
    a picture of the calculation (locked), not a place to type."""
    book.open_sheet(
        "Payment preview",
        [width for _, width in PREVIEW_HEADINGS],
        PrintSetup(heading, title_rows="4:4"),
        locked=SheetLock(protected=True),
    )
    bold, pounds = book.style(BOLD), book.style(Style(number_format=POUNDS))
    book.row([f"If you confirm the week commencing {preview.week_commencing:%d/%m/%Y} now"], [bold])
    book.row([preview.message])
    book.row([])
    book.row([title for title, _ in PREVIEW_HEADINGS], [bold] * len(PREVIEW_HEADINGS))
    money = [0, 0, 0, pounds, pounds, pounds, 0]
    for line in preview.lines:
        held = line.hold_reason and f"{line.hold_reason}: held until the council approves it"
        book.row(
            [
                line.line_ref,
                line.ss_ref,
                float(quarters_to_decimal(line.payable_quarters)),
                line.amount_due_pence / 100,
                line.previously_paid_pence / 100,
                line.net_pence / 100,
                held or None,
            ],
            money,
        )
    first, total_row = 5, 5 + len(preview.lines)
    # no lines: a plain 0, as a SUM over the total's own row would refer to itself
    total = Formula(f"SUM(F{first}:F{total_row - 1})") if preview.lines else 0
    book.row(
        [None, None, None, None, "Total", total],
        [0, 0, 0, 0, bold, book.style(Style(bold=True, number_format=POUNDS))],
    )
