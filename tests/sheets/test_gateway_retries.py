"""The Sheets gateway's retries: Google's Retry-After is honoured, and however Google behaves a
sync's calls end before the Sheets function's timeout (on a clock the test owns)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from carepay.adapters.sheets import SheetsGateway, retry_after
from carepay.ports.errors import SheetUnavailable
from carepay.runtime import GOOGLE_RESERVE_SECONDS
from carepay_local.fake_sheets import FakeSheets, fake_service_account
from carepay_local.template import load_template

SERVICE_ACCOUNT = fake_service_account()
TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class GoogleThatNeverAnswers(BaseAdapter):
    """Every API call waits out the whole read timeout it was given; tokens are still issued."""

    def __init__(self, fake: FakeSheets, clock: Clock) -> None:
        super().__init__()
        self.tokens, self.clock = fake.transport(), clock
        self.timeouts: list[float] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if "oauth2" in (request.url or "") or "/token" in (request.url or ""):
            return self.tokens.send(request, **kwargs)
        connect, read = kwargs["timeout"]
        self.timeouts.append(read)
        self.clock.sleep(connect + read)
        raise requests.ReadTimeout("Google did not answer")

    def close(self) -> None:
        pass


def sheets_function_timeout() -> float:
    resources = load_template(TEMPLATE)["Resources"]
    return float(resources["SheetsFunction"]["Properties"]["Timeout"])


def test_a_429_with_retry_after_waits_at_least_what_google_asks(fake: FakeSheets) -> None:
    sheet_id = fake.create("Claims")
    clock = Clock()
    gateway = SheetsGateway(
        SERVICE_ACCOUNT, transport=fake.transport(), sleep=clock.sleep, clock=clock
    )
    fake.fail_with_quota_exceeded(times=1, retry_after=7)
    assert gateway.read(sheet_id, ["Sheet1"]) == [[]]
    assert clock.now - 1000.0 >= 7


def test_a_retry_after_longer_than_the_time_left_gives_up_at_once_without_sleeping(
    fake: FakeSheets,
) -> None:
    sheet_id = fake.create("Claims")
    clock = Clock()
    gateway = SheetsGateway(
        SERVICE_ACCOUNT,
        transport=fake.transport(),
        sleep=clock.sleep,
        clock=clock,
        deadline=lambda: 1000.0 + 20,
    )
    fake.fail_with_quota_exceeded(times=1, retry_after=60)
    with pytest.raises(SheetUnavailable, match="wait 60 s, more than this invocation has left"):
        gateway.read(sheet_id, ["Sheet1"])
    assert clock.now == 1000.0  # the queue's retry waits instead of the function


def test_when_google_never_answers_a_syncs_calls_end_before_the_function_times_out(
    fake: FakeSheets,
) -> None:
    sheet_id = fake.create("Claims")
    clock = Clock()
    google = GoogleThatNeverAnswers(fake, clock)
    timeout = sheets_function_timeout()
    started = clock.now
    gateway = SheetsGateway(
        SERVICE_ACCOUNT,
        transport=google,
        sleep=clock.sleep,
        clock=clock,
        # what the Sheets handler sets: the invocation's time less the reserve
        deadline=lambda: started + timeout - GOOGLE_RESERVE_SECONDS,
    )
    with pytest.raises(SheetUnavailable):  # the sync's read, as every attempt times out…
        gateway.read(sheet_id, ["w/c 2026-11-09"])
    with pytest.raises(SheetUnavailable):  # …and anything after it in the same invocation
        gateway.write_values(sheet_id, [("w/c 2026-11-09!A1", [["x"]])])
    assert clock.now - started <= timeout - GOOGLE_RESERVE_SECONDS
    assert len(google.timeouts) >= 2  # it did retry, each attempt given only what was left
    assert GOOGLE_RESERVE_SECONDS >= 10 and timeout - GOOGLE_RESERVE_SECONDS >= 30


def test_retry_after_is_read_in_seconds_or_as_an_http_date() -> None:
    answer = requests.Response()
    answer.headers["Retry-After"] = "12"
    assert retry_after(answer) == 12.0
    answer.headers["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT"  # long past: no wait
    assert retry_after(answer) == 0.0
    assert retry_after(requests.Response()) is None


@pytest.fixture
def fake() -> FakeSheets:
    return FakeSheets()
