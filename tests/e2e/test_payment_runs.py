"""Payment runs through the deployed template: E11, E12, E14, approvals, recoups and the files
finance and providers get. Every run goes the real way: a request file → PaymentRunsFunction →
one message per provider → ProviderPaymentsFunction."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from carepay.adapters.aws import client
from carepay.domain.weeks import LONDON
from carepay.spreadsheets.bacs import read_payment_file
from carepay_local.client import CarepayClient, RunRequestRefused
from carepay_local.cloud import LocalCloud
from tests.e2e.conftest import csv_bytes
from tests.faults import fail_once

PACKAGE_HEADER = (
    "Provider Ref,Provider Name,Line Ref,SS Ref,Service Type,Service Level,Unit,"
    "Planned Quantity,Planned Visits,Unit Rate,Start Date,End Date,Status,"
    "Sort Code,Account Number,Account Name"
)
BANK = "20-00-00,55779911,Sid's Carers Ltd"
CLAIM = ["SS Ref", "Line Ref", "Date", "Weekly Actual Quantity", "Weekly Frustrated Quantity",
         "Weekly Extra Quantity", "Comments", "Confirm"]  # fmt: skip
SID_LINE = "P900,Sid's Carers,{0},SS-SID,Home Support,Single-handed,hour,{1},{1},20.00,2023-01-02,"
JAN_2023 = [date(2023, 1, 2) + timedelta(weeks=n) for n in range(4)]


def wednesday_after(monday: date) -> datetime:
    """The scheduled run after a week's deadline: Wednesday 06:00 London."""
    return datetime.combine(monday + timedelta(days=9), datetime.min.time(), LONDON).replace(hour=6)


def monday_after(monday: date) -> datetime:
    return datetime.combine(monday + timedelta(days=7), datetime.min.time(), LONDON).replace(
        hour=10
    )


def import_packages(council: CarepayClient, tmp_path: Path, *rows: str) -> None:
    path = tmp_path / f"packages-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text("\n".join([PACKAGE_HEADER, *rows]) + "\n")
    report = council.import_care_packages(path)
    assert report["rejected"] == 0, report["rejected_rows"]


def claim(
    council: CarepayClient,
    provider: str,
    monday: date,
    *rows: list[object],
    at: datetime | None = None,
) -> None:
    """Upload and confirm (Confirm = Y) the week's rows; every row must be accepted."""
    feedback = council.upload(
        provider,
        f"claim-{monday}.csv",
        csv_bytes(CLAIM, *[[*row[:2], f"{monday:%d/%m/%Y}", *row[2:], "Y"] for row in rows]),
        at=at or monday_after(monday),
    )
    assert [r["status"] for r in feedback["rows"]] == ["accepted"] * len(rows), feedback["rows"]


def ledger_rows(council: CarepayClient, run_id: str) -> list[dict[str, str]]:
    text = council.finance_files(run_id)["ledger.csv"].decode()
    return list(csv.DictReader(io.StringIO(text)))


def remittance_rows(council: CarepayClient, provider: str, run_id: str) -> list[dict[str, str]]:
    found = council.remittance(provider, run_id)
    assert found is not None, f"no remittance for {provider} in {run_id}"
    _, remittance_csv = found
    return list(csv.DictReader(io.StringIO(remittance_csv.decode())))


def nets_by_line_week(rows: list[dict[str, str]]) -> dict[tuple[str, str], Decimal]:
    return {(r["line_ref"], r["week_commencing"]): Decimal(r["net_amount"]) for r in rows}


@pytest.fixture
def sid(cloud: LocalCloud, tmp_path: Path) -> CarepayClient:
    """Sid Waddell's provider (DOMAIN.md E11): 1 h/week at £20.00 from 2 January 2023."""
    council = CarepayClient(pump=cloud.pump, timeout_seconds=20)
    import_packages(
        council,
        tmp_path,
        f"{SID_LINE.format('L-OLD', 1)},,{BANK}",
    )
    return council


