"""gspread's own code against the local fake of the Sheets API: the fake answers as Google does.

The network is blocked for every test (pytest-socket); these run through the fake's transport.
"""

from __future__ import annotations

import socket
from typing import Any

import gspread
import pytest
import requests
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError

from carepay.adapters.sheets import SheetsGateway
from carepay.ports.errors import SheetNotShared, SheetUnavailable
from carepay_local.fake_sheets import FakeSheets, fake_service_account

SERVICE_ACCOUNT = fake_service_account()


@pytest.fixture
def fake() -> FakeSheets:
    return FakeSheets()


def real_gspread_client(fake: FakeSheets) -> gspread.Client:
    """gspread as a council would build it, its session's transport the fake."""
    credentials = Credentials.from_service_account_info(
        SERVICE_ACCOUNT, scopes=["https://www.googleapis.com/auth/spreadsheets"]
    )
    token_session = AuthorizedSession(credentials)  # unused: the credential path below is real
    del token_session

    to_google = requests.Session()
    to_google.mount("https://", fake.transport())
    session = AuthorizedSession(credentials, auth_request=Request(to_google))
    session.mount("https://", fake.transport())
    return gspread.Client(auth=credentials, session=session)


def test_the_service_account_signs_in_through_the_token_endpoint_and_gspread_reads(
    fake: FakeSheets,
) -> None:
    sheet_id = fake.create("Acme claims")
    fake.type_in(sheet_id, "Sheet1", "A1", "SS Ref")
    fake.type_in(sheet_id, "Sheet1", "B2", 5.5)
    client = real_gspread_client(fake)
    worksheet = client.open_by_key(sheet_id).sheet1
    assert worksheet.get_all_values() == [["SS Ref", ""], ["", "5.5"]]
    assert len(fake.tokens) == 1  # one token, fetched with a real signed JWT assertion
    assert ("GET", f"/v4/spreadsheets/{sheet_id}") in fake.requests


def test_a_request_without_the_token_is_refused_as_google_would(fake: FakeSheets) -> None:
    sheet_id = fake.create("Acme claims")
    code, body = fake.answer(
        "GET", f"https://sheets.googleapis.com/v4/spreadsheets/{sheet_id}", {}, None
    )
    assert code == 401 and body["error"]["status"] == "UNAUTHENTICATED"


def test_empty_ranges_have_no_values_key_and_trailing_blanks_are_trimmed(fake: FakeSheets) -> None:
    sheet_id = fake.create("Claims")
    fake.type_in(sheet_id, "Sheet1", "A1", "x")
    fake.type_in(sheet_id, "Sheet1", "C3", "")
    client = real_gspread_client(fake)
    answer: dict[str, Any] = client.http_client.values_batch_get(
        sheet_id, ["Sheet1!A1:D5", "Sheet1!E10:F12"]
    )
    first, empty = answer["valueRanges"]
    assert first["values"] == [["x"]] and first["range"] == "'Sheet1'!A1:D5"
    assert "values" not in empty


def test_values_written_user_entered_are_typed_and_raw_stay_text(fake: FakeSheets) -> None:
    sheet_id = fake.create("Claims")
    client = real_gspread_client(fake)
    spreadsheet = client.open_by_key(sheet_id)
    spreadsheet.values_update(
        "Sheet1!A1",
        params={"valueInputOption": "USER_ENTERED"},
        body={"values": [["5", "TRUE", "=1+1"]]},
    )
    spreadsheet.values_update(
        "Sheet1!A2", params={"valueInputOption": "RAW"}, body={"values": [["5"]]}
    )
    assert fake.values(sheet_id, "Sheet1") == [[5, True, "=1+1"], ["5"]]
    unformatted = spreadsheet.values_get(
        "Sheet1!A1:C1", params={"valueRenderOption": "UNFORMATTED_VALUE"}
    )
    assert unformatted["values"] == [[5, True, "=1+1"]]
    assert spreadsheet.values_get("Sheet1!A1:C1")["values"] == [["5", "TRUE", "=1+1"]]


def test_tabs_protections_and_drop_downs_are_kept_and_an_unknown_tab_is_invalid(
    fake: FakeSheets,
) -> None:
    sheet_id = fake.create("Claims")
    client = real_gspread_client(fake)
    spreadsheet = client.open_by_key(sheet_id)
    reply = spreadsheet.batch_update(
        {"requests": [{"addSheet": {"properties": {"title": "w/c 2026-11-09"}}}]}
    )
    tab_id = reply["replies"][0]["addSheet"]["properties"]["sheetId"]
    plan_columns = {"sheetId": tab_id, "startColumnIndex": 0, "endColumnIndex": 2}
    confirm_column = {"sheetId": tab_id, "startColumnIndex": 5, "endColumnIndex": 6}
    spreadsheet.batch_update({"requests": [
        {"addProtectedRange": {"protectedRange": {"range": plan_columns, "description": "plan"}}},
        {"setDataValidation": {"range": confirm_column, "rule": {"condition": {"type": "BOOLEAN"}}}},
    ]})  # fmt: skip
    assert fake.titles(sheet_id) == ["Sheet1", "w/c 2026-11-09"]
    with pytest.raises(PermissionError):
        fake.type_in(sheet_id, "w/c 2026-11-09", "A2", "changed")
    with pytest.raises(APIError) as refused:
        spreadsheet.values_get("'No such tab'!A1")
    assert refused.value.code == 400 and "Unable to parse range" in str(refused.value)
    with pytest.raises(APIError) as duplicate:
        spreadsheet.batch_update(
            {"requests": [{"addSheet": {"properties": {"title": "w/c 2026-11-09"}}}]}
        )
    assert "already exists" in str(duplicate.value)


