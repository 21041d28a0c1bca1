"""Lambda events as Powertools reads them, turned into what the logic needs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import TypeAdapter, ValidationError

from carepay.ports.files import FileArrived
from carepay.ports.messages import (
    FilesArrived,
    PortalTask,
    ProviderTask,
    QueueMessage,
    RemittanceTabDue,
    ScheduleFired,
    SheetToRead,
)

S3_TEST_EVENT = "s3:TestEvent"


class UnknownMessage(ValueError):
    """A message no queue of carepay's carries: failed, so it ends on the dead-letter queue."""


# Told apart by the field only that message has: the schedule's Input and S3's notifications
# are not carepay's to add a type to.
_BY_FIELD: tuple[tuple[str, TypeAdapter[QueueMessage]], ...] = tuple(
    (field, TypeAdapter(model))
    for field, model in (
        ("task", PortalTask),  # before scheduled_time: a scheduled task carries both
        ("scheduled_time", ScheduleFired),
        ("spreadsheet_id", SheetToRead),
        ("remittance_run", RemittanceTabDue),
        ("phase", ProviderTask),
    )
)


def queue_message(record: SQSRecord) -> QueueMessage:
    """The record's message, parsed once: what the handler and the service are given."""
    body = json.loads(record.body)
    if not isinstance(body, dict):
        raise UnknownMessage(f"message {record.message_id} is not a JSON object")
    if "Records" in body or body.get("Event") == S3_TEST_EVENT:
        return FilesArrived(arrivals=tuple(_files_arrived(body)))
    for field, adapter in _BY_FIELD:
        if field in body:
            try:
                return adapter.validate_python(body)
            except ValidationError as invalid:
                raise UnknownMessage(f"message {record.message_id}: {invalid}") from invalid
    raise UnknownMessage(f"message {record.message_id} has none of carepay's message fields")


def files_arrived(record: SQSRecord) -> Iterator[FileArrived]:
    """The S3 records in one SQS message; S3's test message (sent when notifications are set) has none."""
    yield from _files_arrived(json.loads(record.body))


def _files_arrived(body: dict[str, Any]) -> Iterator[FileArrived]:
    if body.get("Event") == S3_TEST_EVENT:
        return
    for s3_record in S3Event(body).records:
        stored = s3_record.s3.get_object
        yield FileArrived(
            bucket=s3_record.s3.bucket.name,
            key=unquote_plus(stored.key),  # keys arrive URL-encoded, in moto as in AWS
            # moto's events, unlike S3's, may lack the sequencer; the version id still tells arrivals apart.
            version_id=stored.get("versionId") or None,
            sequencer=stored.get("sequencer"),
            etag=stored.get("eTag"),
            size=int(stored.get("size") or 0),
            event_time=datetime.fromisoformat(s3_record.event_time),
        )
