"""Lambda events as Powertools reads them, turned into what the logic needs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from carepay.ports.files import FileArrived

S3_TEST_EVENT = "s3:TestEvent"


def files_arrived(record: SQSRecord) -> Iterator[FileArrived]:
    """The S3 records in one SQS message; S3's test message (sent when notifications are set) has none."""
    body = json.loads(record.body)
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
