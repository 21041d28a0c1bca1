"""The submission service on DynamoDB and S3: what a provider is told is what is stored."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.services.submissions import SubmissionService
from tests.services.conftest import Council

WEEK = date(2026, 11, 9)


def claim(*rows: str) -> bytes:
    return ("SS Ref,Date,Weekly Actual Quantity,Comments\n" + "\n".join(rows) + "\n").encode()


def test_an_upload_stores_its_accepted_rows_and_says_why_the_others_were_rejected(
    council: Council, submissions: SubmissionService, store: SubmissionStore
) -> None:
    arrival = council.arrives(
        "uploads/P001/claim.csv", claim("SS1001,09/11/2026,5,", "SS9999,09/11/2026,5,")
    )
    summary = submissions.handle(arrival)
    assert (summary.accepted, summary.rejected, summary.file_rejected) == (1, 1, False)
    feedback = json.loads(council.outbound(summary.feedback_key))
    [unknown] = [row for row in feedback["rows"] if row["status"] == "rejected"]
    assert unknown["row"] == 3 and unknown["errors"][0]["code"] == "V2"
    stored = store.stored_line_weeks("P001", WEEK, WEEK)
    assert [line for line, _ in stored] == ["L1001"]
    assert council.outbound("feedback/P001/claim.feedback.xlsx").startswith(b"PK")


def test_the_same_delivery_again_is_answered_from_its_commit_and_changes_nothing(
    council: Council, submissions: SubmissionService, store: SubmissionStore
) -> None:
    arrival = council.arrives("uploads/P001/claim.csv", claim("SS1001,09/11/2026,4,Left early"))
    first = submissions.handle(arrival)
    version = store.provider_version("P001")
    again = submissions.handle(arrival)
    assert again.duplicate and not first.duplicate
    assert (again.accepted, again.upload_id) == (first.accepted, first.upload_id)
    assert store.provider_version("P001") == version  # nothing committed the second time


def test_a_file_outside_a_providers_folder_is_refused_with_what_to_do_and_logged(
    council: Council, submissions: SubmissionService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="carepay.services.submissions")
    summary = submissions.handle(
        council.arrives("uploads/claim.csv", claim("SS1001,09/11/2026,5,"))
    )
    assert summary.file_rejected
    feedback = json.loads(council.outbound(summary.feedback_key))
    assert "uploads/{your provider reference}/" in feedback["next_step"]
    [logged] = [r for r in caplog.records if r.getMessage() == "upload refused"]
    assert logged.upload_id == summary.upload_id  # type: ignore[attr-defined]


def test_a_confirmation_confirms_the_week_as_planned_where_nothing_was_reported(
    council: Council, submissions: SubmissionService, store: SubmissionStore
) -> None:
    submissions.handle(
        council.arrives("uploads/P001/claim.csv", claim("SS1001,09/11/2026,4,Left early"))
    )
    body = json.dumps({"week_commencing": "2026-11-09"}).encode()
    summary = submissions.handle(council.arrives("confirmations/P001/confirm.json", body))
    [confirmation] = summary.confirmations
    assert confirmation["status"] == "confirmed"
    stored = store.stored_line_weeks("P001", WEEK, WEEK)
    actuals = {line: s.actuals for (line, _), s in stored.items() if s.actuals}
    assert all(a.confirmed for a in actuals.values()) and len(actuals) == 12
    assert actuals["L1001"].actual_quarters == 16  # the report kept, the rest as planned
