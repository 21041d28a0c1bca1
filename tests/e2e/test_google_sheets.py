"""The Google Sheets channel through the deployed template, against the local fake of Google:
a provider edits a shared sheet, the Apps Script's signed notice arrives at the function URL,
the sheet is queued, read once, validated and stored as an upload would be, and the results are
written back beside what the provider typed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.spreadsheets.claim_sheet import FIRST_LINE_ROW, HEADER, REGISTER_HEADER
from carepay_local.apps_script import signed_notice
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from tests.e2e.conftest import stored_week, xlsx_bytes
from tests.e2e.test_registers import E15_WEEK, PACKAGES
from tests.faults import fail_once

WEEK = date(2026, 11, 9)
TAB = "w/c 2026-11-09"


def notice_secret(cloud: LocalCloud) -> str:
    arn = cloud.outputs["SheetsNoticeSecretArn"]
    return str(client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])


def post_notice(cloud: LocalCloud, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    return cloud.post_to_function_url("SheetNoticesFunction", "/notices", body, headers)


def edit(cloud: LocalCloud, sheet_id: str, ss_ref: str, **columns: Any) -> None:
    """The provider typing into the claim tab, by SS Ref and column heading."""
    rows = cloud.google.values(sheet_id, TAB)
    row = next(n for n, r in enumerate(rows, start=1) if len(r) > 1 and r[1] == ss_ref)
    for heading, value in columns.items():
        column = chr(ord("A") + HEADER.index(heading.replace("_", " ")))
        cloud.google.type_in(sheet_id, TAB, f"{column}{row}", value)


def notify(cloud: LocalCloud, sheet_id: str) -> dict[str, Any]:
    """What the Apps Script does on an edit, then Lambda's pollers."""
    body, headers = signed_notice(notice_secret(cloud), sheet_id, TAB, "H5")
    response = post_notice(cloud, body, headers)
    cloud.pump()
    return response


@pytest.fixture
def sheet(cloud: LocalCloud, council: CarepayClient) -> str:
    sheet_id = cloud.google.create("Bradford Day Services: claims")
    linked = council.link_sheet("P002", sheet_id)
    assert linked["outcome"] == "linked", linked
    prepared = council.prepare_sheet("P002", WEEK)
    assert prepared["outcome"] == "prepared", prepared
    return sheet_id


def test_the_week_tab_has_the_plan_locked_drop_downs_and_instructions(
    cloud: LocalCloud, sheet: str
) -> None:
    assert set(cloud.google.titles(sheet)) == {TAB, "Sheet1", "Instructions"}
    rows = cloud.google.values(sheet, TAB)
    assert rows[FIRST_LINE_ROW - 2] == list(HEADER)
    assert [r[0] for r in rows[FIRST_LINE_ROW - 1 :]] == ["L2001", "L2002"]
    tab = cloud.google.tab(sheet, TAB)
    assert {p["description"] for p in tab.protected_ranges} == {
        "The plan: set by the council",
        "carepay's results",
    }
    kinds = [v["rule"]["condition"]["type"] for v in tab.validations]
    assert {"ONE_OF_LIST", "BOOLEAN", "NUMBER_BETWEEN", "NUMBER_EQ"} <= set(kinds)  # V6 at day care
    with pytest.raises(PermissionError):
        cloud.google.type_in(sheet, TAB, f"F{FIRST_LINE_ROW}", 99)  # the plan cannot be changed