def test_the_gateway_retries_a_429_with_jitter_and_then_reads(fake: FakeSheets) -> None:
    sheet_id = fake.create("Claims")
    fake.type_in(sheet_id, "Sheet1", "A1", "SS Ref")
    slept: list[float] = []
    gateway = SheetsGateway(SERVICE_ACCOUNT, transport=fake.transport(), sleep=slept.append)
    fake.fail_with_quota_exceeded(times=2)
    assert gateway.read(sheet_id, ["Sheet1"]) == [[["SS Ref"]]]
    assert len(slept) == 2 and all(0 <= s <= 2 for s in slept)
    assert gateway.calls["read"] == 3  # every attempt counts against the quota


def test_the_gateway_gives_up_after_its_attempts_rather_than_sleeping_for_ever(
    fake: FakeSheets,
) -> None:
    sheet_id = fake.create("Claims")
    slept: list[float] = []
    gateway = SheetsGateway(
        SERVICE_ACCOUNT, transport=fake.transport(), sleep=slept.append, attempts=3
    )
    fake.fail_with_quota_exceeded(times=10)
    with pytest.raises(SheetUnavailable, match="429"):
        gateway.read(sheet_id, ["Sheet1"])
    assert len(slept) == 2


def test_a_sheet_not_shared_with_carepay_says_how_to_share_it(fake: FakeSheets) -> None:
    gateway = SheetsGateway(SERVICE_ACCOUNT, transport=fake.transport())
    with pytest.raises(SheetNotShared, match=SERVICE_ACCOUNT["client_email"]):
        gateway.read("not-a-sheet", ["Sheet1"])


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_no_test_can_reach_google_or_any_other_host() -> None:
    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("142.250.180.10", 443), timeout=2)  # a Google address


def test_append_clear_batch_clear_and_tab_changes_behave_as_google_does(fake: FakeSheets) -> None:
    sheet_id = fake.create("Claims")
    spreadsheet = real_gspread_client(fake).open_by_key(sheet_id)
    worksheet = spreadsheet.sheet1
    worksheet.append_rows([["a", 1], ["b", 2]], value_input_option="RAW")
    worksheet.append_rows([["c", 3]], value_input_option="RAW")
    assert fake.values(sheet_id, "Sheet1") == [["a", 1], ["b", 2], ["c", 3]]
    spreadsheet.values_clear("Sheet1!B1:B2")
    worksheet.batch_clear(["A3"])
    assert worksheet.get_all_values() == [["a", ""], ["b", ""], ["", "3"]]
    worksheet.update_title("Renamed")
    spreadsheet.batch_update(
        {"requests": [{"repeatCell": {"range": {"sheetId": 0}, "cell": {}, "fields": "*"}}]}
    )
    added = spreadsheet.add_worksheet("Extra", rows=10, cols=5)
    assert [w.title for w in spreadsheet.worksheets()] == ["Renamed", "Extra"]
    spreadsheet.del_worksheet(added)
    assert fake.titles(sheet_id) == ["Renamed"]


def test_write_back_is_raw_so_a_formula_like_comment_and_a_recoup_arrive_as_they_read(
    fake: FakeSheets,
) -> None:
    from datetime import UTC, datetime

    from carepay.spreadsheets.claim_sheet import remittance_tab_values, status_write_back

    sheet_id = fake.create("Claims")
    gateway = SheetsGateway(SERVICE_ACCOUNT, transport=fake.transport())
    feedback = {
        "rows": [
            {"row": 5, "status": "rejected", "warnings": [], "exceptions": [],
             "errors": [{"code": "V5", "message": "=add a comment"}]},
        ],
        "accepted": 0, "rejected": 1, "next_step": "-fix row 5",
    }  # fmt: skip
    remittance = b"section,net_amount\r\nadjustment,-60.00\r\n"
    gateway.write_values(
        sheet_id,
        [
            *[
                (f"Sheet1!{a1}", values)
                for a1, values in status_write_back(feedback, datetime.now(UTC))
            ],
            ("Sheet1!A10", remittance_tab_values(remittance, "Remittance", "R1", None)),
        ],
    )
    rows = fake.values(sheet_id, "Sheet1")
    assert rows[4][15] == "V5: =add a comment"  # text, shown as typed: nothing runs under RAW
    recoup = rows[15]  # below the remittance's header block and headings
    assert (recoup[0], recoup[12]) == ("adjustment", -60.0)  # a number, never "'-60.00"
