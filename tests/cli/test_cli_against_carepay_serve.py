"""The CLI as a council officer or provider uses it: `carepay serve` in one process, commands in others."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_registers import PACKAGES, register
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "spreadsheets" / "samples"
# The command as the README gives it: the console script of the project's environment.
CAREPAY = str(Path(sys.executable).parent / "carepay")
SERVED: list[str] = []  # what `carepay serve` printed


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    server = subprocess.Popen(
        [CAREPAY, "serve", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    deadline = time.monotonic() + 90
    output = SERVED
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        output.append(line)
        if "ready" in line or not line:
            break
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in "".join(output), "".join(output)
    # Keep reading what the server prints: a full pipe would stop it mid-request.
    threading.Thread(target=output.extend, args=(server.stdout,), daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=20)


def carepay(endpoint: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CAREPAY, *arguments],
        cwd=ROOT,
        env={**os.environ, "AWS_ENDPOINT_URL": endpoint},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def imported(endpoint: str) -> str:
    result = carepay(endpoint, "packages", "import", str(SAMPLES / "care-packages.csv"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "17 service line versions imported for 3 providers" in result.stdout
    return endpoint


def test_an_upload_with_rejected_rows_exits_1_and_prints_json_on_request(imported: str) -> None:
    result = carepay(
        imported, "upload", str(SAMPLES / "P001-claim-w-c-2026-11-09.csv"),
        "--provider", "P001", "--at", "2026-11-16T09:30", "--json",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    feedback = json.loads(result.stdout)
    assert (feedback["accepted"], feedback["rejected"]) == (9, 3)
    row = feedback["rows"][0]
    assert set(row) >= {"row", "status", "errors", "warnings", "exceptions"}
    assert {f["code"] for r in feedback["rows"] for f in r["errors"]} == {"V1", "V2", "V5"}


def test_an_upload_whose_rows_are_all_accepted_exits_0_with_a_table(imported: str) -> None:
    result = carepay(
        imported, "upload", str(SAMPLES / "P003-claim-w-c-2026-11-09.csv"),
        "--provider", "P002", "--at", "2026-11-16T09:30",
    )  # fmt: skip
    assert result.returncode == 1  # P003's people are not P002's: V2 for both rows
    result = carepay(
        imported, "upload", str(SAMPLES / "P002-corrections-w-c-2026-11-09.csv"),
        "--provider", "P002", "--at", "2026-11-16T09:30",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    assert "1 accepted, 0 rejected" in result.stdout


def test_a_file_refused_whole_exits_2(imported: str, tmp_path: Path) -> None:
    empty = tmp_path / "claim.csv"
    empty.write_bytes(b"")
    result = carepay(imported, "upload", str(empty), "--provider", "P001")
    assert result.returncode == 2
    assert "is empty" in result.stdout


def test_confirm_prints_the_week_and_a_late_confirmation_is_marked(imported: str) -> None:
    result = carepay(
        imported,
        "confirm",
        "--provider",
        "P003",
        "--week",
        "2026-11-09",
        "--at",
        "2026-11-17T18:30",
        "--json",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [week] = json.loads(result.stdout)["confirmations"]
    assert week["status"] == "confirmed late" and week["lines_confirmed"] == 2


def test_a_command_that_cannot_be_understood_exits_2(imported: str) -> None:
    assert carepay(imported, "confirm", "--provider", "P003", "--week", "next week").returncode == 2
    assert carepay(imported, "upload", "no-such-file.csv", "--provider", "P001").returncode == 2


def test_finance_runs_pays_and_approves_a_week_from_the_command_line(
    imported: str, tmp_path: Path
) -> None:
    confirmed = carepay(
        imported, "confirm", "--provider", "P001", "--week", "2026-11-16", "--at", "2026-11-23T10:00"
    )  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stdout
    preview = carepay(imported, "preview", "--provider", "P002", "--week", "2026-11-16", "--json")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert json.loads(preview.stdout)["total_pence"] == 17500  # 10 h at £17.50, as planned

    draft = carepay(imported, "pay", "--at", "2026-11-25T06:00", "--json")
    assert draft.returncode == 0, draft.stdout + draft.stderr
    run = json.loads(draft.stdout)
    assert (run["run_id"], run["status"]) == ("R20261125-0600", "draft")
    refused = carepay(imported, "pay", "--at", "2026-12-02T06:00")
    assert refused.returncode == 2
    assert "R20261125-0600 is not approved yet" in " ".join(refused.stdout.split())

    approved = carepay(imported, "runs", "approve", "R20261125-0600", "--by", "J Smith")
    assert approved.returncode == 0, approved.stdout
    assert "approved" in approved.stdout and "payment-file.txt" in approved.stdout
    again = carepay(imported, "runs", "approve", "R20261125-0600", "--by", "J Smith")
    assert again.returncode == 2 and "already approved" in again.stdout
    listed = carepay(imported, "runs", "list", "--json")
    assert [r["status"] for r in json.loads(listed.stdout)] == ["approved"]

    saved = carepay(
        imported, "remittance", "--provider", "P001", "--run", "R20261125-0600", "--out", str(tmp_path)
    )  # fmt: skip
    assert saved.returncode == 0, saved.stdout
    assert (tmp_path / "remittance-P001-R20261125-0600.xlsx").stat().st_size > 4_000
    files = carepay(imported, "finance", "--run", "R20261125-0600", "--out", str(tmp_path))
    assert files.returncode == 0, files.stdout
    names = {p.name for p in (tmp_path / "R20261125-0600").iterdir()}
    assert {"ledger.csv", "summary.xlsx", "payment-file.txt"} <= names
    missing = carepay(imported, "remittance", "--provider", "P999", "--run", "R20261125-0600")
    assert missing.returncode == 2


def test_linking_a_sheet_carepay_cannot_open_says_how_to_share_it(imported: str) -> None:
    refused = carepay(
        imported, "sheets", "link", "--provider", "P001", "--sheet", "1NoSuchSheet0000"
    )
    assert refused.returncode == 2
    assert "share it with" in " ".join(refused.stdout.split())


def test_workbook_and_preview_take_at_like_every_command_that_acts_on_time(
    imported: str, tmp_path: Path
) -> None:
    target = tmp_path / "claim.xlsx"
    written = carepay(
        imported, "workbook", "--provider", "P003", "--week", "2026-11-09",
        "--at", "2026-11-13T12:00", "--out", str(target),
    )  # fmt: skip
    assert written.returncode == 0, written.stdout + written.stderr
    from openpyxl import load_workbook

    sheets = load_workbook(target, read_only=True).sheetnames
    assert "Payment preview" not in sheets and "Claim" in " ".join(sheets)  # not ended at --at
    preview = carepay(
        imported, "preview", "--provider", "P003", "--at", "2026-11-17T12:00", "--json"
    )  # fmt: skip
    assert preview.returncode == 0, preview.stdout + preview.stderr
    # No --week: the week just ended at --at, not today's
    assert json.loads(preview.stdout)["week_commencing"] == "2026-11-09"


def test_an_upload_says_where_its_feedback_workbook_is_and_saves_it_on_request(
    imported: str, tmp_path: Path
) -> None:
    claim = str(SAMPLES / "P002-corrections-w-c-2026-11-09.csv")
    told = carepay(imported, "upload", claim, "--provider", "P002", "--at", "2026-11-16T09:30")
    assert "Feedback workbook: s3://" in told.stdout and ".feedback.xlsx" in told.stdout
    saved = carepay(
        imported, "upload", claim, "--provider", "P002", "--at", "2026-11-16T09:31",
        "--out", str(tmp_path),
    )  # fmt: skip
    [workbook] = tmp_path.glob("*.feedback.xlsx")
    assert "Feedback workbook saved to" in saved.stdout
    assert workbook.read_bytes().startswith(b"PK")


def test_a_preview_of_a_confirmed_week_does_not_ask_to_confirm_it(imported: str) -> None:
    confirmed = carepay(
        imported, "confirm", "--provider", "P003", "--week", "2026-11-02", "--at", "2026-11-09T10:00"
    )  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stdout
    preview = carepay(
        imported, "preview", "--provider", "P003", "--week", "2026-11-02",
        "--at", "2026-11-20T10:00", "--json",
    )  # fmt: skip
    message = json.loads(preview.stdout)["message"]
    assert "already confirmed" in message and "Confirm by" not in message


def test_serve_is_quiet_and_prints_a_function_that_fails_with_why(imported: str) -> None:
    """A message naming a file that is not there (deleted before it was read) fails each try."""
    import boto3

    environment = {"endpoint_url": imported, "region_name": "eu-west-2",
                   "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # fmt: skip
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in boto3.client("cloudformation", **environment).describe_stacks(StackName="carepay")[
            "Stacks"
        ][0]["Outputs"]
    }
    event = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                          "eventTime": "2026-11-16T09:30:00.000Z",
                          "s3": {"bucket": {"name": outputs["InboundBucketName"]},
                                 "object": {"key": "uploads/P001/gone.csv", "size": 10,
                                            "versionId": "a-version-deleted-since"}}}]}  # fmt: skip
    boto3.client("sqs", **environment).send_message(
        QueueUrl=outputs["SubmissionsQueueUrl"], MessageBody=json.dumps(event)
    )
    deadline = time.monotonic() + 120
    while not any("failed on uploads/P001/gone.csv" in line for line in SERVED):
        assert time.monotonic() < deadline, "".join(SERVED[-20:])
        time.sleep(0.2)
    [failure, *_] = [line for line in SERVED if "failed on uploads/P001/gone.csv" in line]
    assert failure.startswith("IngestActualsFunction failed on uploads/P001/gone.csv: ")
    assert "Error" in failure and "retried, then dead-lettered" in failure  # with why
    assert not any("HTTP/1.1" in line for line in SERVED)  # no line per request
    assert any("lives in this process" in line for line in SERVED)


def test_the_council_answers_and_resolves_a_providers_query_once(
    imported: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from carepay.adapters.aws import forget_clients
    from carepay_local.client import CarepayClient

    monkeypatch.setenv("AWS_ENDPOINT_URL", imported)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "local")
    forget_clients()
    try:  # raised in the portal by Jo at P001 (tests/e2e/test_portal.py goes through the API)
        raised = CarepayClient().queries().raise_query(
            "P001", "jo@acme.example", "Payment query", "w/c 2026-11-09", "Why 3 h?",
            datetime(2026, 11, 17, 9, tzinfo=UTC),
        )  # fmt: skip
    finally:
        forget_clients()
    listed = carepay(imported, "queries", "list", "--status", "open")
    assert listed.returncode == 0 and raised.query_id in listed.stdout, listed.stdout
    answered = carepay(imported, "queries", "answer", raised.query_id, "Your claim said 3 h.")
    assert answered.returncode == 0 and "answered" in answered.stdout, answered.stdout
    assert carepay(imported, "queries", "resolve", raised.query_id).returncode == 0
    again = carepay(imported, "queries", "resolve", raised.query_id)
    assert again.returncode == 2 and "already resolved" in again.stdout
    shown = carepay(imported, "queries", "show", raised.query_id)
    assert shown.stdout.count("council (council)") == 2 and "Why 3 h?" in shown.stdout


def test_progress_counts_a_providers_weeks_from_the_first_claimed_through_carepay(
    imported: str,
) -> None:
    shown = carepay(
        imported, "progress", "--provider", "P002", "--year", "2026-27",
        "--at", "2026-11-18T09:00", "--json",
    )  # fmt: skip
    assert shown.returncode == 0, shown.stdout + shown.stderr
    year = json.loads(shown.stdout)
    # The local stack's FirstCarepayWeek is 09/11/2026: that week is late, the rest to come.
    assert year["counts"] == {"Confirmed": 0, "In progress": 0, "Late": 1, "Not yet due": 19}
    assert year["weeks"][0] == {"week_commencing": "2026-11-09", "status": "Late"}
    unknown = carepay(imported, "progress", "--provider", "P999", "--at", "2026-11-18T09:00")
    assert unknown.returncode == 2 and "nothing planned" in unknown.stdout


def test_a_day_centre_uploads_its_register_and_saves_it_again_as_submitted(
    imported: str, tmp_path: Path
) -> None:
    (tmp_path / "day-centre.csv").write_text(PACKAGES)
    assert carepay(imported, "packages", "import", str(tmp_path / "day-centre.csv")).returncode == 0
    (tmp_path / "nominations.csv").write_text(
        "Provider Ref,Financial Year,Week Commencing\nP400,2024-25,17/03/2025\nP400,2024-25,24/03/2025\n"
    )
    nominated = carepay(imported, "non-payment-weeks", "import", str(tmp_path / "nominations.csv"))
    assert nominated.returncode == 0, nominated.stdout + nominated.stderr
    assert "P400 2024-25: non-payment weeks w/c 17/03/2025 and 24/03/2025" in nominated.stdout
    (tmp_path / "register.csv").write_bytes(
        register("L401,SS400,AM Session,03/03/2025,A,,N,A,,,Swapped Friday for Thursday,Y")
    )
    uploaded = carepay(
        imported, "upload", str(tmp_path / "register.csv"), "--provider", "P400",
        "--at", "2025-03-10T10:00", "--json",
    )  # fmt: skip
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    saved = carepay(
        imported, "register", "--provider", "P400", "--week", "2025-03-03",
        "--at", "2025-03-12T09:00", "--out", str(tmp_path / "saved.xlsx"),
    )  # fmt: skip
    assert saved.returncode == 0, saved.stdout + saved.stderr
    rows = (tmp_path / "saved.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "L401,SS400,AM Session,03/03/2025,A,,N,A,,,Swapped Friday for Thursday,Y" in rows
    assert "L403,SS400,PM Session,03/03/2025,,A,,A,,,,Y" in rows  # submitted as planned
    assert (tmp_path / "saved.xlsx").read_bytes().startswith(b"PK")
    too_old = carepay(
        imported, "register", "--provider", "P400", "--week", "2023-03-06",
        "--at", "2025-03-12T09:00",
    )  # fmt: skip
    assert too_old.returncode == 2 and "current and previous financial year" in too_old.stdout
    none = carepay(
        imported, "register", "--provider", "P400", "--week", "2025-03-17",
        "--at", "2025-04-01T09:00",
    )  # fmt: skip
    assert none.returncode == 2 and "non-payment week" in none.stdout
