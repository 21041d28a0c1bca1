"""The weekly claim workbook (PCF) a provider fills in: hard to get wrong, and read back as is.

One row per planned service line, Actual pre-filled with the plan. The plan's columns are locked;
entry cells are unlocked and validated in the sheet itself (quarter hours, drop-downs, Frustrated
and Extra refused where the service type never pays them). A row that differs from the plan and
has no comment turns amber before the provider uploads. Headers are the upload's own, so the
file comes back as it went out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from carepay.domain.money import quarters_to_decimal
from carepay.domain.service_lines import WeeklyLine
from carepay.spreadsheets.layout import (
    column_letter,
    csv_text,
)
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD

CLAIM_SHEET = "Claim"
DECLARATION_LABEL = ACTUALS_UPLOAD.declaration_label
MISSED_REASONS = ("Notice given", "Short notice / refused", "Provider unable to deliver")

# The claim sheet's columns, in the order a provider reads them; headers are the upload schema's.
COLUMNS = (
    ("Line Ref", 10, False),
    ("SS Ref", 12, False),
    ("Service Level", 18, False),
    ("Date", 12, False),
    ("Weekly Planned Quantity", 12, False),
    ("Weekly Number Of Visits", 10, False),
    ("Weekly Actual Quantity", 12, True),
    ("Weekly Frustrated Quantity", 12, True),
    ("Weekly Missed Quantity", 12, True),
    ("Weekly Extra Quantity", 12, True),
    ("Comments", 40, True),
    ("Missed Reason", 24, True),
    ("Confirm", 9, True),
    ("Check", 18, False),  # a formula: says what the row still needs, before it is uploaded
)
NEEDS_A_COMMENT = "Comment needed"
# The ContrOCC bulk-import order, for providers whose systems import CSV.
CONTROCC_CSV_COLUMNS = (
    "SS Ref", "Date", "Weekly Actual Quantity", "Service", "Service Level", "Line Ref",
    "Weekly Planned Quantity", "Weekly Frustrated Quantity", "Weekly Missed Quantity",
    "Weekly Extra Quantity", "Weekly Number Of Visits", "Comments", "Missed Reason", "Confirm",
)  # fmt: skip
BANNER_FILLS = {"welcome": "E2EFDA", "warning": "FFEB9C", "error": "FFC7CE"}
# The sheet's own check of a quantity cell, as the claim and its feedback copy make it: the
# kind, the formula ({cell}: the first cell of the range it checks), the title and message.
QUARTER_HOURS = (
    "custom",
    "=AND(ISNUMBER({cell}),{cell}>=0,{cell}<=168,MOD({cell}*4,1)=0)",
    "Quarter hours only",
    "Enter hours in quarters between 0 and 168: 0.25, 0.5, 0.75, 1.00 …",
)


@dataclass(frozen=True)
class CouncilNotice:
    """What the council tells providers on every workbook (the day-care portal's message banner)."""

    council_name: str
    contact: str = "your council's provider payments team"
    message: str = ""
    level: str = "welcome"  # welcome | warning | error


COLUMN_LETTER = {title: column_letter(index + 1) for index, (title, _, _) in enumerate(COLUMNS)}


def write_claim_csv(monday: date, lines: Sequence[WeeklyLine]) -> bytes:
    """The same claim in the ContrOCC bulk-import column order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CONTROCC_CSV_COLUMNS)
    for line in sorted(lines, key=lambda l: (l.ss_ref, l.service_level, l.line_ref)):  # noqa: E741
        planned = f"{quarters_to_decimal(line.planned_quarters):.2f}"
        row = {
            "SS Ref": line.ss_ref,
            "Date": f"{monday:%d/%m/%Y}",
            "Weekly Actual Quantity": planned,
            "Service Level": line.service_level,
            "Line Ref": line.line_ref,
            "Weekly Planned Quantity": planned,
            "Weekly Number Of Visits": "" if line.planned_visits is None else line.planned_visits,
        }
        writer.writerow([csv_text(row.get(column, "")) for column in CONTROCC_CSV_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM so Excel reads UTF-8
