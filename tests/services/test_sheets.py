"""The Sheets service on DynamoDB, S3 and the local fake of Google's API: a linked sheet gets the
week's tab, a provider's edits are checked as an upload would be, and the answer is written back
into the sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from carepay.adapters.dynamodb.sheets import SheetLinks
from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.adapters.dynamodb.table import Table
from carepay.adapters.sheets import SheetsGateway
from carepay.services.sheets import SheetRequestRefused, SheetsService
from carepay.services.submissions import SubmissionService
from carepay.spreadsheets.claim_sheet import FIRST_LINE_ROW, HEADER
from carepay_local.fake_sheets import FakeSheets, fake_service_account
from tests.services.conftest import TABLE, Council

WEEK = date(2026, 11, 9)
TAB = "w/c 2026-11-09"


class Queued:
    def __init__(self) -> None:
        self.sheets: list[str] = []

    def request_sync(self, spreadsheet_id: str, deduplication_id: str, reason: str) -> None:
        self.sheets.append(spreadsheet_id)


@pytest.fixture
def google() -> FakeSheets:
    return FakeSheets()


@pytest.fixture
def sheets(council: Council, submissions: SubmissionService, google: FakeSheets) -> SheetsService:
    gateway = SheetsGateway(fake_service_account(), transport=google.transport())
    return SheetsService(
        SheetLinks(Table(TABLE)),
        SubmissionStore(TABLE),
        submissions,
        council.documents,
        lambda: gateway,
        Queued(),
        "Example Council",
        "payments@example.gov.uk",
        clock=lambda: datetime(2026, 11, 16, 10, tzinfo=UTC),
    )


def cell(heading: str, line: int = 0) -> str:
    return f"{chr(ord('A') + HEADER.index(heading))}{FIRST_LINE_ROW + line}"


def test_a_linked_sheet_gets_the_weeks_tab_once(sheets: SheetsService, google: FakeSheets) -> None:
    sheet_id = google.create("Bradford claims")
    assert sheets.link("P002", sheet_id).outcome == "linked"
    prepared = sheets.prepare("P002", WEEK)
    assert (prepared.outcome, prepared.tab, prepared.lines) == ("prepared", TAB, 2)
    assert sheets.prepare("P002", WEEK).outcome == "already prepared"
    assert {TAB, "Instructions"} <= set(google.titles(sheet_id))


def test_preparing_a_sheet_that_was_never_linked_says_how_to_link_it(
    sheets: SheetsService,
) -> None:
    with pytest.raises(SheetRequestRefused, match="carepay sheets link --provider P002"):
        sheets.prepare("P002", WEEK)


def test_an_edit_is_checked_stored_and_answered_in_the_sheet(
    sheets: SheetsService, google: FakeSheets, store: SubmissionStore
) -> None:
    sheet_id = google.create("Bradford claims")
    sheets.link("P002", sheet_id)
    sheets.prepare("P002", WEEK)
    for heading, value in (
        ("Weekly Actual Quantity", 3),
        ("Weekly Missed Quantity", 3),
        ("Comments", "Closed for a day"),
        ("Missed Reason", "Notice given"),
    ):
        google.type_in(sheet_id, TAB, cell(heading), value)
    google.type_in(sheet_id, TAB, cell("Weekly Actual Quantity", line=1), 4)
    google.type_in(sheet_id, TAB, cell("Weekly Frustrated Quantity", line=1), 2)  # V6 at day care

    synced = sheets.sync(sheet_id)
    assert synced.outcome == "synced" and synced.tabs is not None
    assert (synced.tabs[TAB].accepted, synced.tabs[TAB].rejected) == (1, 1)
    stored = store.stored_line_weeks("P002", WEEK, WEEK)
    actuals = stored[("L2001", WEEK)].actuals
    assert actuals is not None and actuals.actual_quarters == 12
    rows = google.values(sheet_id, TAB)
    status = HEADER.index("Status")
    assert rows[FIRST_LINE_ROW - 1][status] == "accepted"
    assert rows[FIRST_LINE_ROW][status] == "rejected" and "V6" in rows[FIRST_LINE_ROW][status + 1]
