"""Queues: the messages carepay's queues carry, and the ports the services send them through.

Every queue message is parsed once, at the edge (carepay.adapters.events.queue_message), into
one of these; a service is handed the parsed message, never a body to parse again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from carepay.ports.files import FileArrived


class ScheduleFired(BaseModel):
    """EventBridge Scheduler's message (template.yaml: Input) at the time it was due."""

    model_config = ConfigDict(frozen=True)
    scheduled_time: datetime


class FilesArrived(BaseModel):
    """S3's notification of objects stored (none for S3's own test message)."""

    model_config = ConfigDict(frozen=True)
    arrivals: tuple[FileArrived, ...]


class SheetToRead(BaseModel):
    """A linked Google Sheet to read: from a signed notice or the poller."""

    model_config = ConfigDict(frozen=True)
    spreadsheet_id: str
    reason: str = ""


class RemittanceTabDue(BaseModel):
    """An approved run remitted a provider on Google Sheets: write the remittance tab."""

    model_config = ConfigDict(frozen=True)
    provider_ref: str
    remittance_run: str


Phase = Literal["calculate", "approve"]


class ProviderTask(BaseModel):
    """One provider's part of one phase of a run (the fan-out queue)."""

    model_config = ConfigDict(frozen=True)
    phase: Phase
    run_id: str
    generation: int
    provider_ref: str


QueueMessage = ScheduleFired | FilesArrived | SheetToRead | RemittanceTabDue | ProviderTask


class Messages(Protocol):
    def send_all(self, queue_url: str, messages: Sequence[BaseModel]) -> None: ...


class SyncQueue(Protocol):
    def request_sync(self, spreadsheet_id: str, deduplication_id: str, reason: str) -> None: ...
