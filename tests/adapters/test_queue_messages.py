"""Every queue message is parsed once, at the edge, into what it is; anything else is refused
there (and ends on the dead-letter queue), never half-understood by a service."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from carepay.adapters.events import UnknownMessage, queue_message
from carepay.ports.messages import (
    FilesArrived,
    ProviderTask,
    RemittanceTabDue,
    ScheduleFired,
    SheetToRead,
)


def record(body: Any) -> SQSRecord:
    return SQSRecord({"messageId": "m-1", "body": json.dumps(body)})


def s3_notification(key: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventTime": "2026-11-16T09:30:00.000Z",
                "s3": {
                    "bucket": {"name": "inbound"},
                    "object": {"key": key, "size": 120, "versionId": "v1", "eTag": "e"},
                },
            }
        ]
    }


def test_the_schedules_message_is_the_time_it_was_due() -> None:
    message = queue_message(record({"scheduled_time": "2026-11-18T06:00:00Z"}))
    assert message == ScheduleFired(scheduled_time=datetime(2026, 11, 18, 6, tzinfo=UTC))


def test_an_s3_notification_is_the_files_that_arrived_with_their_keys_decoded() -> None:
    message = queue_message(record(s3_notification("uploads/P001/my+claim%281%29.csv")))
    assert isinstance(message, FilesArrived)
    [arrival] = message.arrivals
    assert (arrival.key, arrival.version_id, arrival.size) == (
        "uploads/P001/my claim(1).csv",
        "v1",
        120,
    )


def test_s3s_test_message_is_no_files_at_all() -> None:
    assert queue_message(record({"Event": "s3:TestEvent"})) == FilesArrived(arrivals=())


def test_carepays_own_messages_are_parsed_into_their_kinds() -> None:
    task = {"phase": "approve", "run_id": "R1", "generation": 2, "provider_ref": "P001"}
    assert queue_message(record(task)) == ProviderTask(**task)
    sheet = queue_message(record({"spreadsheet_id": "1AbC", "reason": "notice"}))
    assert sheet == SheetToRead(spreadsheet_id="1AbC", reason="notice")
    remitted = queue_message(record({"provider_ref": "P002", "remittance_run": "R1"}))
    assert remitted == RemittanceTabDue(provider_ref="P002", remittance_run="R1")


@pytest.mark.parametrize(
    "body",
    [
        {"phase": "pay", "run_id": "R1", "generation": 2, "provider_ref": "P001"},  # no such phase
        {"scheduled_time": "next Wednesday"},
        {"action": "start"},  # a run request belongs in a file, not a message
        ["not", "an", "object"],
    ],
)
def test_a_message_no_queue_carries_is_refused_at_the_edge(body: Any) -> None:
    with pytest.raises(UnknownMessage):
        queue_message(record(body))
