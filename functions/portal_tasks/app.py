"""The portal's tasks queue → emails to providers and finance (Amazon SES), and the daily lock
of accounts unused for 90 days."""

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
from carepay.ports.messages import PortalTask
from carepay.runtime import now
from carepay.runtime.portal_tasks import portal_task_service

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# A record that fails is logged with its traceback (Powertools logs it at debug otherwise).
processor = BatchProcessor(event_type=EventType.SQS, logger=logging.getLogger(logger.name))


def record_handler(record: SQSRecord) -> None:
    task = queue_message(record)
    if not isinstance(task, PortalTask):
        raise UnknownMessage(f"message {record.message_id} is not a portal task")
    done = portal_task_service().handle(task, now())
    logger.info("portal task done", extra=done.model_dump(exclude={"locked"}))
    metrics.add_metric("PortalEmailsSent", MetricUnit.Count, done.emails_sent)
    metrics.add_metric("PortalAccountsLocked", MetricUnit.Count, len(done.locked))


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