def test_e11_backdated_increase_recoups_20_then_pays_100_so_each_backdated_week_nets_80(
    sid: CarepayClient, tmp_path: Path
) -> None:
    for monday in JAN_2023[:3]:
        claim(sid, "P900", monday, ["SS-SID", "", 1, None, None, None])
    first = sid.pay(at=wednesday_after(JAN_2023[2]))
    assert first["totals"]["net_pence"] == 6000
    sid.approve(first["run_id"], "finance officer")

    # In w/c 23 January the council replaces the line with 5 h/week, backdated to 2 January.
    import_packages(
        sid,
        tmp_path,
        f"{SID_LINE.format('L-OLD', 1)},Cancelled,{BANK}",
        f"{SID_LINE.format('L-NEW', 5)},,{BANK}",
    )
    claim(sid, "P900", JAN_2023[3], ["SS-SID", "L-NEW", 5, None, None, None])
    second = sid.approve(sid.pay(at=wednesday_after(JAN_2023[3]))["run_id"], "finance officer")
    second_lines = remittance_rows(sid, "P900", second["run_id"])
    recoups = [r for r in second_lines if r["section"] == "adjustment"]
    recovered = (
        "service line backdated: recovers £20.00 of the £20.00 paid for this week by an earlier run"
    )
    assert [(r["week_commencing"], r["net_amount"], r["status"], r["reason"]) for r in recoups] == [
        (str(monday), "-20.00", "recovered", recovered) for monday in JAN_2023[:3]
    ]
    assert [(r["line_ref"], r["net_amount"]) for r in second_lines if r["section"] == "week"] == [
        ("L-NEW", "100.00")
    ]

    # The provider now submits 5 h on the new line for the backdated weeks (never paid: not locked).
    for monday in JAN_2023[:3]:
        claim(
            sid,
            "P900",
            monday,
            ["SS-SID", "L-NEW", 5, None, None, None],
            at=monday_after(JAN_2023[3]) + timedelta(days=2),
        )
    third = sid.approve(
        sid.pay(at=wednesday_after(JAN_2023[3]) + timedelta(weeks=1))["run_id"], "finance officer"
    )
    second_nets = nets_by_line_week(ledger_rows(sid, second["run_id"]))
    third_nets = nets_by_line_week(ledger_rows(sid, third["run_id"]))
    for monday in JAN_2023[:3]:
        over_both_runs = second_nets[("L-OLD", str(monday))] + third_nets[("L-NEW", str(monday))]
        assert over_both_runs == Decimal("80.00")
    assert third["totals"]["payment_pence"] == 30000


