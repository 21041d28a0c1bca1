"""The provider portal in a real browser (Debian's headless Chromium, driven by Playwright)
against `carepay serve`: a provider's week from the invitation to the confirmed, locked week,
the remittance and a payment query, with axe-core run in each screen."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from carepay_local.browser import (
    CHROMIUM,
    Served,
    browser_page,
    filled_claim,
    first_sign_in,
    served_stack,
)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
NOW = "2026-11-16T09:30:00+00:00"  # the Monday after the week of the samples
WEEK = "2026-11-09"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or not AXE.exists(),
    reason="needs chromium-headless-shell and tools/axe (make test installs both)",
)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with served_stack(ROOT, NOW) as stack:
        yield stack


@pytest.fixture
def page() -> Iterator[Any]:
    with browser_page() as opened:
        yield opened


def no_serious_accessibility_violations(page: Any, screen: str) -> None:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{screen}: {serious}"


def reflows_at_320_pixels(page: Any, screen: str) -> None:
    """WCAG's reflow: at 320 CSS pixels wide (a phone, or 1280 at 400 % zoom) nothing needs
    scrolling sideways but the tables' own boxes."""
    page.set_viewport_size({"width": 320, "height": 800})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{screen} is {width} pixels wide at 320"
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def council_pays(served: Served) -> str:
    """Finance runs Wednesday's payment run and approves it: the week is paid."""
    draft = served.carepay("pay", "--at", "2026-11-18T06:00", "--json")
    assert draft.returncode == 0, draft.stdout + draft.stderr
    run_id: str = json.loads(draft.stdout)["run_id"]
    approved = served.carepay("runs", "approve", run_id, "--by", "finance officer")
    assert approved.returncode == 0, approved.stdout
    return run_id


def test_a_provider_signs_in_and_does_their_week_in_the_portal(
    served: Served, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    first_sign_in(page, served)  # temporary password, new password, authenticator code
    expect(page.get_by_role("img", name=re.compile("Weeks in 2026-27"))).to_be_visible()
    no_serious_accessibility_violations(page, "home")
    reflows_at_320_pixels(page, "home")

    page.goto(f"{served.portal}#/providers/P001/weeks/{WEEK}")
    expect(page.get_by_role("heading", name="Week commencing 9 November 2026")).to_be_visible()
    expect(page.get_by_text("In progress").first).to_be_visible()
    no_serious_accessibility_violations(page, "week")
    reflows_at_320_pixels(page, "week")

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

    answered = served.carepay("queries", "answer", query_id, "Your claim said 3 hours.")
    assert answered.returncode == 0, answered.stdout + answered.stderr
    page.reload()
    expect(page.get_by_text("Your claim said 3 hours.")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("answered", exact=True)).to_be_visible()
