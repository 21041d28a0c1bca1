"""Google Sheets, through gspread: the only module that imports it.

One client per warm container (token refreshed by google-auth), an explicit timeout on every
call, and bounded retries with full jitter on 429 and 5xx, waiting at least what Google's
Retry-After asks (never gspread's BackOffHTTPClient, whose 6.2.1 loop can sleep without end).
Within an invocation the retries also keep to a deadline: no attempt starts, and no wait is
begun, that could end after it, so the function gives up in time and its message goes back to
the queue instead of the function timing out mid-write. Every call is counted as a read or a
write: Google's quota is 60 of each a minute per service account, and the handler reports the
counts as metrics.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import gspread
import requests
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError
from requests.adapters import BaseAdapter

from carepay.ports.errors import SheetNotShared, SheetUnavailable, TabMissing
from carepay.ports.sheets import Cell

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
)
RETRYABLE = frozenset({429, 500, 502, 503, 504})
READ, WRITE = "read", "write"
# An attempt needs at least this long: with less left before the deadline, none is started.
SHORTEST_ATTEMPT_SECONDS = 2.0
T = TypeVar("T")


class SheetsGateway:
    def __init__(
        self,
        service_account_info: Mapping[str, Any],
        *,
        timeout: tuple[float, float] = (5.0, 20.0),
        transport: BaseAdapter | None = None,
        attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 16.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        deadline: Callable[[], float | None] = lambda: None,
    ) -> None:
        credentials = Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            dict(service_account_info), scopes=SCOPES
        )
        token_session = requests.Session()
        session = AuthorizedSession(  # type: ignore[no-untyped-call]
            credentials, auth_request=Request(token_session)
        )
        if transport is not None:  # the local fake of Google, in tests and on the local stack
            token_session.mount("https://", transport)
            session.mount("https://", transport)
        self._client = gspread.Client(auth=credentials, session=session)
        self.timeout = timeout
        self.service_account_email = str(service_account_info.get("client_email", ""))
        self.attempts, self.base_delay, self.max_delay = attempts, base_delay, max_delay
        self.sleep, self.clock = sleep, clock
        # When this invocation's Google calls must be over (the clock's time), or None.
        self.deadline = deadline
        self.calls: Counter[str] = Counter()  # reads and writes, for the quota metric

    def read(self, spreadsheet_id: str, ranges: Sequence[str]) -> list[list[list[Cell]]]:
        """Each range's rows, as typed (numbers as numbers, ticked boxes as True), in one call."""
        http = self._client.http_client
        answer = self._call(
            READ,
            lambda: http.values_batch_get(
                spreadsheet_id,
                list(ranges),
                params={
                    "valueRenderOption": "UNFORMATTED_VALUE",
                    "dateTimeRenderOption": "FORMATTED_STRING",
                    "majorDimension": "ROWS",
                },
            ),
        )
        return [value_range.get("values", []) for value_range in answer.get("valueRanges", [])]

    def write_values(
        self, spreadsheet_id: str, data: Sequence[tuple[str, list[list[Cell]]]]
    ) -> None:
        """Write several ranges in one call, as text and numbers (never run as formulas)."""
        if not data:
            return
        http = self._client.http_client
        body = {
            "valueInputOption": "RAW",
            "data": [{"range": a1, "majorDimension": "ROWS", "values": rows} for a1, rows in data],
        }
        self._call(WRITE, lambda: http.values_batch_update(spreadsheet_id, body))

    def update(self, spreadsheet_id: str, requests_: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """spreadsheets.batchUpdate: tabs, protections, drop-downs, formatting, in one call."""
        http = self._client.http_client
        answer: dict[str, Any] = self._call(
            WRITE, lambda: http.batch_update(spreadsheet_id, {"requests": list(requests_)})
        )
        return answer

    def tab_titles(self, spreadsheet_id: str) -> list[str]:
        http = self._client.http_client
        metadata = self._call(
            READ,
            lambda: http.fetch_sheet_metadata(
                spreadsheet_id, params={"includeGridData": "false", "fields": "sheets.properties"}
            ),
        )
        return [sheet["properties"]["title"] for sheet in metadata.get("sheets", [])]

    def modified_at(self, spreadsheet_id: str) -> datetime:
        """When anyone last changed the sheet (Drive's modifiedTime)."""
        http = self._client.http_client
        metadata = self._call(READ, lambda: http.get_file_drive_metadata(spreadsheet_id))
        return datetime.fromisoformat(str(metadata["modifiedTime"]))

    def _call(self, kind: str, request: Callable[[], T]) -> T:
        for attempt in range(self.attempts):
            self._time_this_attempt()
            self.calls[kind] += 1
            try:
                return request()
            except APIError as error:
                self._raise_unless_retryable(error, attempt)
                wait = max(self._backoff(attempt), retry_after(error.response) or 0.0)
            except requests.RequestException as error:
                if attempt == self.attempts - 1:
                    raise SheetUnavailable(f"Google Sheets did not answer: {error}") from error
                wait = self._backoff(attempt)
            self._wait(wait)
        raise SheetUnavailable("unreachable")  # the loop returns or raises

    def _raise_unless_retryable(self, error: APIError, attempt: int) -> None:
        if error.code in (403, 404):
            raise SheetNotShared(
                f"The sheet cannot be opened: share it with {self.service_account_email} "
                f"as an editor (Google said: {error.error.get('message', '')})"
            ) from error
        if error.code == 400 and "Unable to parse range" in str(error.error.get("message")):
            raise TabMissing(str(error.error.get("message"))) from error
        if error.code not in RETRYABLE or attempt == self.attempts - 1:
            raise SheetUnavailable(f"Google Sheets answered {error}") from error

    def _backoff(self, attempt: int) -> float:
        """Full jitter: many providers editing at once do not retry in step."""
        return random.random() * min(self.max_delay, self.base_delay * 2.0**attempt)

    def _time_left(self) -> float | None:
        deadline = self.deadline()
        return None if deadline is None else deadline - self.clock()

    def _time_this_attempt(self) -> None:
        """No attempt is started that could end after the deadline: each is given what is left."""
        left = self._time_left()
        if left is not None and left < SHORTEST_ATTEMPT_SECONDS:
            raise SheetUnavailable(
                "No time is left in this invocation for another call to Google: the message "
                "goes back to its queue and is tried again."
            )
        connect, read = self.timeout
        if left is not None:  # connecting and then reading, together, within what is left
            connect = min(connect, left / 2)
            read = min(read, left - connect)
        self._client.http_client.set_timeout((connect, read))

    def _wait(self, seconds: float) -> None:
        left = self._time_left()
        if left is not None and seconds + SHORTEST_ATTEMPT_SECONDS > left:
            raise SheetUnavailable(
                f"Google asked carepay to wait {seconds:.0f} s, more than this invocation has "
                "left: the message goes back to its queue and is tried again."
            )
        self.sleep(seconds)


def retry_after(response: requests.Response | None) -> float | None:
    """Google's Retry-After, in seconds or as an HTTP date; None when it sends none."""
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class ForwardingTransport(BaseAdapter):
    """Sends Google-bound requests to another endpoint (a local fake), naming the real host."""

    def __init__(self, endpoint: str) -> None:
        super().__init__()
        self.endpoint = endpoint.rstrip("/")
        self.inner = requests.adapters.HTTPAdapter()

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        original = urlsplit(request.url or "")
        forwarded = request.copy()
        forwarded.url = f"{self.endpoint}{original.path}" + (
            f"?{original.query}" if original.query else ""
        )
        forwarded.headers["X-Forwarded-Host"] = original.hostname or "sheets.googleapis.com"
        return self.inner.send(forwarded, **kwargs)

    def close(self) -> None:
        self.inner.close()
