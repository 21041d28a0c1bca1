"""The weekly claim workbook: the plan locked, entries validated, and it reads back as an upload."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from openpyxl import load_workbook

from carepay.domain.payment_run import PaymentPreview
from carepay.domain.service_lines import ServiceType
from carepay.spreadsheets.claim_workbook import (
    CLAIM_SHEET,
    COLUMNS,
    CONTROCC_CSV_COLUMNS,
    CouncilNotice,
    write_claim_csv,
)
from carepay.spreadsheets.claim_xlsx import write_claim_workbook
from carepay.spreadsheets.reading import normalise_header, read_table
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD
from tests.domain.builders import line_version, plan_of

WEEK = date(2023, 1, 9)
NOTICE = CouncilNotice("Example Council", contact="payments@example.gov.uk", message="Welcome")


def claim(*versions: Any, notice: CouncilNotice = NOTICE) -> Any:
    plan = plan_of(*versions)
    lines = list(plan.lines_for_week(WEEK).values())
    content = write_claim_workbook("P001", "Acme Home Care", WEEK, lines, notice)
    return load_workbook(io.BytesIO(content)), content


def header_row(sheet: Any) -> int:
    return next(row for row in range(1, 20) if sheet.cell(row=row, column=1).value == "Line Ref")


def test_every_column_is_one_the_upload_reads() -> None:
    assert all(
        ACTUALS_UPLOAD.key_for(title) or normalise_header(title) in ACTUALS_UPLOAD.ignored
        for title, _, _ in COLUMNS
    )
    assert all(ACTUALS_UPLOAD.key_for(title) for title in CONTROCC_CSV_COLUMNS)


def test_the_plan_is_locked_and_only_entry_cells_are_unlocked() -> None:
    workbook, _ = claim(line_version("L1"), line_version("L2", "SS200"))
    sheet = workbook[CLAIM_SHEET]
    first = header_row(sheet) + 1
    assert sheet.protection.sheet
    unlocked = {
        title
        for column, (title, _, _) in enumerate(COLUMNS, start=1)
        if not sheet.cell(row=first, column=column).protection.locked
    }
    assert unlocked == {title for title, _, entry in COLUMNS if entry}
    assert sheet.cell(row=first, column=7).value == 5.0  # Actual pre-filled with the plan
    assert not sheet["D3"].protection.locked  # the declaration, for the whole week


def test_frustrated_and_extra_are_refused_in_the_sheet_where_the_service_never_pays_them() -> None:
    workbook, _ = claim(
        line_version("L1"),
        line_version("L2", "SS200", service_type=ServiceType.SUPPORT_AT_DAY_CARE),
    )
    sheet = workbook[CLAIM_SHEET]
    refusals = {
        str(v.sqref): v.error
        for v in sheet.data_validations.dataValidation
        if v.errorTitle == "Not for this service"
    }
    day_care_row = header_row(sheet) + 2  # SS200 sorts after SS100
    assert any(
        f"H{day_care_row}" in ref and "Frustrated" in error for ref, error in refusals.items()
    )
    assert any(f"J{day_care_row}" in ref and "Extra" in error for ref, error in refusals.items())
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert '"Notice given,Short notice / refused,Provider unable to deliver"' in lists


def test_a_row_needing_a_comment_is_highlighted_and_totals_are_formulas() -> None:
    workbook, _ = claim(line_version("L1"), line_version("L2", "SS200"))
    sheet = workbook[CLAIM_SHEET]
    [rule_range] = [str(r.sqref) for r in sheet.conditional_formatting]
    assert rule_range.startswith("K")
    header = header_row(sheet)
    assert sheet.cell(row=header - 1, column=1).value == "Totals"
    assert sheet.cell(row=header - 1, column=7).value == f"=SUM(G{header + 1}:G{header + 2})"


def test_a_council_message_that_looks_like_a_formula_is_written_as_text() -> None:
    workbook, _ = claim(notice=CouncilNotice("Example Council", message='=HYPERLINK("x")'))
    assert workbook[CLAIM_SHEET]["F3"].data_type == "s"
    assert workbook["Instructions"]["A1"].data_type == "s"


def test_the_untouched_workbook_reads_back_as_the_plan() -> None:
    _, content = claim(line_version("L1"), line_version("L2", "SS200"))
    table = read_table(content, "claim.xlsx", ACTUALS_UPLOAD)
    rows = list(table.rows)
    assert [(r.cells["line_ref"], r.cells["actual"]) for r in rows] == [("L1", 5.0), ("L2", 5.0)]
    assert not table.declared and table.findings == []


def test_the_csv_is_in_controcc_order_and_reads_back() -> None:
    plan = plan_of(line_version("L1"), line_version("L2", "SS200"))
    content = write_claim_csv(WEEK, list(plan.lines_for_week(WEEK).values()))
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(header) == CONTROCC_CSV_COLUMNS
    rows = list(read_table(content, "claim.csv", ACTUALS_UPLOAD).rows)
    assert [(r.cells["ss_ref"], r.cells["date"], r.cells["actual"]) for r in rows] == [
        ("SS100", "09/01/2023", "5.00"),
        ("SS200", "09/01/2023", "5.00"),
    ]


def test_a_csv_cell_that_would_run_as_a_formula_is_written_as_text() -> None:
    plan = plan_of(line_version("L1", "=cmd|'/c calc'!A1"), line_version("L2", "SS200"))
    content = write_claim_csv(WEEK, list(plan.lines_for_week(WEEK).values())).decode("utf-8-sig")
    assert "'=cmd|" in content and "\n=cmd" not in content


def test_a_payment_preview_with_nothing_to_pay_totals_nought_and_says_whose_it_is() -> None:
    lines = list(plan_of(line_version()).lines_for_week(WEEK).values())
    preview = PaymentPreview(WEEK, [], "Nothing to confirm for this week.")
    content = write_claim_workbook("P001", "Acme", WEEK, lines, NOTICE, preview)
    sheet: Any = load_workbook(io.BytesIO(content))["Payment preview"]
    assert (sheet["E5"].value, sheet["F5"].value) == ("Total", 0)  # never a SUM of itself
    assert sheet.oddHeader.center.text == (
        "Example Council: payment preview for Acme (P001), w/c 09/01/2023"
    )
