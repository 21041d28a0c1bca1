"""What the council's Apps Script sends (spreadsheets/apps-script/carepay-notify.gs), in Python:
for tests and the demo, which play the script's part against the local stack."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

from carepay.services.sheet_notices import SIGNATURE_HEADER, sign


def signed_notice(
    secret: str,
    spreadsheet_id: str,
    tab: str = "",
    a1_range: str = "",
    at: datetime | None = None,
    nonce: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """(body, headers) exactly as the script builds them on an edit."""
    body = json.dumps(
        {
            "spreadsheet_id": spreadsheet_id,
            "tab": tab,
            "range": a1_range,
            "timestamp": (at or datetime.now(UTC)).isoformat(timespec="seconds"),
            "nonce": nonce or secrets.token_urlsafe(24),
        },
        separators=(",", ":"),
    ).encode()
    return body, {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}
