"""The feedback workbook a provider opens: their rows, what happened to each, and what to do next."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from carepay.domain.weeks import LONDON
from carepay.spreadsheets.feedback import FindingOut, RowFeedback, SubmissionFeedback
from carepay.spreadsheets.feedback_xlsx import (
    FLAGGED_FILL,
    REJECTED_FILL,
    write_feedback_workbook,
)


def feedback_with(rows: list[RowFeedback]) -> SubmissionFeedback:
    return SubmissionFeedback(
        kind="upload",
        provider_ref="P001",
        provider_name="Acme Home Care",
        file="claim.csv",
        source_key="uploads/P001/claim.csv",
        upload_id="u1",
        uploaded_at=datetime(2026, 11, 16, 9, 30, tzinfo=LONDON),
        accepted=sum(r.status == "accepted" for r in rows),
        rejected=sum(r.status == "rejected" for r in rows),
        next_step="1 row was rejected: correct it using the Errors column and upload again.",
        rows=rows,
    )


def write(comments: str) -> bytes:
    rows = [
        RowFeedback(row=2, status="accepted"),
        RowFeedback(
            row=3,
            status="rejected",
            errors=[FindingOut(code="V5", message="A comment is required.", column="Comments")],
        ),
    ]
    columns = [("SS Ref", "ss_ref"), ("Client Name", None), ("Comments", "comments")]
    provider_rows = [
        (2, {"ss_ref": "SS1", "comments": comments}),
        (3, {"ss_ref": "SS2", "comments": comments}),
    ]
    return write_feedback_workbook(feedback_with(rows), columns, provider_rows, "Example Council")


def test_rows_are_repeated_with_status_and_errors_and_rejected_rows_are_red() -> None:
    workbook = load_workbook(io.BytesIO(write("fine")))
    sheet = workbook["Rows"]
    assert [c.value for c in sheet[1]] == [
        "Row",
        "SS Ref",
        "Comments",
        "Status",
        "Errors",
        "Warnings",
        "Exceptions",
    ]
    assert [c.value for c in sheet[3]][:5] == [
        3,
        "SS2",
        "fine",
        "rejected",
        "V5: A comment is required.",
    ]
    assert sheet["A3"].fill.fgColor.rgb.endswith(REJECTED_FILL)
    assert not sheet["A2"].fill.fgColor.rgb.endswith(REJECTED_FILL)


def test_each_error_is_written_beside_the_cell_it_is_about() -> None:
    sheet = load_workbook(io.BytesIO(write("fine")))["Rows"]
    comments_cell = sheet["C3"]  # the V5 error is about Comments
    assert comments_cell.comment is not None and "V5" in comments_cell.comment.text
    assert comments_cell.fill.fgColor.rgb.endswith(FLAGGED_FILL)
    assert sheet["B3"].comment is None


def test_the_summary_says_what_to_do_next() -> None:
    summary = load_workbook(io.BytesIO(write("fine")))["Summary"]
    labels = {row[0].value: row[1].value for row in summary.iter_rows(min_row=3, max_row=8)}
    assert labels["Rows rejected"] == 1
    assert labels["What to do next"].startswith("1 row was rejected")
    assert workbook_sheet_names(write("fine")) == ["Summary", "Rows"]


def test_a_comment_that_looks_like_a_formula_is_written_as_text() -> None:
    for dangerous in ('=HYPERLINK("http://example.invalid")', "+1+1", "-2", "@SUM(A1)", "\tx"):
        rows = load_workbook(io.BytesIO(write(dangerous)))["Rows"]
        for accepted_or_rejected in (rows["C2"], rows["C3"]):
            assert accepted_or_rejected.data_type == "s"
            assert accepted_or_rejected.value == dangerous


def test_a_names_column_is_not_repeated_in_the_feedback() -> None:
    header = [c.value for c in load_workbook(io.BytesIO(write("fine")))["Rows"][1]]
    assert "Client Name" not in header


def workbook_sheet_names(content: bytes) -> list[str]:
    return load_workbook(io.BytesIO(content)).sheetnames


def test_control_characters_and_a_huge_cell_are_shown_safely_not_a_crash() -> None:
    """A NUL or a form feed in a cell made the feedback writer raise; a 200,000-character cell
    is more than a workbook cell can show."""
    workbook = load_workbook(io.BytesIO(write("bell\x07 nul\x00 tab\tline\nend" + "x" * 200_000)))
    shown = workbook["Rows"].cell(row=2, column=3).value
    assert shown.startswith("bell nul tab\tline\nend") and shown.endswith("…")
    assert len(shown) == 1_001


def test_the_ready_to_fix_copy_keeps_the_claims_drop_downs_and_quarter_hour_check() -> None:
    columns = [("SS Ref", "ss_ref"), ("Weekly Actual Quantity", "actual"),
               ("Missed Reason", "missed_reason"), ("Confirm", "confirm")]  # fmt: skip
    provider_rows = [(2, {"ss_ref": "SS1", "actual": 7.3}), (3, {"ss_ref": "SS2", "actual": 5})]
    rows = [RowFeedback(row=2, status="rejected"), RowFeedback(row=3, status="accepted")]
    content = write_feedback_workbook(feedback_with(rows), columns, provider_rows, "Council")
    rules = {
        str(rule.sqref): (rule.type, rule.formula1)
        for rule in load_workbook(io.BytesIO(content))["Rows"].data_validations.dataValidation
    }
    # as Excel stores a rule: the formula without its "="
    assert rules["C2:C3"] == ("custom", "AND(ISNUMBER(C2),C2>=0,C2<=168,MOD(C2*4,1)=0)")
    assert rules["D2:D3"] == (
        "list",
        '"Notice given,Short notice / refused,Provider unable to deliver"',
    )
    assert rules["E2:E3"] == ("list", '"Y,N"')