def test_an_edit_is_stored_exactly_as_the_same_rows_uploaded_as_xlsx(
    cloud: LocalCloud, council: CarepayClient, store: SubmissionStore, sheet: str
) -> None:
    edit(cloud, sheet, "SS2001", Weekly_Actual_Quantity=3, Weekly_Missed_Quantity=3,
         Comments="Closed for a day", Missed_Reason="Notice given")  # fmt: skip
    edit(cloud, sheet, "SS2002", Weekly_Actual_Quantity=4)
    assert notify(cloud, sheet)["statusCode"] == 202
    from_sheet = {line: state.actuals for line, state in stored_week(store, "P002").items()}

    header = ["SS Ref", "Line Ref", "Date", "Weekly Actual Quantity", "Weekly Missed Quantity",
              "Comments", "Missed Reason"]  # fmt: skip
    xlsx = xlsx_bytes(
        header,
        ["SS2001", "L2001", "09/11/2026", 3, 3, "Closed for a day", "Notice given"],
        ["SS2002", "L2002", "09/11/2026", 4, None, None, None],
    )
    uploaded = council.upload("P002", "same-rows.xlsx", xlsx, at=datetime.now(UTC))
    assert uploaded["accepted"] == 2
    from_upload = {line: state.actuals for line, state in stored_week(store, "P002").items()}
    comparable = ("line_ref", "ss_ref", "week_commencing", "planned_quarters", "actual_quarters",
                  "frustrated_quarters", "missed_quarters", "extra_quarters", "comments",
                  "missed_reason", "exceptions", "confirmed_at")  # fmt: skip
    for line in ("L2001", "L2002"):
        sheet_actuals, upload_actuals = from_sheet[line], from_upload[line]
        assert sheet_actuals is not None and upload_actuals is not None
        assert {k: getattr(sheet_actuals, k) for k in comparable} == {
            k: getattr(upload_actuals, k) for k in comparable
        }


def test_results_are_written_beside_the_rows_and_what_the_provider_typed_is_kept(
    cloud: LocalCloud, sheet: str
) -> None:
    edit(
        cloud,
        sheet,
        "SS2001",
        Weekly_Actual_Quantity=3,
        Weekly_Frustrated_Quantity=3,
        Comments="=hospital",
    )  # fmt: skip  (V6: frustrated at day care; a comment like a formula)
    edit(cloud, sheet, "SS2002", Weekly_Actual_Quantity=4, Confirm=True)
    typed_before = [
        row[: HEADER.index("Confirm") + 1] for row in cloud.google.values(sheet, TAB)[3:]
    ]
    notify(cloud, sheet)
    rows = cloud.google.values(sheet, TAB)
    assert [row[: HEADER.index("Confirm") + 1] for row in rows[3:]] == typed_before
    status = HEADER.index("Status")
    first, second = rows[FIRST_LINE_ROW - 1], rows[FIRST_LINE_ROW]
    assert first[status] == "rejected" and first[status + 1].startswith("V6")
    assert second[status] == "accepted" and second[status + 1] == ""
    summary = rows[1][0]
    assert "1 accepted, 1 rejected" in summary and "not confirmed" in summary
    assert rows[0][0].startswith("Example Council: weekly claim")  # the title is untouched


def test_a_ticked_confirm_confirms_the_week_like_confirm_y(
    cloud: LocalCloud, store: SubmissionStore, sheet: str
) -> None:
    edit(cloud, sheet, "SS2001", Weekly_Actual_Quantity=6)
    edit(cloud, sheet, "SS2002", Weekly_Actual_Quantity=4, Confirm=True)
    notify(cloud, sheet)
    states = stored_week(store, "P002")
    assert all(state.confirmed for state in states.values())
    assert "Week 2026-11-09: confirmed" in cloud.google.values(sheet, TAB)[1][0]


def test_a_burst_of_20_edits_in_a_minute_is_one_read(cloud: LocalCloud, sheet: str) -> None:
    reads_before = [p for _, p in cloud.google.requests if p.endswith("values:batchGet")]
    secret = notice_secret(cloud)
    started = datetime.now(UTC).replace(second=0, microsecond=0)
    for quarter_hours in range(20):
        cloud.google.type_in(sheet, TAB, f"H{FIRST_LINE_ROW}", quarter_hours / 4)
        body, headers = signed_notice(secret, sheet, TAB, f"H{FIRST_LINE_ROW}")
        assert post_notice(cloud, body, headers)["statusCode"] == 202
    minutes = 1 + (datetime.now(UTC).replace(second=0, microsecond=0) > started)
    cloud.pump()
    reads = [p for _, p in cloud.google.requests if p.endswith("values:batchGet")]
    assert len(reads) - len(reads_before) == minutes  # one read per sheet per minute


