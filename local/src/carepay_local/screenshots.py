"""`make screenshots`: the portal's home, week and upload-result screens for the README, taken
in Debian's headless Chromium against `carepay serve` (python -m carepay_local.screenshots DIR)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from carepay_local.browser import browser_page, filled_claim, first_sign_in, served_stack
from carepay_local.cloud import project_root

WEEK = "2026-11-09"


def take(folder: Path) -> list[Path]:
    from playwright.sync_api import expect

    folder.mkdir(parents=True, exist_ok=True)
    shots = [folder / f"portal-{name}.png" for name in ("home", "week", "upload-result")]
    with (
        served_stack(project_root(), "2026-11-16T09:30:00+00:00") as served,
        browser_page(1100, 800) as page,
        tempfile.TemporaryDirectory() as scratch,
    ):
        first_sign_in(page, served)
        page.screenshot(path=str(shots[0]))
        page.goto(f"{served.portal}#/providers/P001/weeks/{WEEK}")
        heading = page.get_by_role("heading", name="Week commencing 9 November 2026")
        expect(heading).to_be_visible()
        page.screenshot(path=str(shots[1]))
        with page.expect_download() as downloading:
            page.get_by_role("button", name="Download the claim workbook").click()
        claim = Path(scratch) / "claim.xlsx"
        downloading.value.save_as(claim)
        filled = Path(scratch) / "claim-w-c-2026-11-09.xlsx"
        filled.write_bytes(filled_claim(claim, comment=""))
        page.locator("#claim-file").set_input_files(str(filled))
        result = page.get_by_role("heading", name="11 rows accepted, 1 rejected")
        expect(result).to_be_visible(timeout=60_000)
        page.locator("#upload-result").screenshot(path=str(shots[2]))
    return shots


if __name__ == "__main__":
    for shot in take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")):
        print(shot)
