"""Queues: the messages carepay's queues carry, and the ports the services send them through.

Every queue message is parsed once, at the edge (carepay.adapters.events.queue_message), into
one of these; a service is handed the parsed message, never a body to parse again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
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
    payment_date: date | None = None  # shown at the top of the tab, as on the workbook


Phase = Literal["calculate", "approve"]


class ProviderTask(BaseModel):
    """One provider's part of one phase of a run (the fan-out queue)."""

    model_config = ConfigDict(frozen=True)
    phase: Phase
    run_id: str
    generation: int
    provider_ref: str


PortalTaskKind = Literal[
    "claim ready",  # Monday: a provider's claim workbook is written
    "reminders",  # Monday and Tuesday 09:00: every provider with the week unconfirmed
    "unconfirmed at deadline",  # Tuesday after 17:00: finance's list
    "rejected rows",  # an upload not made in the portal had rejected rows
    "remittance",  # an approved run remitted a provider
    "query answered",  # the council answered a provider's query
    "lock unused accounts",  # daily: accounts unused for 90 days are disabled
]


class PortalTask(BaseModel):
    """Work for the portal's tasks queue: an email owed (what and about whom, never its text),
    or the daily lock. Scheduled ones carry the schedule's time."""

    model_config = ConfigDict(frozen=True)
    task: PortalTaskKind
    provider_ref: str = ""
    week_commencing: date | None = None
    run_id: str = ""
    query_id: str = ""
    source_key: str = ""
    scheduled_time: datetime | None = None


QueueMessage = (
    ScheduleFired | FilesArrived | SheetToRead | RemittanceTabDue | ProviderTask | PortalTask
)


class Messages(Protocol):
    def send_all(self, queue_url: str, messages: Sequence[BaseModel]) -> None: ...


class SyncQueue(Protocol):
    def request_sync(self, spreadsheet_id: str, deduplication_id: str, reason: str) -> None: ...
