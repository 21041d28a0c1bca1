"""The Google Sheets channel's worker: a sheet to sync (FIFO queue, from notices and the
poller), the 10-minute poll, a remittance tab, or the council's link / prepare requests."""

from __future__ import annotations

import logging
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from carepay.adapters.events import UnknownMessage, queue_message
from carepay.ports.errors import SheetsNotConfigured
from carepay.ports.messages import (
    FilesArrived,
    QueueMessage,
    RemittanceTabDue,
    ScheduleFired,
    SheetToRead,
)
from carepay.runtime import google_calls_within
from carepay.runtime.sheets import sheets_gateway, sheets_service

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# Stops at a failed sheet, so a FIFO group's later messages wait for it; standard messages too.
# A record that fails is logged with its traceback (Powertools logs it at debug otherwise).
processor = SqsFifoPartialProcessor(logger=logging.getLogger(logger.name))


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> None:
    try:
        with google_calls_within(lambda_context.get_remaining_time_in_millis() / 1000):
            _handle(queue_message(record))
    finally:
        _quota_metrics()  # a failed sync's attempts count against Google's quota too


def _handle(message: QueueMessage) -> None:
    service = sheets_service()
    match message:
        case SheetToRead(spreadsheet_id=spreadsheet_id):
            outcome: dict[str, Any] = service.sync(spreadsheet_id).model_dump(exclude_none=True)
        case ScheduleFired(scheduled_time=scheduled):  # the poll schedule's own message
            outcome = {"queued": service.poll(scheduled)}
        case RemittanceTabDue(provider_ref=provider_ref, remittance_run=run_id):
            written = service.remittance_tab(provider_ref, run_id, message.payment_date)
            outcome = written.model_dump(exclude_none=True)
        case FilesArrived(arrivals=arrivals):  # the council's link and prepare requests
            answers = [service.handle_arrival(arrival) for arrival in arrivals]
            outcome = {"requests": [a.model_dump(exclude_none=True) for a in answers]}
        case other:
            raise UnknownMessage(f"the sheets queues do not carry {type(other).__name__}")
    logger.info("sheets message handled", outcome=outcome)


def _quota_metrics() -> None:
    """Google allows 60 reads and 60 writes a minute per service account: watch the use."""
    try:
        calls = sheets_gateway().calls
    except SheetsNotConfigured:
        return  # no key yet: nothing was called (the request's answer says what to do)
    metrics.add_metric("SheetsReadRequests", MetricUnit.Count, calls["read"])
    metrics.add_metric("SheetsWriteRequests", MetricUnit.Count, calls["write"])
    calls.clear()


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
