"""Signed notices from the council's Apps Script: "this provider's sheet was edited".

A notice is a hint, never data: it is accepted only when its HMAC-SHA256 signature (with the
secret the Apps Script and carepay share) is right, it is under five minutes old, and its nonce
was never seen; then the sheet is queued for a sync, at most once per sheet per minute. What the
sync reads comes from the sheet itself, not from the notice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carepay.ports.messages import SyncQueue
from carepay.ports.stores import NonceStore

MAX_AGE = timedelta(minutes=5)
SIGNATURE_HEADER = "x-carepay-signature"


class NoticeRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class SheetNotice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    spreadsheet_id: str = Field(pattern=r"^[A-Za-z0-9_-]{10,128}$")
    tab: str = Field(default="", max_length=200)
    range: str = Field(default="", max_length=200)
    timestamp: datetime
    nonce: str = Field(pattern=r"^[A-Za-z0-9_-]{16,128}$")


def sign(body: bytes, secret: str) -> str:
    """The signature the Apps Script sends: hex HMAC-SHA256 of the exact body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str, secret: str, now: datetime) -> SheetNotice:
    if not secret:
        raise NoticeRefused(503, "carepay has no notice secret configured")
    # Bytes, not text: compare_digest refuses a str with non-ASCII characters (a TypeError).
    offered = signature.strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(sign(body, secret).encode(), offered):
        raise NoticeRefused(401, "bad signature")
    try:
        notice = SheetNotice.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        raise NoticeRefused(400, "not a sheet notice") from None
    if notice.timestamp.tzinfo is None or abs(now - notice.timestamp) > MAX_AGE:
        raise NoticeRefused(401, "stale notice: more than 5 minutes from now")
    return notice


class NoticeReceiver:
    def __init__(self, secret: Callable[[], str], nonces: NonceStore, queue: SyncQueue) -> None:
        self.secret = secret
        self.nonces = nonces
        self.queue = queue

    def receive(self, body: bytes, signature: str, now: datetime) -> SheetNotice:
        notice = verify(body, signature, self.secret(), now)
        # Kept twice as long as a notice is fresh, so a replay is refused by one check or the other.
        if not self.nonces.claim(notice.nonce, now + 2 * MAX_AGE):
            raise NoticeRefused(409, "replayed notice")
        # One message per sheet per minute: a burst of edits is one read (SQS FIFO deduplication).
        self.queue.request_sync(
            notice.spreadsheet_id, f"{notice.spreadsheet_id}-{now:%Y%m%d%H%M}", "notice"
        )
        return notice
