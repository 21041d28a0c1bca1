"""Weekly claim workbooks: the Monday schedule (all providers) or a provider's request → outbox."""

from __future__ import annotations

import logging
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from carepay.adapters.events import UnknownMessage, queue_message
from carepay.ports.messages import FilesArrived, ScheduleFired
from carepay.runtime.claim_workbooks import claim_workbook_service

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# A record that fails is logged with its traceback (Powertools logs it at debug otherwise).
processor = BatchProcessor(event_type=EventType.SQS, logger=logging.getLogger(logger.name))


def record_handler(record: SQSRecord) -> None:
    service = claim_workbook_service()
    match queue_message(record):
        case ScheduleFired() as fired:  # the Monday schedule's own message
            written = service.handle_schedule(fired)
        case FilesArrived(arrivals=arrivals):  # a provider's request for a week's workbook
            written = [w for arrival in arrivals for w in service.handle_arrival(arrival)]
        case other:
            raise UnknownMessage(f"the workbooks queue does not carry {type(other).__name__}")
    logger.info("claim workbooks written", workbooks=len(written))
    metrics.add_metric("ClaimWorkbooksWritten", MetricUnit.Count, len(written))


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
