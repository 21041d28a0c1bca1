"""The claim as a Google Sheet tab: the same columns as the claim workbook, the plan locked,
drop-downs where the Sheets API has them, and carepay's own Status / Errors / Exceptions columns
to the right of everything the provider types (carepay writes only there, and the summary line).

Pure: values and Sheets API request bodies in, nothing sent; the gateway sends them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from carepay.domain.actuals import EXCEL_EPOCH
from carepay.domain.money import quarters_to_decimal
from carepay.domain.registers import BLANK_DAY, DAY_NAMES, DayCode
from carepay.domain.service_lines import WeeklyLine
from carepay.domain.weeks import LONDON, confirmation_deadline, week_ending
from carepay.spreadsheets.register_sheet import RegisterRow

PLAN_COLUMNS = (
    "Line Ref",
    "SS Ref",
    "Service",
    "Service Level",
    "Date",
    "Weekly Planned Quantity",
    "Weekly Number Of Visits",
)
PROVIDER_COLUMNS = (
    "Weekly Actual Quantity",
    "Weekly Frustrated Quantity",
    "Weekly Missed Quantity",
    "Weekly Extra Quantity",
    "Comments",
    "Missed Reason",
    "Confirm",
)
CAREPAY_COLUMNS = ("Status", "Errors", "Exceptions")
HEADER = (*PLAN_COLUMNS, *PROVIDER_COLUMNS, *CAREPAY_COLUMNS)
PLAN_END = len(PLAN_COLUMNS)
PROVIDER_END = PLAN_END + len(PROVIDER_COLUMNS)
CAREPAY_END = PROVIDER_END + len(CAREPAY_COLUMNS)
HEADER_ROW = 4  # 1-based; rows 1–3: title, carepay's summary line, how to fill it in
SUMMARY_CELL = "A2"
FIRST_LINE_ROW = HEADER_ROW + 1
LAST_READ_COLUMN = "N"  # the provider's last column (Confirm); carepay's columns are never read
FIRST_CAREPAY_COLUMN = "O"
MISSED_REASONS = ("Notice given", "Short notice / refused", "Provider unable to deliver")
INSTRUCTIONS_TAB = "Instructions"
HEADER_COLOUR = {"red": 0.87, "green": 0.92, "blue": 0.97}
PLAN_COLOUR = {"red": 0.93, "green": 0.93, "blue": 0.93}
STATUS_COLOURS = {
    "rejected": {"red": 0.96, "green": 0.8, "blue": 0.8},
    "held": {"red": 1.0, "green": 0.9, "blue": 0.7},
    "accepted": {"red": 0.85, "green": 0.94, "blue": 0.83},
}


def claim_tab_title(monday: date) -> str:
    return f"w/c {monday:%Y-%m-%d}"


def remittance_tab_title(run_id: str) -> str:
    return f"Remittance {run_id}"


def quoted(tab: str) -> str:
    return "'" + tab.replace("'", "''") + "'"


def read_range(tab: str) -> str:
    """Everything the provider and the plan columns hold: never carepay's own columns."""
    return f"{quoted(tab)}!A1:{LAST_READ_COLUMN}"


def claim_tab_values(
    council_name: str,
    provider_ref: str,
    provider_name: str,
    monday: date,
    lines: Sequence[WeeklyLine],
) -> list[list[Any]]:
    deadline = confirmation_deadline(monday)
    rows: list[list[Any]] = [
        [
            f"{council_name}: weekly claim for {provider_name} ({provider_ref}), week commencing "
            f"{monday:%d/%m/%Y} to Sunday {week_ending(monday):%d/%m/%Y}"
        ],
        ["carepay has not checked this tab yet: fill in the white columns."],
        [
            "Fill in Actual (and Frustrated, Missed, Extra, a Comment where it differs from plan); "
            f"tick Confirm to confirm the week by 17:00 on {deadline:%A %d/%m/%Y}. carepay "
            "checks the tab within a minute of each edit and writes the result on the right."
        ],
        list(HEADER),
    ]
    for line in sorted(lines, key=lambda line: (line.ss_ref, line.service_level, line.line_ref)):
        planned = float(quarters_to_decimal(line.planned_quarters))
        rows.append(
            [
                line.line_ref,
                line.ss_ref,
                line.service_type.value,
                line.service_level,
                f"{monday:%d/%m/%Y}",
                planned,
                "" if line.planned_visits is None else line.planned_visits,
                "",
                "",
                "",
                "",
                "",
                "",
                False,
            ]
        )
    return rows


