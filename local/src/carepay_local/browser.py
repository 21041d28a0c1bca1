"""The provider portal in a real browser: Debian's headless Chromium driven by Playwright,
against `carepay serve`. Shared by tests/browser and `make screenshots`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carepay.spreadsheets.claim_workbook import CLAIM_SHEET, COLUMN_LETTER

CHROMIUM = Path("/usr/bin/chromium-headless-shell")
CAREPAY = str(Path(sys.executable).parent / "carepay")
NEW_PASSWORD = "Correct-Horse-42-Battery"  # noqa: S105 - the local pool's, never a real one


@dataclass
class Served:
    """`carepay serve` running: its AWS endpoint, the portal's address and the trial user."""

    root: Path
    endpoint: str
    portal: str
    email: str
    temporary_password: str
    output: list[str] = field(default_factory=list)

    def carepay(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """A council officer's command against the served stack."""
        environment = {**os.environ, "AWS_ENDPOINT_URL": self.endpoint}
        return subprocess.run(
            [CAREPAY, *arguments], cwd=self.root, env=environment, capture_output=True,
            text=True, timeout=120, check=False,
        )  # fmt: skip


def free_port() -> int:
    """A port nobody listens on now: asked of the system, never fixed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served_stack(root: Path, now: str) -> Iterator[Served]:
    """`carepay serve --now NOW` with the sample care packages imported; stopped afterwards."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    server = subprocess.Popen(
        [CAREPAY, "serve", "--port", str(port), "--now", now],
        cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
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
    if not found:
        server.terminate()
        raise RuntimeError(f"carepay serve did not start:\n{printed}")
    # Keep reading what the server prints: a full pipe would stop it mid-request.
    threading.Thread(target=output.extend, args=(server.stdout,), daemon=True).start()
    stack = Served(root, f"http://127.0.0.1:{port}", found[1], found[2], found[3], output)
    try:
        imported = stack.carepay(
            "packages", "import", str(root / "spreadsheets/samples/care-packages.csv")
        )
        if imported.returncode != 0:
            raise RuntimeError(imported.stdout + imported.stderr)
        yield stack
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A page in Debian's headless Chromium (Playwright's own browser download is blocked)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # bypass_csp only so tests can add axe-core to the page; the page never needs it.
        context = browser.new_context(
            accept_downloads=True, bypass_csp=True, viewport={"width": width, "height": height}
        )
        try:
            yield context.new_page()
        finally:
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


def first_sign_in(page: Any, served: Served) -> None:
    """The trial user's first sign-in: the temporary password, a new one, the authenticator
    key and its code; the page then shows My care suppliers."""
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


def filled_claim(downloaded: Path, comment: str) -> bytes:
    """The claim as a provider fills it in their spreadsheet program: as planned, except that
    SS1007 had 3 of 5 hours (2 missed, with the comment saying why, or not)."""
    from openpyxl import load_workbook

    workbook = load_workbook(downloaded)
    sheet = workbook[CLAIM_SHEET]
    for row in range(6, sheet.max_row + 1):
        ss_ref = sheet[f"{COLUMN_LETTER['SS Ref']}{row}"].value
        if not ss_ref:
            continue
        planned = sheet[f"{COLUMN_LETTER['Weekly Planned Quantity']}{row}"].value
        sheet[f"{COLUMN_LETTER['Weekly Actual Quantity']}{row}"] = planned
        if ss_ref == "SS1007":
            sheet[f"{COLUMN_LETTER['Weekly Actual Quantity']}{row}"] = 3
            sheet[f"{COLUMN_LETTER['Weekly Missed Quantity']}{row}"] = 2
            sheet[f"{COLUMN_LETTER['Missed Reason']}{row}"] = "Notice given"
            sheet[f"{COLUMN_LETTER['Comments']}{row}"] = comment or None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
