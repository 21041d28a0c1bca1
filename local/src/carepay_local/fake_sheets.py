"""A faithful local fake of the Google Sheets v4 API (and the two Google endpoints around it),
so gspread's real code runs unchanged against an in-memory spreadsheet.

Mounted as a `requests` transport on gspread's session (`FakeSheets.transport()`), or served on
127.0.0.1 (`serve_fake_sheets`) for `carepay serve`. It answers as Google does where carepay and
gspread look: trailing empty cells and rows trimmed, no `values` key for an empty range,
`{"error": {"code", "message", "status"}}` on failure, 429 RESOURCE_EXHAUSTED when a test asks
for it. It also plays the OAuth token endpoint (a service account's signed JWT in, a bearer
token out) and Drive's file metadata (modifiedTime), and refuses a request without the token.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from requests.adapters import BaseAdapter

from carepay.spreadsheets.layout import column_letter

SHEETS_HOST = "sheets.googleapis.com"
DRIVE_HOST = "www.googleapis.com"
TOKEN_HOST = "oauth2.googleapis.com"  # noqa: S105 - a host name, not a secret
Cell = str | float | int | bool


class SheetsApiError(Exception):
    def __init__(
        self, code: int, status: str, message: str, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message
        self.retry_after = retry_after


@dataclass
class Tab:
    sheet_id: int
    title: str
    index: int
    rows: list[list[Cell]] = field(default_factory=list)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    validations: list[dict[str, Any]] = field(default_factory=list)
    formats: list[dict[str, Any]] = field(default_factory=list)
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    frozen_rows: int = 0

    def get(self, row: int, column: int) -> Cell:
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return ""

    def put(self, row: int, column: int, value: Cell) -> None:
        while len(self.rows) <= row:
            self.rows.append([])
        cells = self.rows[row]
        while len(cells) <= column:
            cells.append("")
        cells[column] = value


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    tabs: list[Tab] = field(default_factory=list)
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))
    next_sheet_id: int = 1

    def tab(self, title: str) -> Tab:
        for tab in self.tabs:
            if tab.title == title:
                return tab
        raise SheetsApiError(400, "INVALID_ARGUMENT", f"Unable to parse range: {title}")

    def tab_by_id(self, sheet_id: int) -> Tab:
        for tab in self.tabs:
            if tab.sheet_id == sheet_id:
                return tab
        raise SheetsApiError(400, "INVALID_ARGUMENT", f"No grid with id: {sheet_id}")


@dataclass(frozen=True)
class GridRange:
    tab: str
    first_row: int  # 0-based, inclusive
    first_column: int
    last_row: int | None  # 0-based, inclusive; None = to the end
    last_column: int | None

    @property
    def a1(self) -> str:
        end = ""
        if self.last_row is not None and self.last_column is not None:
            end = f":{column_letter(self.last_column + 1)}{self.last_row + 1}"
        return f"'{self.tab}'!{column_letter(self.first_column + 1)}{self.first_row + 1}{end}"


_A1 = re.compile(r"^([A-Za-z]*)(\d*)$")
_CELLS = re.compile(r"^[A-Za-z]{1,3}\d*(:[A-Za-z]{1,3}\d*)?$")


def parse_range(a1: str, default_tab: str) -> GridRange:
    """'Tab'!A1:C5, Tab!A:C, A5:Z (the first tab), 'Tab' (all of it): the A1 notation Google takes."""
    tab, bang, cells = a1.rpartition("!")
    if not bang:
        tab, cells = ("", a1) if _CELLS.match(a1) else (a1, "")
    if tab.startswith("'") and tab.endswith("'"):
        tab = tab[1:-1].replace("''", "'")
    tab = tab or default_tab
    if not cells:
        return GridRange(tab, 0, 0, None, None)
    start, _, end = cells.partition(":")
    first_column, first_row = _cell(start)
    if not end:
        return GridRange(tab, first_row or 0, first_column or 0, first_row or 0, first_column or 0)
    last_column, last_row = _cell(end)
    return GridRange(tab, first_row or 0, first_column or 0, last_row, last_column)


def _cell(reference: str) -> tuple[int | None, int | None]:
    match = _A1.match(reference.strip())
    if not match:
        raise SheetsApiError(400, "INVALID_ARGUMENT", f"Unable to parse range: {reference}")
    letters, digits = match.groups()
    column = None
    if letters:
        column = 0
        for letter in letters.upper():
            column = column * 26 + ord(letter) - 64
        column -= 1
    return column, int(digits) - 1 if digits else None


class FakeSheets:
    """Spreadsheets in memory, and the HTTP API over them."""

    def __init__(self) -> None:
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.tokens: set[str] = set()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every API call answered
        # (code, status, Retry-After seconds or None) to answer the next calls with
        self.fail_next: list[tuple[int, str, int | None]] = []
        self.lock = threading.RLock()

    # -- what a test or the demo does directly (as the provider would in the browser) ----------
    def create(self, title: str, spreadsheet_id: str | None = None) -> str:
        with self.lock:
            spreadsheet_id = spreadsheet_id or secrets.token_urlsafe(33)[:44]
            self.spreadsheets[spreadsheet_id] = Spreadsheet(
                spreadsheet_id, title, [Tab(0, "Sheet1", 0)]
            )
            return spreadsheet_id

    def type_in(self, spreadsheet_id: str, tab: str, a1_cell: str, value: Cell) -> None:
        """A person typing into a cell (what the Sheets UI would store)."""
        with self.lock:
            spreadsheet = self._spreadsheet(spreadsheet_id)
            grid = parse_range(a1_cell, tab)
            target = spreadsheet.tab(grid.tab)
            if _protected(target, grid.first_row, grid.first_column):
                raise PermissionError(f"{a1_cell} of {tab} is protected")
            target.put(grid.first_row, grid.first_column, value)
            spreadsheet.modified = datetime.now(UTC)

    def values(self, spreadsheet_id: str, tab: str) -> list[list[Cell]]:
        with self.lock:
            return [list(row) for row in self._spreadsheet(spreadsheet_id).tab(tab).rows]

    def tab(self, spreadsheet_id: str, title: str) -> Tab:
        return self._spreadsheet(spreadsheet_id).tab(title)

    def titles(self, spreadsheet_id: str) -> list[str]:
        return [tab.title for tab in self._spreadsheet(spreadsheet_id).tabs]

    def _spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        spreadsheet = self.spreadsheets.get(spreadsheet_id)
        if spreadsheet is None:
            raise SheetsApiError(404, "NOT_FOUND", "Requested entity was not found.")
        return spreadsheet

    # -- the HTTP API ----------------------------------------------------------------------------
    def answer(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, dict[str, Any]]:
        code, payload, _ = self.answer_with_headers(method, url, headers, body)
        return code, payload

    def answer_with_headers(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        with self.lock:
            try:
                if parts.hostname == TOKEN_HOST:
                    return 200, self._token(body or b""), {}
                authorization = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
                if authorization.removeprefix("Bearer ") not in self.tokens:
                    raise SheetsApiError(
                        401, "UNAUTHENTICATED", "Request had invalid authentication credentials."
                    )
                self.requests.append((method, parts.path))
                if self.fail_next:
                    code, status, wait = self.fail_next.pop(0)
                    message = _FAILURE_MESSAGES.get(status, status)
                    raise SheetsApiError(code, status, message, retry_after=wait)
                payload = json.loads(body) if body else {}
                if parts.hostname == DRIVE_HOST:
                    return 200, self._drive_file(parts.path), {}
                return 200, self._sheets(method, unquote(parts.path), query, payload), {}
            except SheetsApiError as error:
                wait_header = (
                    {} if error.retry_after is None else {"Retry-After": str(error.retry_after)}
                )
                return (
                    error.code,
                    {
                        "error": {
                            "code": error.code,
                            "message": error.message,
                            "status": error.status,
                        }
                    },
                    wait_header,
                )

    def _token(self, body: bytes) -> dict[str, Any]:
        form = parse_qs(body.decode())
        if form.get("grant_type") != [
            "urn:ietf:params:oauth:grant-type:jwt-bearer"
        ] or not form.get("assertion"):
            raise SheetsApiError(400, "INVALID_ARGUMENT", "invalid_grant")
        token = "fake-" + secrets.token_hex(16)
        self.tokens.add(token)
        return {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def _drive_file(self, path: str) -> dict[str, Any]:
        spreadsheet = self._spreadsheet(path.rsplit("/", 1)[1])
        return {
            "id": spreadsheet.spreadsheet_id,
            "name": spreadsheet.title,
            "modifiedTime": spreadsheet.modified.isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            ),
        }

    def _sheets(
        self, method: str, path: str, query: dict[str, list[str]], payload: dict[str, Any]
    ) -> dict[str, Any]:
        match = re.match(r"^/v4/spreadsheets/([^/:]+)(.*)$", path)
        if not match:
            raise SheetsApiError(404, "NOT_FOUND", f"{path} is not a Sheets API method")
        spreadsheet = self._spreadsheet(match.group(1))
        rest = match.group(2)
        option = {k: v[0] for k, v in query.items() if v}
        if method == "GET" and rest == "":
            return self._metadata(spreadsheet)
        if method == "GET" and rest == "/values:batchGet":
            return {
                "spreadsheetId": spreadsheet.spreadsheet_id,
                "valueRanges": [
                    self._read(spreadsheet, a1, option) for a1 in query.get("ranges", [])
                ],
            }
        if method == "POST" and rest == "/values:batchUpdate":
            updated = [
                self._write(spreadsheet, data["range"], data.get("values", []), payload)
                for data in payload.get("data", [])
            ]
            return {
                "spreadsheetId": spreadsheet.spreadsheet_id,
                "totalUpdatedCells": sum(u["updatedCells"] for u in updated),
                "responses": updated,
            }
        if method == "POST" and rest == "/values:batchClear":
            cleared = [self._clear(spreadsheet, a1) for a1 in payload.get("ranges", [])]
            return {"spreadsheetId": spreadsheet.spreadsheet_id, "clearedRanges": cleared}
        if method == "POST" and rest == ":batchUpdate":
            replies = [self._update(spreadsheet, request) for request in payload["requests"]]
            spreadsheet.modified = datetime.now(UTC)
            return {"spreadsheetId": spreadsheet.spreadsheet_id, "replies": replies}
        values = re.match(r"^/values/(.+?)(:append|:clear)?$", rest)
        if values:
            a1, verb = values.group(1), values.group(2)
            if method == "GET" and not verb:
                return self._read(spreadsheet, a1, option)
            if method == "PUT" and not verb:
                return self._write(spreadsheet, a1, payload.get("values", []), option)
            if method == "POST" and verb == ":clear":
                return {
                    "spreadsheetId": spreadsheet.spreadsheet_id,
                    "clearedRange": self._clear(spreadsheet, a1),
                }
            if method == "POST" and verb == ":append":
                return self._append(spreadsheet, a1, payload.get("values", []), option)
        raise SheetsApiError(404, "NOT_FOUND", f"{method} {path} is not served by the fake")

    def _metadata(self, spreadsheet: Spreadsheet) -> dict[str, Any]:
        return {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "properties": {
                "title": spreadsheet.title,
                "locale": "en_GB",
                "timeZone": "Europe/London",
            },
            "sheets": [
                {
                    "properties": {
                        "sheetId": tab.sheet_id,
                        "title": tab.title,
                        "index": tab.index,
                        "sheetType": "GRID",
                        "gridProperties": {
                            "rowCount": max(1000, len(tab.rows)),
                            "columnCount": max(26, *(len(r) for r in tab.rows), 0),
                            "frozenRowCount": tab.frozen_rows,
                        },
                    },
                    "protectedRanges": tab.protected_ranges,
                }
                for tab in sorted(spreadsheet.tabs, key=lambda t: t.index)
            ],
        }

    def _read(self, spreadsheet: Spreadsheet, a1: str, option: dict[str, str]) -> dict[str, Any]:
        grid = parse_range(a1, spreadsheet.tabs[0].title)
        tab = spreadsheet.tab(grid.tab)
        last_row = len(tab.rows) - 1 if grid.last_row is None else grid.last_row
        width = max((len(r) for r in tab.rows), default=0)
        last_column = width - 1 if grid.last_column is None else grid.last_column
        formatted = option.get("valueRenderOption", "FORMATTED_VALUE") == "FORMATTED_VALUE"
        rows = []
        for row in range(grid.first_row, last_row + 1):
            cells = [
                _render(tab.get(row, column), formatted)
                for column in range(grid.first_column, last_column + 1)
            ]
            while cells and cells[-1] == "":
                cells.pop()  # Google trims trailing empty cells…
            rows.append(cells)
        while rows and not rows[-1]:
            rows.pop()  # …and trailing empty rows
        answered = GridRange(grid.tab, grid.first_row, grid.first_column, last_row, last_column)
        result: dict[str, Any] = {"range": answered.a1, "majorDimension": "ROWS"}
        if rows:
            result["values"] = rows  # no "values" key at all for an empty range
        return result

    def _write(
        self, spreadsheet: Spreadsheet, a1: str, values: list[list[Cell]], option: dict[str, Any]
    ) -> dict[str, Any]:
        grid = parse_range(a1, spreadsheet.tabs[0].title)
        tab = spreadsheet.tab(grid.tab)
        entered = option.get("valueInputOption") == "USER_ENTERED"
        if option.get("valueInputOption") not in ("RAW", "USER_ENTERED"):
            raise SheetsApiError(400, "INVALID_ARGUMENT", "valueInputOption is required")
        cells = 0
        for row_offset, row in enumerate(values):
            for column_offset, value in enumerate(row):
                tab.put(
                    grid.first_row + row_offset,
                    grid.first_column + column_offset,
                    _entered(value) if entered else value,
                )
                cells += 1
        spreadsheet.modified = datetime.now(UTC)
        return {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "updatedRange": grid.a1,
            "updatedRows": len(values),
            "updatedColumns": max((len(r) for r in values), default=0),
            "updatedCells": cells,
        }

    def _append(
        self, spreadsheet: Spreadsheet, a1: str, values: list[list[Cell]], option: dict[str, str]
    ) -> dict[str, Any]:
        grid = parse_range(a1, spreadsheet.tabs[0].title)
        tab = spreadsheet.tab(grid.tab)
        start = column_letter(grid.first_column + 1)
        updates = self._write(
            spreadsheet, f"'{tab.title}'!{start}{len(tab.rows) + 1}", values, option
        )
        return {"spreadsheetId": spreadsheet.spreadsheet_id, "updates": updates}

    def _clear(self, spreadsheet: Spreadsheet, a1: str) -> str:
        grid = parse_range(a1, spreadsheet.tabs[0].title)
        tab = spreadsheet.tab(grid.tab)
        last_row = len(tab.rows) - 1 if grid.last_row is None else grid.last_row
        for row in range(grid.first_row, min(last_row, len(tab.rows) - 1) + 1):
            last_column = len(tab.rows[row]) - 1 if grid.last_column is None else grid.last_column
            for column in range(grid.first_column, min(last_column, len(tab.rows[row]) - 1) + 1):
                tab.rows[row][column] = ""
        spreadsheet.modified = datetime.now(UTC)
        return grid.a1

    def _update(self, spreadsheet: Spreadsheet, request: dict[str, Any]) -> dict[str, Any]:
        [(kind, body)] = request.items()
        if kind == "addSheet":
            properties = body.get("properties", {})
            title = properties.get("title") or f"Sheet{spreadsheet.next_sheet_id + 1}"
            if any(tab.title == title for tab in spreadsheet.tabs):
                raise SheetsApiError(
                    400,
                    "INVALID_ARGUMENT",
                    f'Invalid requests[0].addSheet: A sheet with the name "{title}" already '
                    "exists. Please enter another name.",
                )
            tab = Tab(
                properties.get("sheetId", spreadsheet.next_sheet_id),
                title,
                properties.get("index", len(spreadsheet.tabs)),
            )
            tab.frozen_rows = properties.get("gridProperties", {}).get("frozenRowCount", 0)
            spreadsheet.next_sheet_id = max(spreadsheet.next_sheet_id, tab.sheet_id) + 1
            spreadsheet.tabs.append(tab)
            return {
                "addSheet": {
                    "properties": {"sheetId": tab.sheet_id, "title": tab.title, "index": tab.index}
                }
            }
        if kind == "deleteSheet":
            tab = spreadsheet.tab_by_id(body["sheetId"])
            spreadsheet.tabs.remove(tab)
            return {}
        if kind == "updateSheetProperties":
            tab = spreadsheet.tab_by_id(body["properties"]["sheetId"])
            properties = body["properties"]
            tab.title = properties.get("title", tab.title)
            tab.index = properties.get("index", tab.index)
            tab.frozen_rows = properties.get("gridProperties", {}).get(
                "frozenRowCount", tab.frozen_rows
            )
            return {}
        if kind == "repeatCell":
            spreadsheet.tab_by_id(body["range"]["sheetId"]).formats.append(body)
            return {}
        if kind == "addProtectedRange":
            protected = dict(body["protectedRange"])
            tab = spreadsheet.tab_by_id(protected["range"]["sheetId"])
            protected["protectedRangeId"] = len(tab.protected_ranges) + 1
            tab.protected_ranges.append(protected)
            return {"addProtectedRange": {"protectedRange": protected}}
        if kind == "setDataValidation":
            spreadsheet.tab_by_id(body["range"]["sheetId"]).validations.append(body)
            return {}
        if kind == "addConditionalFormatRule":
            tab = spreadsheet.tab_by_id(body["rule"]["ranges"][0]["sheetId"])
            tab.conditional_formats.append(body["rule"])
            return {}
        if kind == "updateDimensionProperties":
            return {}
        raise SheetsApiError(400, "INVALID_ARGUMENT", f"Unknown request kind {kind} (not faked)")

    # -- transports ------------------------------------------------------------------------------
    def transport(self) -> FakeSheetsTransport:
        return FakeSheetsTransport(self.answer_with_headers)

    def fail_with_quota_exceeded(self, times: int = 1, retry_after: int | None = None) -> None:
        self.fail_next.extend([(429, "RESOURCE_EXHAUSTED", retry_after)] * times)


_FAILURE_MESSAGES = {
    "RESOURCE_EXHAUSTED": "Quota exceeded for quota metric 'Read requests' and limit 'Read "
    "requests per minute per user' of service 'sheets.googleapis.com'.",
    "UNAVAILABLE": "The service is currently unavailable.",
}


def _protected(tab: Tab, row: int, column: int) -> bool:
    for protected in tab.protected_ranges:
        if protected.get("warningOnly"):
            continue
        grid = protected["range"]
        if grid.get("startRowIndex", 0) <= row < grid.get("endRowIndex", 10**9) and grid.get(
            "startColumnIndex", 0
        ) <= column < grid.get("endColumnIndex", 10**9):
            return True
    return False


def _render(value: Cell, formatted: bool) -> Cell:
    if not formatted:
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _entered(value: Cell) -> Cell:
    """USER_ENTERED: what typing the value would store (numbers and booleans parsed)."""
    if isinstance(value, str):
        text = value.strip()
        if text.upper() in ("TRUE", "FALSE"):
            return text.upper() == "TRUE"
        try:
            number = float(text)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in text else number
    return value


Answer = Callable[
    [str, str, dict[str, str], bytes | None], tuple[int, dict[str, Any], dict[str, str]]
]


class FakeSheetsTransport(BaseAdapter):
    """A requests transport that answers from the fake instead of the network."""

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **_: Any
    ) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        headers = {name: str(value) for name, value in request.headers.items()}
        code, payload, answer_headers = self.answer(
            request.method or "GET",
            request.url or "",
            headers,
            body if isinstance(body, bytes) else None,
        )
        response = requests.Response()
        response.status_code = code
        response._content = json.dumps(payload).encode()
        response.headers.update(answer_headers)
        response.headers["Content-Type"] = "application/json; charset=UTF-8"
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        response.reason = "OK" if code == 200 else "Error"
        return response

    def close(self) -> None:
        pass


def serve_fake_sheets(fake: FakeSheets, port: int = 0) -> ThreadingHTTPServer:
    """The fake on 127.0.0.1, for processes that cannot share its memory (`carepay serve`).

    Requests arrive with the Google host in the X-Forwarded-Host header (carepay's gateway
    forwards there when GOOGLE_API_ENDPOINT is set, as boto3 does with AWS_ENDPOINT_URL).
    """

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            host = self.headers.get("X-Forwarded-Host", SHEETS_HOST)
            code, payload, answer_headers = fake.answer_with_headers(
                self.command, f"https://{host}{self.path}", dict(self.headers.items()), body
            )
            content = json.dumps(payload).encode()
            self.send_response(code)
            for name, value in answer_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = _answer  # noqa: N815 - the names http.server calls

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fake_service_account(
    email: str = "carepay@example-council.iam.gserviceaccount.com",
) -> dict[str, str]:
    """A service account key as Google's console gives it, with a new key: google-auth signs
    real JWTs with it, which the fake's token endpoint exchanges for a bearer token."""
    return {
        "type": "service_account",
        "project_id": "example-council",
        "private_key_id": secrets.token_hex(20),
        "private_key": _private_key_pem(),
        "client_email": email,
        "client_id": "100000000000000000000",
        "token_uri": f"https://{TOKEN_HOST}/token",
    }


@functools.cache
def _private_key_pem() -> str:
    """One RSA key per process: generating one takes a tenth of a second, and every test
    deploys a stack with a service account; the fake trusts any key anyway."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
