"""The provider portal in a real browser (Debian's headless Chromium, driven by Playwright)
against `carepay serve`: a provider's week from the invitation to the confirmed, locked week,
with axe-core run in each screen."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import re
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from carepay.spreadsheets.claim_workbook import CLAIM_SHEET, COLUMN_LETTER
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CAREPAY = str(Path(sys.executable).parent / "carepay")
CHROMIUM = Path("/usr/bin/chromium-headless-shell")
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
NOW = "2026-11-16T09:30:00+00:00"  # the Monday after the week of the samples
WEEK = "2026-11-09"
NEW_PASSWORD = "Correct-Horse-42-Battery"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or not AXE.exists(),
    reason="needs chromium-headless-shell and tools/axe (make test installs both)",
)


@dataclass
class Served:
    endpoint: str
    portal: str
    email: str
    temporary_password: str
    output: list[str]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    server = subprocess.Popen(
        [CAREPAY, "serve", "--port", str(port), "--now", NOW],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        output.append(line)
        if "ready" in line or not line:
            break
    printed = "".join(output)
    found = re.search(
        r"Provider portal: (\S+) \(try it as (\S+), temporary password (\S+),", printed
    )
    assert found, printed
    threading.Thread(target=output.extend, args=(server.stdout,), daemon=True).start()
    endpoint = f"http://127.0.0.1:{port}"
    stack = Served(endpoint, found[1], found[2], found[3], output)
    imported = carepay(
        stack, "packages", "import", str(ROOT / "spreadsheets/samples/care-packages.csv")
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    yield stack
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture
def page(served: Served, tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # bypass_csp only so the test can add axe-core to the page; the page never needs it.
        context = browser.new_context(accept_downloads=True, bypass_csp=True)
        yield context.new_page()
        context.close()
        browser.close()


def authenticator_code(secret: str) -> str:
    """What an authenticator app shows for this key now (RFC 6238: 30 s, 6 digits, SHA-1),
    read early enough in its 30 seconds that it is still the code when it reaches Cognito."""
    while time.time() % 30 > 25:
        time.sleep(0.5)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = struct.pack(">Q", int(time.time() // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def no_serious_accessibility_violations(page: Any, screen: str) -> None:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{screen}: {serious}"


def filled_claim(downloaded: Path, comment: str) -> bytes:
    """The claim as a provider fills it in their spreadsheet program: as planned, except that
    SS1007 had 3 of 5 hours (2 missed, with the comment saying why, or not)."""
    workbook = load_workbook(downloaded)
    sheet = workbook[CLAIM_SHEET]
    for row in range(6, sheet.max_row + 1):
        ss_ref = sheet[f"{COLUMN_LETTER['SS Ref']}{row}"].value
        planned = sheet[f"{COLUMN_LETTER['Weekly Planned Quantity']}{row}"].value
        if not ss_ref:
            continue
        sheet[f"{COLUMN_LETTER['Weekly Actual Quantity']}{row}"] = planned
        if ss_ref == "SS1007":
            sheet[f"{COLUMN_LETTER['Weekly Actual Quantity']}{row}"] = 3
            sheet[f"{COLUMN_LETTER['Weekly Missed Quantity']}{row}"] = 2
            sheet[f"{COLUMN_LETTER['Missed Reason']}{row}"] = "Notice given"
            sheet[f"{COLUMN_LETTER['Comments']}{row}"] = comment or None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_provider_signs_in_and_does_their_week_in_the_portal(
    served: Served, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(served.portal)
    page.get_by_label("Email address").fill(served.email)
    page.get_by_label("Password").fill(served.temporary_password)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()

    secret = page.locator("#secret").inner_text(timeout=20_000).strip()
    page.get_by_label("Security code").fill(authenticator_code(secret))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="My care suppliers")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("img", name=re.compile("Weeks in 2026-27"))).to_be_visible()
    no_serious_accessibility_violations(page, "home")

    page.goto(f"{served.portal}#/providers/P001/weeks/{WEEK}")
    expect(page.get_by_role("heading", name="Week commencing 9 November 2026")).to_be_visible()
    expect(page.get_by_text("In progress").first).to_be_visible()
    no_serious_accessibility_violations(page, "week")

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download the claim workbook").click()
    claim = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(claim)

    no_comment = tmp_path / "claim-first-try.xlsx"
    no_comment.write_bytes(filled_claim(claim, comment=""))
    page.locator("#claim-file").set_input_files(str(no_comment))
    expect(page.get_by_role("heading", name="11 rows accepted, 1 rejected")).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text(re.compile("V5: This row differs from the plan"))).to_be_visible()
    no_serious_accessibility_violations(page, "upload result")

    corrected = tmp_path / "claim-corrected.xlsx"
    corrected.write_bytes(filled_claim(claim, comment="Person asked for shorter calls"))
    page.locator("#claim-file").set_input_files(str(corrected))
    expect(page.get_by_role("heading", name="12 rows accepted, 0 rejected")).to_be_visible(
        timeout=60_000
    )

    page.get_by_label(re.compile("When you are done")).check()
    page.get_by_role("button", name="Save, confirm and lock").click()
    expect(
        page.get_by_text(re.compile("Week commencing 9 November 2026: confirmed"))
    ).to_be_visible(timeout=60_000)
    page.reload()
    expect(page.get_by_text("This week is confirmed and locked.")).to_be_visible(timeout=20_000)

    run_id = council_pays(served)
    page.goto(f"{served.portal}#/providers/P001/weeks")
    with page.expect_download() as downloading:
        page.get_by_role("button", name=f"{run_id}.xlsx").click()
    remittance = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(remittance)
    assert load_workbook(remittance).sheetnames

    page.get_by_role("link", name="Payment query").first.click()
    page.get_by_label("Payment query").check()
    expect(page.get_by_label("What is it about?")).to_have_value(f"remittance {run_id}")
    page.get_by_label("Your query").fill("Why is L1007 paid for 3 hours?")
    page.get_by_role("button", name="Send").click()
    raised = page.get_by_text(re.compile(r"Query Q\d{8}-\w{6}"))
    query_id = re.search(r"Q\d{8}-\w{6}", raised.inner_text(timeout=20_000))[0]
    no_serious_accessibility_violations(page, "queries")

    answered = carepay(served, "queries", "answer", query_id, "Your claim said 3 hours.")
    assert answered.returncode == 0, answered.stdout + answered.stderr
    page.reload()
    expect(page.get_by_text("Your claim said 3 hours.")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("answered", exact=True)).to_be_visible()


def carepay(served: Served, *arguments: str) -> subprocess.CompletedProcess[str]:
    """A council officer's command against the served stack."""
    environment = {**os.environ, "AWS_ENDPOINT_URL": served.endpoint}
    return subprocess.run(
        [CAREPAY, *arguments], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def council_pays(served: Served) -> str:
    """Finance runs Wednesday's payment run and approves it: the week is paid."""
    draft = carepay(served, "pay", "--at", "2026-11-18T06:00", "--json")
    assert draft.returncode == 0, draft.stdout + draft.stderr
    run_id: str = json.loads(draft.stdout)["run_id"]
    approved = carepay(served, "runs", "approve", run_id, "--by", "finance officer")
    assert approved.returncode == 0, approved.stdout
    return run_id
