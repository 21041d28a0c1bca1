"""What the logs say in production: each decision with its provider and the upload's id as the
correlation id, and never a name or bank details."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from carepay.domain.weeks import LONDON
from carepay_local.client import CarepayClient
from tests.e2e.conftest import MONDAY_AFTER, WEEK, xlsx_bytes


def json_lines(text: str) -> list[dict[str, Any]]:
    found = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return found


@pytest.fixture
def function_logs() -> Iterator[io.StringIO]:
    """What the functions log, as Powertools formats it for CloudWatch."""
    service = logging.getLogger("carepay")
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(service.handlers[0].formatter)
    service.addHandler(handler)
    yield written
    service.removeHandler(handler)


def test_decisions_are_logged_with_the_provider_and_upload_id_and_no_personal_details(
    council: CarepayClient, function_logs: io.StringIO
) -> None:
    feedback = council.upload(
        "P001",
        "claim.xlsx",
        xlsx_bytes(
            ["SS Ref", "Client Name", "Date", "Weekly Actual Quantity", "Comments"],
            ["SS1009", "Mavis Ogbonna", "09/11/2026", 5, None],
            ["SS1003", "Ann Other", "09/11/2026", 4, None],
        ),
        at=MONDAY_AFTER,
    )
    council.confirm("P002", WEEK, at=MONDAY_AFTER)
    run = council.pay(at=datetime(2026, 11, 18, 6, tzinfo=LONDON))
    council.approve(run["run_id"], "finance officer")
    output = function_logs.getvalue()
    logs = json_lines(output)

    [committed] = [line for line in logs if line.get("message") == "upload committed"]
    assert committed["provider_ref"] == "P001"
    assert committed["correlation_id"] == committed["upload_id"] == feedback["upload_id"]
    assert (committed["accepted"], committed["rejected"]) == (1, 1)
    assert committed["row_codes"] == ["V5"]
    paid = {line["provider_ref"] for line in logs if line.get("message") == "provider paid"}
    assert {"P002"} <= paid
    assert any(line.get("message") == "run approved" for line in logs)
    for personal in ("Mavis", "Ann Other", "55779911", "31926819", "20-00-00", "40-11-62"):
        assert personal not in output
