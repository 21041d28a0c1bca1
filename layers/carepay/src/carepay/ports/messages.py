"""Queues the services send to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Messages(Protocol):
    def send_all(self, queue_url: str, bodies: Sequence[str]) -> None: ...


class SyncQueue(Protocol):
    def request_sync(self, spreadsheet_id: str, deduplication_id: str, reason: str) -> None: ...
