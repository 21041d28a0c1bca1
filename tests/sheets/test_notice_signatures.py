"""A notice's signature is checked without ever failing on what an attacker puts in the header."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from carepay.services.sheet_notices import NoticeRefused, sign, verify

SECRET = "the council's secret"
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
BODY = json.dumps(
    {"spreadsheet_id": "1AbCdEfGhIjKlMn", "timestamp": NOW.isoformat(), "nonce": "n" * 20}
).encode()


@pytest.mark.parametrize(
    "signature", ["é" * 64, "\u200b" + "0" * 63, "", "🙂", "0" * 10_000, "\x00" * 64]
)
def test_a_signature_no_hex_digest_could_be_is_refused_401_not_a_server_error(
    signature: str,
) -> None:
    with pytest.raises(NoticeRefused) as refused:
        verify(BODY, signature, SECRET, NOW)
    assert refused.value.status == 401


def test_the_right_signature_in_capitals_or_with_spaces_is_accepted() -> None:
    signature = f"  {sign(BODY, SECRET).upper()} "
    assert verify(BODY, signature, SECRET, NOW).spreadsheet_id == "1AbCdEfGhIjKlMn"