def test_e12_a_week_confirmed_at_18_00_on_tuesday_waits_for_the_next_run(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    tuesday_1800 = datetime(2026, 11, 17, 18, 0, tzinfo=LONDON)
    council.confirm("P003", week, at=tuesday_1800)
    first = council.pay(at=wednesday_after(week))
    p003 = next(p for p in first["providers"] if p["provider_ref"] == "P003")
    assert p003["net_pence"] == 0
    assert {
        r["status"] for r in ledger_rows(council, first["run_id"]) if r["provider_ref"] == "P003"
    } == {"withheld"}
    council.approve(first["run_id"], "finance officer")

    second = council.pay(at=wednesday_after(week) + timedelta(weeks=1))
    p003 = next(p for p in second["providers"] if p["provider_ref"] == "P003")
    # L3001 10 h at £19.25; L3002 8 h day-weighted across Thursday 12 November's uplift:
    # Monday–Wednesday at £19.25, Thursday–Sunday at £21.00, so 8 × £20.25 = £162.00.
    assert p003["net_pence"] == 19250 + 8 * (3 * 1925 + 4 * 2100) // 7
    assert p003["payment_pence"] == p003["net_pence"]


def test_e14_weeks_7_and_8_of_a_hospital_stay_are_held_until_an_approvals_file_releases_them(
    council: CarepayClient, tmp_path: Path
) -> None:
    weeks = [date(2026, 9, 21) + timedelta(weeks=n) for n in range(8)]
    for monday in weeks:
        claim(council, "P001", monday, ["SS1001", "L1001", 0, 5, None, "In hospital"])
    run = council.pay(at=wednesday_after(weeks[-1]))
    rows = [r for r in ledger_rows(council, run["run_id"]) if r["line_ref"] == "L1001"]
    assert [r["status"] for r in rows] == ["paid"] * 6 + ["held"] * 2
    assert [r["amount_due"] for r in rows] == ["100.00"] * 6 + ["0.00"] * 2
    council.approve(run["run_id"], "finance officer")
    held = [
        r for r in remittance_rows(council, "P001", run["run_id"]) if r["section"] == "not paid"
    ]
    assert [r["reason"][:2] for r in held if r["line_ref"] == "L1001"] == ["X3", "X3"]

    approvals = tmp_path / "approvals.csv"
    approvals.write_text(
        "Provider Ref,Line Ref,Approval,Week Commencing,Extra Quantity,Up To,Approved By\n"
        f"P001,L1001,Frustrated,,,{weeks[-1]:%d/%m/%Y},Hospital discharge team\n"
    )
    assert council.import_approvals(approvals)["imported"] == 1
    released = council.pay(at=wednesday_after(weeks[-1]) + timedelta(weeks=1))
    adjustments = [r for r in ledger_rows(council, released["run_id"]) if r["line_ref"] == "L1001"]
    assert [(r["week_commencing"], r["net_amount"], r["reason"]) for r in adjustments] == [
        (str(monday), "100.00", "approval received") for monday in weeks[6:]
    ]


def test_a_held_extra_is_released_by_an_approved_extra_in_the_approvals_file(
    council: CarepayClient, tmp_path: Path
) -> None:
    week = date(2026, 11, 9)
    claim(council, "P001", week, ["SS1005", "L1005", 7, None, 2, "Extra calls after a fall"])  # E5
    run = council.approve(council.pay(at=wednesday_after(week))["run_id"], "finance officer")
    assert [
        r["status"] for r in ledger_rows(council, run["run_id"]) if r["line_ref"] == "L1005"
    ] == ["held"]
    approvals = tmp_path / "approvals.xlsx"
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Provider Ref", "Line Ref", "Approval", "Week Commencing", "Extra Quantity"])
    sheet.append(["P001", "L1005", "Extra", week, 2])
    workbook.save(approvals)
    assert council.import_approvals(approvals)["imported"] == 1
    released = council.pay(at=wednesday_after(week) + timedelta(weeks=1))
    [line] = [r for r in ledger_rows(council, released["run_id"]) if r["line_ref"] == "L1005"]
    assert (line["amount_due"], line["previously_paid"], line["reason"]) == (
        "140.00",
        "0.00",
        "approval received",
    )  # E6: pay 7 h = £140.00


def test_an_approvals_file_row_that_cannot_be_read_is_reported_and_the_rest_imported(
    council: CarepayClient, tmp_path: Path
) -> None:
    approvals = tmp_path / "approvals.csv"
    approvals.write_text(
        "Provider Ref,Line Ref,Approval,Week Commencing,Extra Quantity,Up To\n"
        "P001,L1005,Extra,09/11/2026,2,\n"
        "P001,L1005,Extra,10/11/2026,2.1,\n"
        "P001,L1005,Maybe,,,\n"
    )
    report = council.import_approvals(approvals)
    assert (report["imported"], report["rejected"]) == (1, 2)
    messages = [e["message"] for row in report["rejected_rows"] for e in row["errors"]]
    assert any("not a Monday" in m for m in messages)
    assert any("'Maybe' is not 'Extra'" in m for m in messages)


def test_only_one_run_may_be_unapproved_and_approving_twice_is_refused(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    council.confirm("P001", week, at=monday_after(week))
    draft = council.pay(at=wednesday_after(week))
    with pytest.raises(RunRequestRefused, match=f"Run {draft['run_id']} is not approved yet"):
        council.pay(at=wednesday_after(week) + timedelta(weeks=1))
    council.approve(draft["run_id"], "finance officer")
    with pytest.raises(
        RunRequestRefused, match=r"was already approved .* by finance officer: nothing was changed"
    ):
        council.approve(draft["run_id"], "someone else")
    with pytest.raises(RunRequestRefused, match="There is no run R20990101-0600"):
        council.approve("R20990101-0600", "finance officer")
    assert [r["status"] for r in council.runs()] == ["approved"]


def test_recalculating_a_draft_over_unchanged_data_gives_the_same_files_byte_for_byte(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    claim(council, "P001", week, ["SS1005", "L1005", 7, None, 2, "Extra calls after a fall"])
    council.confirm("P001", week, at=monday_after(week))
    council.confirm("P003", week, at=monday_after(week))
    draft = council.pay(at=wednesday_after(week))
    before = council.finance_files(draft["run_id"])
    again = council.recalculate(draft["run_id"])
    assert again["generation"] == draft["generation"] + 1
    assert council.finance_files(draft["run_id"]) == before
    assert again["providers"] == draft["providers"] and again["totals"] == draft["totals"]


def test_an_approved_run_locks_its_weeks_and_a_later_upload_for_them_gets_v7(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    council.confirm("P001", week, at=monday_after(week))
    council.approve(council.pay(at=wednesday_after(week))["run_id"], "finance officer")
    feedback = council.upload(
        "P001",
        "late-correction.csv",
        csv_bytes(CLAIM, ["SS1001", "L1001", f"{week:%d/%m/%Y}", 4, None, None, "Correction", ""]),
        at=wednesday_after(week) + timedelta(hours=3),
    )
    assert [e["code"] for e in feedback["rows"][0]["errors"]] == ["V7"]
    assert "upload again" not in feedback["next_step"] and "locked" in feedback["next_step"]
    assert feedback["file"] == "late-correction.csv"  # the provider's own name, not the key's


def test_a_cancelled_line_is_recovered_and_a_negative_total_carried_to_the_next_run(
    council: CarepayClient, tmp_path: Path
) -> None:
    week = date(2026, 11, 9)
    council.confirm("P002", week, at=monday_after(week))  # L2001 6 h, L2002 4 h at £17.50
    first = council.approve(council.pay(at=wednesday_after(week))["run_id"], "finance officer")
    p002 = next(p for p in first["providers"] if p["provider_ref"] == "P002")
    assert p002["payment_pence"] == 17500
    import_packages(
        council,
        tmp_path,
        "P002,Bradford Day Services,L2001,SS2001,Support at Day Care,1:1,hour,6,,17.50,"
        "2026-04-01,,Cancelled,40-11-62,31926819,Bradford Day Services",
    )
    second = council.approve(
        council.pay(at=wednesday_after(week) + timedelta(weeks=1))["run_id"], "finance officer"
    )
    p002 = next(p for p in second["providers"] if p["provider_ref"] == "P002")
    assert (p002["net_pence"], p002["payment_pence"], p002["carried_out_pence"]) == (
        -10500,
        0,
        -10500,
    )
    assert p002["note"] == "recovery carried forward"
    [recoup] = [
        r
        for r in remittance_rows(council, "P002", second["run_id"])
        if r["section"] == "adjustment"
    ]
    assert (recoup["line_ref"], recoup["net_amount"], recoup["status"], recoup["reason"]) == (
        "L2001",
        "-105.00",
        "recovered",
        "line cancelled: recovers £105.00 of the £105.00 paid for this week by an earlier run",
    )
    # The next week is taken from what is owed: 4 h × £17.50 = £70.00 against −£105.00.
    council.confirm("P002", week + timedelta(weeks=1), at=monday_after(week + timedelta(weeks=1)))
    third = council.approve(
        council.pay(at=wednesday_after(week) + timedelta(weeks=2))["run_id"], "finance officer"
    )
    p002 = next(p for p in third["providers"] if p["provider_ref"] == "P002")
    assert (p002["carried_in_pence"], p002["net_pence"], p002["carried_out_pence"]) == (
        -10500,
        7000,
        -3500,
    )


def test_remittances_ledger_and_payment_file_agree_to_the_penny(council: CarepayClient) -> None:
    week = date(2026, 11, 9)
    claim(council, "P001", week, ["SS1011", "L1011", 7.25, None, None, None])  # 7.25 h × £18.38
    for provider in ("P001", "P002", "P003"):
        council.confirm(provider, week, at=monday_after(week))
    run = council.approve(council.pay(at=wednesday_after(week))["run_id"], "finance officer")
    files = council.finance_files(run["run_id"])
    ledger_total = sum(Decimal(r["net_amount"]) for r in ledger_rows(council, run["run_id"]))
    remitted = sum(
        Decimal(row["net_amount"])
        for provider in ("P001", "P002", "P003")
        for row in remittance_rows(council, provider, run["run_id"])
        if row["section"] == "total net"
    )
    payment_file = read_payment_file(files["payment-file.txt"])
    assert ledger_total == remitted == Decimal(payment_file.credit_total_pence) / 100
    assert len(payment_file.credits) == 3
    assert payment_file.trailer["credit_count"] == 3
    # the stack's BacsServiceUserNumber reaches the approving function: the file is labelled
    assert payment_file.labels is not None
    assert payment_file.labels.service_user_number == "654321"
    assert "133.26" in files["ledger.csv"].decode()  # 7.25 × 18.38 = 133.255, half-up


def test_the_wednesday_schedule_calculates_a_draft_run(
    cloud: LocalCloud, council: CarepayClient
) -> None:
    week = date(2026, 11, 9)
    council.confirm("P001", week, at=monday_after(week))
    cloud.fire_schedule("WeeklyPaymentRun", wednesday_after(week))
    [run] = council.runs()
    assert (run["run_id"], run["status"], run["requested_by"]) == (
        "R20261118-0600",
        "draft",
        "schedule",
    )
    p001 = run["providers"][0]
    assert (p001["provider_ref"], p001["lines"]) == ("P001", 12)
    assert p001["net_pence"] == 10 * 10000 + 13326 + 6000  # ten 5 h lines, 7.25 h × £18.38, 3 h


def test_a_provider_without_bank_details_is_carried_forward_not_left_out(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    council = CarepayClient(pump=cloud.pump, timeout_seconds=20)
    import_packages(
        council,
        tmp_path,
        "P777,No Bank Ltd,L7,SS7,Home Support,Single-handed,hour,2,2,20.00,2026-04-01,,,,,",
    )
    week = date(2026, 11, 9)
    council.confirm("P777", week, at=monday_after(week))
    run = council.approve(council.pay(at=wednesday_after(week))["run_id"], "finance officer")
    [p777] = run["providers"]
    assert (p777["payment_pence"], p777["carried_out_pence"], p777["note"]) == (
        0,
        4000,
        "held: no bank details",
    )
    assert "payment-file.txt" not in council.finance_files(run["run_id"])


def test_an_approval_request_delivered_twice_keeps_its_first_answer_and_pays_once(
    cloud: LocalCloud, council: CarepayClient
) -> None:
    week = date(2026, 11, 9)
    council.confirm("P001", week, at=monday_after(week))
    run = council.approve(council.pay(at=wednesday_after(week))["run_id"], "finance officer")
    [*_, (_, event)] = [(f, e) for f, e in cloud.invocations if f == "PaymentRunsFunction"]
    queue = cloud.outputs["PaymentRunRequestsQueueUrl"]
    client("sqs").send_message(QueueUrl=queue, MessageBody=event["Records"][0]["body"])
    cloud.pump()
    [answer] = [
        json.loads(council.read_outbound(item["Key"]))
        for item in client("s3").list_objects_v2(
            Bucket=cloud.outputs["OutboundBucketName"], Prefix="runs/requests/"
        )["Contents"]
        if item["Key"].endswith("-approve.json")
    ]
    assert answer["outcome"] == "accepted"
    assert council.run(run["run_id"])["totals"] == run["totals"]
    assert cloud.failed_invocations == []


def test_a_preview_says_what_confirming_now_would_pay_and_what_is_held(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    council.upload(
        "P001",
        "claim.csv",
        csv_bytes(CLAIM, ["SS1005", "L1005", f"{week:%d/%m/%Y}", 7, None, 2, "Extra calls", ""]),
        at=monday_after(week),
    )
    preview = council.preview("P001", week)
    lines = {line["line_ref"]: line for line in preview["lines"]}
    assert lines["L1005"]["amount_pence"] == 0 and lines["L1005"]["note"].startswith("X2")
    assert lines["L1001"]["amount_pence"] == 10000  # not uploaded: confirmed as planned (E10)
    assert preview["total_pence"] == 10 * 10000 + 13326 + 6000 - 10000  # L1005 held
    assert "held until the council approves" in preview["message"]

    xlsx, _ = council.claim_workbook("P001", week)  # regenerated once the week has ended
    sheet = load_workbook(io.BytesIO(xlsx))["Payment preview"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(5, sheet.max_row + 1)}
    assert sheet.cell(row=rows["L1005"], column=7).value.startswith("X2")
    assert sheet.cell(row=rows["L1001"], column=6).value == 100
    assert sheet.cell(row=max(rows.values()), column=6).value.startswith("=SUM(")


def test_a_wednesday_run_finding_last_weeks_unapproved_is_refused_and_raises_an_alarm(
    cloud: LocalCloud, council: CarepayClient
) -> None:
    week = date(2026, 11, 9)
    cloud.fire_schedule("WeeklyPaymentRun", wednesday_after(week))
    cloud.fire_schedule("WeeklyPaymentRun", wednesday_after(week) + timedelta(weeks=1))
    answer = json.loads(council.read_outbound("runs/requests/scheduled-20261125-0600.json"))
    assert answer["outcome"] == "refused"
    assert "R20261118-0600 is not approved yet" in answer["message"]
    [alarm] = client("cloudwatch").describe_alarms(AlarmNames=["ScheduledPaymentRunRefusedAlarm"])[
        "MetricAlarms"
    ]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("carepay", "ScheduledPaymentRunsRefused")
    assert [r["run_id"] for r in council.runs()] == ["R20261118-0600"]


def test_a_run_request_that_fails_is_retried_by_the_queue_and_starts_the_run_once(
    cloud: LocalCloud, council: CarepayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carepay.adapters.queues import SqsMessages

    fail_once(monkeypatch, SqsMessages, "send_all", ConnectionError("SQS did not answer"))
    week = date(2026, 11, 9)
    council.confirm("P001", week, at=monday_after(week))
    # The failed attempt's idempotency record is removed, so the redelivery is handled again: it
    # finds the run it had opened before failing, and finishes starting it.
    run = council.pay(at=wednesday_after(week))
    assert (run["run_id"], run["status"]) == ("R20261118-0600", "draft")
    assert [run["run_id"] for run in council.runs()] == ["R20261118-0600"]
    assert len(cloud.failed_invocations) == 1


def test_a_run_before_any_provider_is_imported_is_an_empty_draft_that_approves(
    cloud: LocalCloud,
) -> None:
    council = CarepayClient(pump=cloud.pump, timeout_seconds=20)
    run = council.pay(at=datetime(2026, 11, 18, 6, tzinfo=LONDON))
    assert (run["status"], run["providers"]) == ("draft", [])
    approved = council.approve(run["run_id"], "finance officer")
    assert approved["status"] == "approved"
    assert {"ledger.csv", "summary.xlsx"} <= set(council.finance_files(run["run_id"]))
    assert council.pay(at=datetime(2026, 11, 25, 6, tzinfo=LONDON))["status"] == "draft"


def test_a_run_before_christmas_is_processed_on_christmas_eve_and_paid_after_the_bank_holidays(
    council: CarepayClient,
) -> None:
    week = date(2026, 12, 14)
    council.confirm("P001", week, at=monday_after(week))
    run = council.pay(at=wednesday_after(week))  # Wednesday 23/12/2026
    assert (run["processing_day"], run["payment_date"]) == ("2026-12-24", "2026-12-29")
    approved = council.approve(
        run["run_id"], "finance officer", at=wednesday_after(week) + timedelta(hours=4)
    )
    assert approved["payment_date"] == "2026-12-29"  # Christmas and Boxing Day (moved) skipped
    payment_file = read_payment_file(council.finance_files(run["run_id"])["payment-file.txt"])
    assert payment_file.processing_day == date(2026, 12, 24)
    remittance, _ = council.remittance("P001", run["run_id"]) or (b"", b"")
    sheet = load_workbook(io.BytesIO(remittance)).active
    assert sheet is not None
    header = {row[0]: row[2] for row in sheet.iter_rows(max_row=9, values_only=True)}
    assert header["Payment date"] == "29/12/2026"


def test_a_run_approved_after_its_processing_day_is_paid_on_the_first_day_it_can_be(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    council.confirm("P001", week, at=monday_after(week))
    run = council.pay(at=wednesday_after(week))  # planned: processed Thu 19, paid Fri 20
    approved = council.approve(
        run["run_id"], "finance officer", at=wednesday_after(week) + timedelta(days=1, hours=4)
    )
    assert (approved["processing_day"], approved["payment_date"]) == ("2026-11-20", "2026-11-23")
    payment_file = read_payment_file(council.finance_files(run["run_id"])["payment-file.txt"])
    assert payment_file.processing_day == date(2026, 11, 20)  # never a day already past


def remittance_header(council: CarepayClient, provider: str, run_id: str) -> dict[str, object]:
    found = council.remittance(provider, run_id)
    assert found is not None
    sheet = load_workbook(io.BytesIO(found[0])).active
    assert sheet is not None
    return {row[0]: row[2] for row in sheet.iter_rows(max_row=9, values_only=True)}


def test_a_run_is_paid_when_the_bank_confirms_it_and_its_remittances_say_when(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    council.confirm("P001", week, at=monday_after(week))
    draft = council.pay(at=wednesday_after(week))
    with pytest.raises(RunRequestRefused, match="only an approved run can be paid"):
        council.mark_paid(draft["run_id"], "finance officer")
    council.approve(draft["run_id"], "finance officer", at=wednesday_after(week))
    header = remittance_header(council, "P001", draft["run_id"])
    assert header["Payment date"] == "20/11/2026"
    assert header["Paid into"] == "account ending 9911 (Acme Home Care Ltd)"
    assert "raise a Payment query in the provider portal (https://" in str(header["Questions"])
    assert str(header["Questions"]).endswith("quoting the remittance number")
    paid = council.mark_paid(draft["run_id"], "finance officer")
    assert paid["status"] == "paid" and paid["files"]  # the approval's files, still named
    assert remittance_header(council, "P001", draft["run_id"])["Paid on"] == "20/11/2026"
    summary = load_workbook(io.BytesIO(council.finance_files(draft["run_id"])["summary.xlsx"]))
    facts = {row[0]: row[1] for row in summary["Summary"].iter_rows(values_only=True) if row[0]}
    assert facts["Status"] == "paid" and "Paid on" in facts
    with pytest.raises(RunRequestRefused, match="already paid"):
        council.mark_paid(draft["run_id"], "finance officer")


def run_approved_in_time(council: CarepayClient, week: date) -> dict[str, Any]:
    """P001's week confirmed, its run started and approved on the Wednesday: the draft."""
    council.confirm("P001", week, at=monday_after(week))
    draft = council.pay(at=wednesday_after(week))
    council.approve(draft["run_id"], "finance officer", at=wednesday_after(week))
    return draft


def test_the_next_weeks_run_marks_an_approved_run_paid_once_its_payment_date_has_passed(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    first = run_approved_in_time(council, week)
    council.pay(at=wednesday_after(week) + timedelta(weeks=1))
    statuses = {run["run_id"]: run["status"] for run in council.runs()}
    assert statuses[first["run_id"]] == "paid"


def test_a_charging_period_extracted_by_a_run_since_paid_is_not_extracted_again(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    first = run_approved_in_time(council, week)
    assert first["charging_periods"] == ["2026-P08"]  # period 8 ended with w/c 09/11
    second = council.pay(at=wednesday_after(week) + timedelta(weeks=1))  # marks the first paid
    assert second["charging_periods"] == []


def test_a_withheld_line_cancelled_before_the_next_run_is_said_once_with_nothing_due(
    council: CarepayClient, tmp_path: Path
) -> None:
    week = date(2026, 11, 9)
    council.confirm("P002", week, at=wednesday_after(week))  # after the deadline: withheld
    first = council.pay(at=wednesday_after(week) + timedelta(hours=1))
    council.approve(
        first["run_id"], "finance officer", at=wednesday_after(week) + timedelta(hours=2)
    )
    withheld = [
        r for r in remittance_rows(council, "P002", first["run_id"]) if r["line_ref"] == "L2001"
    ]
    assert [r["status"] for r in withheld] == ["withheld"]
    import_packages(
        council,
        tmp_path,
        "P002,Bradford Day Services,L2001,SS2001,Support at Day Care,1:1,hour,6,,17.50,"
        "2026-04-01,,Cancelled,40-11-62,31926819,Bradford Day Services",
    )
    later = wednesday_after(week) + timedelta(weeks=1)
    second = council.approve(council.pay(at=later)["run_id"], "finance officer", at=later)
    said = [
        r for r in remittance_rows(council, "P002", second["run_id"]) if r["line_ref"] == "L2001"
    ]
    assert [(r["section"], r["net_amount"], r["reason"]) for r in said] == [
        ("adjustment", "0.00", "cancelled before payment: nothing due")
    ]
    third = council.pay(at=later + timedelta(weeks=1))
    assert [r for r in ledger_rows(council, third["run_id"]) if r["line_ref"] == "L2001"] == []


def test_the_ledger_carries_remittance_numbers_and_finance_coding_and_reports_what_is_uncoded(
    council: CarepayClient,
) -> None:
    week = date(2026, 11, 9)
    for provider in ("P001", "P003"):
        council.confirm(provider, week, at=monday_after(week))
    run = council.pay(at=wednesday_after(week))
    ledger = ledger_rows(council, run["run_id"])
    acme = next(row for row in ledger if row["provider_ref"] == "P001")
    assert (acme["remittance_number"], acme["cost_centre"], acme["expense_code"]) == (
        "2611180600-P001",
        "CC410",
        "5210",
    )
    riverside = [row for row in ledger if row["provider_ref"] == "P003"]
    assert riverside and all(row["cost_centre"] == "" for row in riverside)  # never guessed
    summary = load_workbook(io.BytesIO(council.finance_files(run["run_id"])["summary.xlsx"]))
    facts = {row[0]: row[1] for row in summary["Summary"].iter_rows(values_only=True) if row[0]}
    assert str(facts["Services without finance coding"]).startswith("1:1 Residential/Nursing (")
    providers = {row[0]: row for row in summary["Providers"].iter_rows(values_only=True)}
    assert providers["P001"][8:12] == (
        "200000",
        "55779911",
        "Acme Home Care Ltd",
        "2611180600-P001",
    )