def claim_tab_requests(
    sheet_id: int, lines: Sequence[WeeklyLine], editor_email: str
) -> list[dict[str, Any]]:
    """Protections, drop-downs and highlighting for a claim tab already added as `sheet_id`."""
    tab = _ClaimTab(sheet_id, len(lines), editor_email)
    ordered = sorted(lines, key=lambda line: (line.ss_ref, line.service_level, line.line_ref))
    frozen = {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": HEADER_ROW}}
    return [
        {
            "updateSheetProperties": {
                "properties": frozen,
                "fields": "gridProperties.frozenRowCount",
            }
        },
        tab.protect(tab.cells(0, PLAN_END, 0, tab.last), "The plan: set by the council"),
        tab.protect(tab.cells(PROVIDER_END, CAREPAY_END, 0, tab.last), "carepay's results"),
        *_entry_rules(tab),
        tab.shade(
            tab.cells(0, CAREPAY_END, HEADER_ROW - 1, HEADER_ROW),
            {"textFormat": {"bold": True}, "backgroundColor": HEADER_COLOUR},
            "userEnteredFormat(textFormat,backgroundColor)",
        ),
        tab.shade(
            tab.cells(0, PLAN_END),
            {"backgroundColor": PLAN_COLOUR},
            "userEnteredFormat.backgroundColor",
        ),
        *_no_frustrated_where_never_paid(tab, ordered),
        *_status_colours(tab),
    ]


class _ClaimTab:
    """Requests for one claim tab's grid: its lines' rows, protected for carepay's editor."""

    def __init__(self, sheet_id: int, line_count: int, editor_email: str) -> None:
        self.sheet_id = sheet_id
        self.first, self.last = FIRST_LINE_ROW - 1, FIRST_LINE_ROW - 1 + line_count  # 0-based
        self.editor_email = editor_email

    def cells(
        self, start: int, end: int, first_row: int | None = None, last_row: int | None = None
    ) -> dict[str, Any]:
        return {
            "sheetId": self.sheet_id,
            "startRowIndex": self.first if first_row is None else first_row,
            "endRowIndex": self.last if last_row is None else last_row,  # exclusive
            "startColumnIndex": start,
            "endColumnIndex": end,
        }

    def protect(self, grid: dict[str, Any], description: str) -> dict[str, Any]:
        editors = {"users": [self.editor_email]}  # carepay's service account only
        return {
            "addProtectedRange": {
                "protectedRange": {"range": grid, "description": description, "editors": editors}
            }
        }

    @staticmethod
    def validate(grid: dict[str, Any], condition: dict[str, Any], hint: str = "") -> dict[str, Any]:
        rule: dict[str, Any] = {"condition": condition, "strict": True, "showCustomUi": True}
        if hint:
            rule["inputMessage"] = hint
        return {"setDataValidation": {"range": grid, "rule": rule}}

    @staticmethod
    def shade(grid: dict[str, Any], fmt: dict[str, Any], fields: str) -> dict[str, Any]:
        return {"repeatCell": {"range": grid, "cell": {"userEnteredFormat": fmt}, "fields": fields}}


def _values(*texts: str) -> list[dict[str, str]]:
    return [{"userEnteredValue": text} for text in texts]


def _entry_rules(tab: _ClaimTab) -> list[dict[str, Any]]:
    return [
        tab.validate(
            tab.cells(PLAN_END, PLAN_END + 4),
            {"type": "NUMBER_BETWEEN", "values": _values("0", "168")},
            "Hours, in quarters: 0.25, 0.5, 0.75 …",
        ),
        tab.validate(
            tab.cells(PLAN_END + 5, PLAN_END + 6),
            {"type": "ONE_OF_LIST", "values": _values(*MISSED_REASONS)},
        ),
        tab.validate(tab.cells(PLAN_END + 6, PLAN_END + 7), {"type": "BOOLEAN"}),  # a checkbox
    ]


def _no_frustrated_where_never_paid(
    tab: _ClaimTab, ordered: Sequence[WeeklyLine]
) -> list[dict[str, Any]]:
    """V6, refused as it is typed."""
    return [
        tab.validate(
            tab.cells(PLAN_END + 1, PLAN_END + 2, row, row + 1),
            {"type": "NUMBER_EQ", "values": _values("0")},
            "No frustrated hours at day care (V6)",
        )
        for row, line in enumerate(ordered, start=tab.first)
        if not line.service_type.allows_frustrated
    ]


def _status_colours(tab: _ClaimTab) -> list[dict[str, Any]]:
    status_letter = chr(ord("A") + PROVIDER_END)
    requests = []
    for status, colour in STATUS_COLOURS.items():
        formula = f'=${status_letter}{FIRST_LINE_ROW}="{status}"'
        condition = {"type": "CUSTOM_FORMULA", "values": _values(formula)}
        rule = {
            "ranges": [tab.cells(0, CAREPAY_END)],
            "booleanRule": {"condition": condition, "format": {"backgroundColor": colour}},
        }
        requests.append({"addConditionalFormatRule": {"index": 0, "rule": rule}})
    return requests


def instructions_values(
    council_name: str, contact: str, *, claims: bool = True, registers: bool = False
) -> list[list[Any]]:
    """How to fill in the tabs: of the weekly claim, the day-care register, or both."""
    rows: list[list[Any]] = [[f"{council_name}: how to fill in your tabs"], [""]]
    if claims:
        rows += [
            ["Each week carepay adds a tab named w/c YYYY-MM-DD with your planned service lines."],
            ["Grey columns are the plan: you cannot change them. Fill in the white columns:"],
            ["  Actual: hours delivered (or cancelled at short notice and payable), in quarters."],
            ["  Frustrated: hours not delivered because the person was in hospital."],
            ["  Missed: hours not delivered; choose a Missed Reason. Extra: hours above plan."],
            ["  Comments: required whenever a row differs from plan."],
            [
                "Tick Confirm on any row to confirm the whole week, by 17:00 on the Tuesday after it."
            ],
        ]
    if registers:
        rows += [
            ["Each week carepay adds a tab named register w/c YYYY-MM-DD: one row per session,"],
            [
                "support or transport item, with A (attended) on every planned day (grey: unplanned)."
            ],
            [
                "  N absent with notice, W absent without notice (both paid), X non-payment (not paid)."
            ],
            ["  To swap a day, clear the planned day and put A on the day the person came."],
            ["  All Week N, W or X for a week away. Paid days can never exceed planned days."],
            ["Tick Submit on any row to submit the whole register, by 17:00 on the Tuesday after."],
        ]
    rows += [
        ["carepay checks each tab within a minute of each edit: Status, Errors and Exceptions"],
        ["on the right say what was accepted and what to correct. Never type a person's name."],
        ["After each payment run a Remittance tab shows what you were paid, and why."],
        [f"Questions: {contact}."],
    ]
    return rows


def sheet_rows_to_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    """The tab's rows as the CSV an upload of the same rows would be: ticked Confirm is Y."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(_csv_cell(value) for value in row)
    return buffer.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "Y" if value else ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


def status_write_back(
    feedback: dict[str, Any], checked_at: datetime
) -> list[tuple[str, list[list[Any]]]]:
    """(range, values) for carepay's columns and the summary line, from the feedback JSON.

    Every line row gets Status / Errors / Exceptions (cleared when there is nothing to say), so
    a row corrected since the last check no longer shows the old error.
    """
    by_row = {row["row"]: row for row in feedback.get("rows", [])}
    last_row = max([*by_row, FIRST_LINE_ROW - 1])
    values = []
    for number in range(FIRST_LINE_ROW, last_row + 1):
        row = by_row.get(number)
        if row is None:
            values.append(["", "", ""])
            continue
        status = row["status"]
        if (
            status == "accepted"
            and row["exceptions"]
            and any(e["code"] in ("X2", "X3") for e in row["exceptions"])
        ):
            status = "held"
        values.append(
            [
                status,
                "\n".join(f"{e['code']}: {e['message']}" for e in row["errors"] + row["warnings"]),
                "\n".join(f"{e['code']}: {e['message']}" for e in row["exceptions"]),
            ]
        )
    summary = (
        f"Checked {checked_at.astimezone(LONDON):%d/%m/%Y %H:%M}: {feedback.get('accepted', 0)} "
        f"accepted, {feedback.get('rejected', 0)} rejected. {feedback.get('next_step', '')}"
    )
    confirmations = " ".join(
        f"Week {c['week_commencing']}: {c['status']}." for c in feedback.get("confirmations", [])
    )
    return [
        (SUMMARY_CELL, [[f"{summary} {confirmations}".strip()]]),
        (f"{FIRST_CAREPAY_COLUMN}{FIRST_LINE_ROW}", values),
    ]


# The remittance tab, laid out as the remittance workbook: a header block, then one row per line
# with its week as a date and money as numbers formatted as pounds (the CSV's columns, by name).
REMITTANCE_COLUMNS = (
    ("Section", "section", "text"), ("Week commencing", "week_commencing", "date"),
    ("SS Ref", "ss_ref", "text"), ("Line Ref", "line_ref", "text"),
    ("Planned", "planned", "quantity"), ("Actual", "actual", "quantity"),
    ("Frustrated", "frustrated", "quantity"), ("Missed", "missed", "quantity"),
    ("Payable", "payable_quantity", "quantity"), ("Unit rate", "unit_rate", "money"),
    ("Amount due", "amount_due", "money"), ("Previously paid", "previously_paid", "money"),
    ("Net", "net_amount", "money"), ("Status", "status", "text"), ("Reason", "reason", "text"),
)  # fmt: skip
REMITTANCE_HEADER_ROWS = 6  # title, run, payment date, remittance number, blank, headings
NUMBER_FORMATS = {
    "date": {"type": "DATE", "pattern": "dd/mm/yyyy"},
    "quantity": {"type": "NUMBER", "pattern": "0.00"},
    "money": {"type": "CURRENCY", "pattern": '"£"#,##0.00;-"£"#,##0.00'},
}


def remittance_tab_values(
    remittance_csv: bytes, heading: str, run_id: str, payment_date: date | None
) -> list[list[Any]]:
    rows = list(csv.DictReader(io.StringIO(remittance_csv.decode("utf-8"))))
    number = rows[0].get("remittance_number", "") if rows else ""
    paid = f"{payment_date:%d/%m/%Y}" if payment_date else "as the council's run says"
    values: list[list[Any]] = [
        [heading],
        ["Payment run", run_id],
        ["Payment date", paid],
        ["Remittance number", number],
        [],
        [title for title, _, _ in REMITTANCE_COLUMNS],
    ]
    for row in rows:
        values.append(
            [_remittance_cell(row.get(key, ""), kind) for _, key, kind in REMITTANCE_COLUMNS]
        )
    return values


def _remittance_cell(text: str, kind: str) -> Any:
    if not text or kind == "text":
        return text
    if kind == "date":
        return (date.fromisoformat(text) - EXCEL_EPOCH).days
    return float(text)


def remittance_tab_requests(sheet_id: int, rows: int) -> list[dict[str, Any]]:
    """Dates as dates, money as pounds, the headings bold and kept in view."""
    tab = _ClaimTab(sheet_id, 0, "")
    first, last = REMITTANCE_HEADER_ROWS, REMITTANCE_HEADER_ROWS + rows
    requests: list[dict[str, Any]] = [
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": first}},
                "fields": "gridProperties.frozenRowCount",
            }
        },
        tab.shade(
            tab.cells(0, len(REMITTANCE_COLUMNS), first - 1, first),
            {"textFormat": {"bold": True}, "backgroundColor": HEADER_COLOUR},
            "userEnteredFormat(textFormat,backgroundColor)",
        ),
        tab.shade(
            tab.cells(0, 1, 0, 1), {"textFormat": {"bold": True}}, "userEnteredFormat.textFormat"
        ),
    ]
    for column, (_, _, kind) in enumerate(REMITTANCE_COLUMNS):
        if kind in NUMBER_FORMATS:
            requests.append(
                tab.shade(
                    tab.cells(column, column + 1, first, last),
                    {"numberFormat": NUMBER_FORMATS[kind]},
                    "userEnteredFormat.numberFormat",
                )
            )
    return requests


# -- a day centre's register as a tab --------------------------------------------------------------
# The same grid as a claim tab (fourteen columns the provider and the plan fill, carepay's three
# after them), so a register tab is read, and its checks written back, exactly as a claim tab is.
REGISTER_PLAN_COLUMNS = ("Line Ref", "SS Ref", "Service Level", "Week Commencing")
REGISTER_PROVIDER_COLUMNS = (*DAY_NAMES, "All Week", "Comments", "Submit")
REGISTER_HEADER = (*REGISTER_PLAN_COLUMNS, *REGISTER_PROVIDER_COLUMNS, *CAREPAY_COLUMNS)
REGISTER_PLAN_END = len(REGISTER_PLAN_COLUMNS)
UNPLANNED_COLOUR = {"red": 0.85, "green": 0.85, "blue": 0.85}


def register_tab_title(monday: date) -> str:
    return f"register w/c {monday:%Y-%m-%d}"


def tab_week(title: str) -> date:
    """The Monday a claim or register tab is for."""
    return date.fromisoformat(title.rsplit("w/c ", 1)[1])


def register_tab_values(
    council_name: str,
    provider_ref: str,
    provider_name: str,
    monday: date,
    rows: Sequence[RegisterRow],
) -> list[list[Any]]:
    deadline = confirmation_deadline(monday)
    values: list[list[Any]] = [
        [
            f"{council_name}: day-care register for {provider_name} ({provider_ref}), week "
            f"commencing {monday:%d/%m/%Y} to Sunday {week_ending(monday):%d/%m/%Y}"
        ],
        ["carepay has not checked this tab yet: change only what differs from the plan."],
        [
            "Each planned day says A. Mark N (absent with notice), W (without notice) or X "
            "(non-payment); move an A to swap a day; All Week for a week away. Tick Submit by "
            f"17:00 on {deadline:%A %d/%m/%Y}. carepay checks the tab within a minute of each edit."
        ],
        list(REGISTER_HEADER),
    ]
    for row in rows:
        codes = [code.replace(BLANK_DAY, "") for code in row.day_codes]
        values.append(
            [row.line_ref, row.ss_ref, row.service_level, f"{monday:%d/%m/%Y}", *codes, "",
             row.comments, row.submitted]
        )  # fmt: skip
    return values


def register_tab_requests(
    sheet_id: int, rows: Sequence[RegisterRow], editor_email: str
) -> list[dict[str, Any]]:
    """The register's protections, drop-downs of codes and shaded unplanned days."""
    tab = _ClaimTab(sheet_id, len(rows), editor_email)
    first_day, all_week = REGISTER_PLAN_END, REGISTER_PLAN_END + len(DAY_NAMES)
    frozen = {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": HEADER_ROW}}
    requests = [
        {
            "updateSheetProperties": {
                "properties": frozen,
                "fields": "gridProperties.frozenRowCount",
            }
        },
        tab.protect(tab.cells(0, REGISTER_PLAN_END, 0, tab.last), "The plan: set by the council"),
        tab.protect(tab.cells(PROVIDER_END, CAREPAY_END, 0, tab.last), "carepay's results"),
        tab.validate(
            tab.cells(first_day, all_week),
            {"type": "ONE_OF_LIST", "values": _values(*(code.value for code in DayCode))},
            "A attended, N with notice, W without notice, X non-payment",
        ),
        tab.validate(
            tab.cells(all_week, all_week + 1),
            {"type": "ONE_OF_LIST", "values": _values("N", "W", "X")},
            "Absent all week",
        ),
        tab.validate(tab.cells(PROVIDER_END - 1, PROVIDER_END), {"type": "BOOLEAN"}),
        tab.shade(
            tab.cells(0, CAREPAY_END, HEADER_ROW - 1, HEADER_ROW),
            {"textFormat": {"bold": True}, "backgroundColor": HEADER_COLOUR},
            "userEnteredFormat(textFormat,backgroundColor)",
        ),
        tab.shade(
            tab.cells(0, REGISTER_PLAN_END),
            {"backgroundColor": PLAN_COLOUR},
            "userEnteredFormat.backgroundColor",
        ),
    ]
    for row_index, row in enumerate(rows, start=tab.first):
        for start, end in _unplanned_spans(row.planned_days):
            requests.append(
                tab.shade(
                    tab.cells(first_day + start, first_day + end, row_index, row_index + 1),
                    {"backgroundColor": UNPLANNED_COLOUR},
                    "userEnteredFormat.backgroundColor",
                )
            )
    return [*requests, *_status_colours(tab)]


def _unplanned_spans(planned_days: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of unplanned days as (first, after last), so a row is shaded in a request or two."""
    spans: list[tuple[int, int]] = []
    for day in range(len(DAY_NAMES)):
        if day in planned_days:
            continue
        if spans and spans[-1][1] == day:
            spans[-1] = (spans[-1][0], day + 1)
        else:
            spans.append((day, day + 1))
    return spans
