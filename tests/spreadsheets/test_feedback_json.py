"""The feedback JSON's rows, as the README documents them: every field named, findings as lists of
objects, and the same feedback read back from the JSON."""

from __future__ import annotations

import json
from datetime import date, datetime

from carepay.domain.weeks import LONDON
from carepay.spreadsheets.feedback import FindingOut, RowFeedback, SubmissionFeedback


def feedback_of(*rows: RowFeedback) -> SubmissionFeedback:
    return SubmissionFeedback(
        kind="upload", provider_ref="P001", file="claim.csv", source_key="uploads/P001/claim.csv",
        upload_id="u1", uploaded_at=datetime(2026, 11, 16, 9, 30, tzinfo=LONDON), rows=list(rows),
    )  # fmt: skip


def test_each_row_names_every_field_and_lists_its_findings_as_objects() -> None:
    rejected = RowFeedback(
        row=3,
        status="rejected",
        line_ref="L1001",
        week_commencing=date(2026, 11, 9),
        errors=(FindingOut("V1", "Weekly Actual Quantity must be a number", "Weekly Actual"),),
    )
    accepted = RowFeedback(row=2, status="accepted")
    written = json.loads(feedback_of(accepted, rejected).model_dump_json(indent=1))
    assert written["rows"] == [
        {"row": 2, "status": "accepted", "sheet": "", "line_ref": None, "week_commencing": None,
         "errors": [], "warnings": [], "exceptions": []},
        {"row": 3, "status": "rejected", "sheet": "", "line_ref": "L1001",
         "week_commencing": "2026-11-09",
         "errors": [{"code": "V1", "message": "Weekly Actual Quantity must be a number",
                     "column": "Weekly Actual"}],
         "warnings": [], "exceptions": []},
    ]  # fmt: skip


def test_feedback_read_back_from_its_json_is_the_feedback_written() -> None:
    row = RowFeedback(row=4, status="accepted", exceptions=(FindingOut("X1", "short notice"),))
    feedback = feedback_of(row)
    assert SubmissionFeedback.model_validate_json(feedback.model_dump_json()) == feedback