def test_bad_signature_stale_and_replayed_notices_are_refused(
    cloud: LocalCloud, sheet: str
) -> None:
    secret = notice_secret(cloud)
    body, headers = signed_notice("not the secret", sheet, TAB)
    assert post_notice(cloud, body, headers)["statusCode"] == 401
    body, headers = signed_notice(secret, sheet, TAB, at=datetime.now(UTC) - timedelta(minutes=6))
    stale = post_notice(cloud, body, headers)
    assert stale["statusCode"] == 401 and "stale" in stale["body"]
    body, headers = signed_notice(secret, sheet, TAB)
    assert post_notice(cloud, body, headers)["statusCode"] == 202
    replayed = post_notice(cloud, body, headers)
    assert replayed["statusCode"] == 409 and "replayed" in replayed["body"]
    tampered = body.replace(sheet.encode(), b"another-sheet-id-000")
    assert post_notice(cloud, tampered, headers)["statusCode"] == 401
    queue = cloud.outputs["SheetSyncQueueUrl"]
    attributes = client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"  # only the good one


def test_a_429_from_google_is_retried_and_the_sync_succeeds(
    cloud: LocalCloud, store: SubmissionStore, sheet: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import carepay.adapters.sheets as gateway

    monkeypatch.setattr(gateway.time, "sleep", lambda _: None)  # jittered waits, not real ones
    edit(cloud, sheet, "SS2002", Weekly_Actual_Quantity=4)
    cloud.google.fail_with_quota_exceeded(times=2)
    notify(cloud, sheet)
    assert cloud.failed_invocations == []
    assert stored_week(store, "P002")["L2002"].actuals is not None


def test_a_lost_notice_only_waits_for_the_poller(
    cloud: LocalCloud, store: SubmissionStore, sheet: str
) -> None:
    edit(cloud, sheet, "SS2002", Weekly_Actual_Quantity=4)  # no notice arrives
    cloud.fire_schedule("SheetsPoll", datetime.now(UTC))
    assert stored_week(store, "P002")["L2002"].actuals is not None
    reads = len([p for _, p in cloud.google.requests if p.endswith("values:batchGet")])
    cloud.fire_schedule("SheetsPoll", datetime.now(UTC) + timedelta(minutes=10))
    assert len([p for _, p in cloud.google.requests if p.endswith("values:batchGet")]) == reads


def test_a_sheet_not_shared_with_carepay_is_refused_with_what_to_do(
    cloud: LocalCloud, council: CarepayClient
) -> None:
    refused = council.link_sheet("P002", "1NotSharedWithCarepayAtAll000")
    assert refused["outcome"] == "refused"
    assert cloud.service_account["client_email"] in refused["message"]


def test_after_an_approved_run_the_sheet_gets_a_remittance_tab(
    cloud: LocalCloud, council: CarepayClient, sheet: str
) -> None:
    council.confirm("P002", WEEK, at=datetime(2026, 11, 16, 10, tzinfo=UTC))
    run = council.pay(at=datetime(2026, 11, 18, 6, tzinfo=UTC))
    council.approve(run["run_id"], "finance officer", at=datetime(2026, 11, 18, 10, tzinfo=UTC))
    cloud.pump()
    title = f"Remittance {run['run_id']}"
    assert title in cloud.google.titles(sheet)
    values = cloud.google.values(sheet, title)
    assert values[0][0].endswith(run["run_id"])
    assert values[1:4] == [
        ["Payment run", run["run_id"]],
        ["Payment date", "20/11/2026"],
        ["Remittance number", "2611180600-P002"],
    ]
    assert values[5][:4] == ["Section", "Week commencing", "SS Ref", "Line Ref"]
    [line] = [row for row in values if row[3:4] == ["L2001"]]
    assert line[1] == (WEEK - date(1899, 12, 30)).days  # a date, shown as dd/mm/yyyy
    assert line[12] == 105.0  # money as a number, shown as pounds
    formats = {
        fmt["range"]["startColumnIndex"]: fmt["cell"]["userEnteredFormat"]["numberFormat"]["type"]
        for fmt in cloud.google.tab(sheet, title).formats
        if "numberFormat" in fmt["cell"]["userEnteredFormat"]
    }
    assert (formats[1], formats[12]) == ("DATE", "CURRENCY")
    assert cloud.google.tab(sheet, title).frozen_rows == 6
    # The paid week's tab is kept, says so, and is no longer read.
    assert cloud.google.values(sheet, TAB)[1][0].startswith("This week has been paid")
    reads = len([p for _, p in cloud.google.requests if p.endswith("values:batchGet")])
    body, headers = signed_notice(notice_secret(cloud), sheet, TAB, "H5")
    post_notice(cloud, body, headers)
    cloud.pump()
    assert len([p for _, p in cloud.google.requests if p.endswith("values:batchGet")]) == reads


def test_the_sync_reads_the_claim_tabs_whatever_the_notice_names(
    cloud: LocalCloud, sheet: str
) -> None:
    body, headers = signed_notice(notice_secret(cloud), sheet, "Sheet1", "Z99")
    post_notice(cloud, body, headers)
    cloud.pump()
    [read] = [q for _, q in cloud.google.requests if q.endswith("values:batchGet")]
    assert read == f"/v4/spreadsheets/{sheet}/values:batchGet"
    assert cloud.failed_invocations == []


def test_a_deleted_week_tab_is_forgotten_and_the_other_tabs_still_sync(
    cloud: LocalCloud, council: CarepayClient, store: SubmissionStore, sheet: str
) -> None:
    council.prepare_sheet("P002", WEEK + timedelta(weeks=1))
    spreadsheet = cloud.google.spreadsheets[sheet]
    spreadsheet.tabs.remove(cloud.google.tab(sheet, TAB))  # the provider deletes a tab
    later = "w/c 2026-11-16"
    cloud.google.type_in(sheet, later, f"H{FIRST_LINE_ROW}", 6)
    notify(cloud, sheet)
    assert cloud.failed_invocations == []
    assert stored_week(store, "P002", WEEK + timedelta(weeks=1))["L2001"].actuals is not None


def test_from_monday_morning_the_poller_adds_the_tab_of_the_week_just_ended(
    cloud: LocalCloud, sheet: str
) -> None:
    monday_0610 = datetime(2026, 11, 16, 6, 10, tzinfo=UTC)
    cloud.fire_schedule("SheetsPoll", monday_0610)
    assert "w/c 2026-11-09" in cloud.google.titles(sheet)  # prepared by the fixture
    cloud.fire_schedule("SheetsPoll", monday_0610 + timedelta(weeks=1))
    assert "w/c 2026-11-16" in cloud.google.titles(sheet)
    tabs_before = cloud.google.titles(sheet)
    cloud.fire_schedule("SheetsPoll", monday_0610 + timedelta(weeks=1, minutes=10))
    assert cloud.google.titles(sheet) == tabs_before  # once only


def test_each_sync_reports_its_google_reads_and_writes_as_metrics(
    cloud: LocalCloud, sheet: str, capfd: pytest.CaptureFixture[str]
) -> None:
    capfd.readouterr()
    notify(cloud, sheet)
    emitted = [
        json.loads(line)
        for line in capfd.readouterr().out.splitlines()
        if line.startswith("{") and "SheetsReadRequests" in line
    ]
    assert emitted, "the sheets function emitted no quota metrics"
    [metric] = emitted
    assert (metric["SheetsReadRequests"], metric["SheetsWriteRequests"]) == ([1.0], [1.0])


def test_preparing_a_tab_the_sheet_already_has_adopts_it_instead_of_failing(
    cloud: LocalCloud, council: CarepayClient, sheet: str
) -> None:
    from carepay.adapters.dynamodb.sheets import SheetLinks
    from carepay.adapters.dynamodb.table import Table

    links = SheetLinks(Table(cloud.outputs["DataTableName"]))
    link = links.sheet(sheet)
    assert link is not None
    link.claim_tabs.remove(TAB)  # as if a crash came between writing the tab and recording it
    links.save(link)
    again = council.prepare_sheet("P002", WEEK)
    assert again["outcome"] == "already prepared"
    assert cloud.google.titles(sheet).count(TAB) == 1
    assert cloud.failed_invocations == []


def test_linking_another_sheet_replaces_the_provider_s_first_one(
    cloud: LocalCloud, council: CarepayClient, store: SubmissionStore, sheet: str
) -> None:
    replacement = cloud.google.create("Bradford Day Services: claims 2027")
    assert council.link_sheet("P002", replacement)["outcome"] == "linked"
    assert council.prepare_sheet("P002", WEEK)["outcome"] == "prepared"
    edit(cloud, sheet, "SS2001", Weekly_Actual_Quantity=3)  # the old sheet is no longer read
    notify(cloud, sheet)
    assert stored_week(store, "P002").get("L2001") is None
    edit(cloud, replacement, "SS2001", Weekly_Actual_Quantity=6)
    notify(cloud, replacement)
    assert stored_week(store, "P002")["L2001"].actuals is not None


def test_a_sync_that_fails_writing_back_after_storing_shows_the_stored_result_on_retry(
    cloud: LocalCloud, store: SubmissionStore, sheet: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carepay.adapters.sheets import SheetsGateway
    from carepay.ports.errors import SheetUnavailable

    down = SheetUnavailable("Google Sheets did not answer")
    fail_once(monkeypatch, SheetsGateway, "write_values", down)
    edit(cloud, sheet, "SS2002", Weekly_Actual_Quantity=4)
    notify(cloud, sheet)  # stored, then the write-back failed; the queue tries again
    assert len(cloud.failed_invocations) == 1
    assert stored_week(store, "P002")["L2002"].actuals is not None
    row = cloud.google.values(sheet, TAB)[FIRST_LINE_ROW]
    assert row[HEADER.index("Status")] == "accepted"  # the retry showed what was stored


def test_a_day_centres_register_tab_round_trips_with_its_drop_downs_and_checks_written_back(
    cloud: LocalCloud, council: CarepayClient, tmp_path: Path
) -> None:
    (tmp_path / "day-centre.csv").write_text(PACKAGES)
    assert council.import_care_packages(tmp_path / "day-centre.csv")["rejected"] == 0
    sheet_id = cloud.google.create("Meadow Day Centre: registers")
    assert council.link_sheet("P400", sheet_id)["outcome"] == "linked"
    prepared = council.prepare_sheet("P400", E15_WEEK)
    assert (prepared["outcome"], prepared["tab"]) == ("prepared", "register w/c 2025-03-03")
    tab = "register w/c 2025-03-03"
    assert set(cloud.google.titles(sheet_id)) == {tab, "Sheet1", "Instructions"}
    rows = cloud.google.values(sheet_id, tab)
    assert rows[FIRST_LINE_ROW - 2] == list(REGISTER_HEADER)
    by_line = {r[0]: n for n, r in enumerate(rows, start=1) if r and r[0].startswith("L40")}
    assert rows[by_line["L403"] - 1][4:9] == ["", "A", "", "A", ""]  # Tue Thu planned
    lists = [v["rule"]["condition"] for v in cloud.google.tab(sheet_id, tab).validations]
    assert {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": c} for c in "ANWX"]} in lists
    instructions = " ".join(r[0] for r in cloud.google.values(sheet_id, "Instructions") if r)
    assert "register w/c" in instructions and "hospital" not in instructions
    column = {heading: chr(ord("A") + n) for n, heading in enumerate(REGISTER_HEADER)}
    cloud.google.type_in(sheet_id, tab, f"{column['Fri']}{by_line['L403']}", "A")  # R2
    cloud.google.type_in(sheet_id, tab, f"{column['Submit']}{by_line['L401']}", True)
    body, headers = signed_notice(notice_secret(cloud), sheet_id, tab, "I7")
    post_notice(cloud, body, headers)
    cloud.pump()
    after = cloud.google.values(sheet_id, tab)
    status = {
        r[0]: r[REGISTER_HEADER.index("Status")] for r in after if r and r[0].startswith("L40")
    }
    assert status == {
        "L401": "accepted",
        "L402": "accepted",
        "L403": "rejected",
        "L404": "accepted",
    }
    errors = after[by_line["L403"] - 1][REGISTER_HEADER.index("Errors")]
    assert errors.startswith("R2: 3 paid days (A, N, W) against 2 planned")
    assert "not confirmed" in after[1][0]  # a rejected row: the register is not yet submitted
