"""One provider's part of a payment run: calculate it, or (once approved) pay and remit it.
The last provider of a run writes the run's ledger, summary and payment files."""

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
from carepay.ports.messages import ProviderTask
from carepay.runtime.payment_runs import payment_run_service

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# A record that fails is logged with its traceback (Powertools logs it at debug otherwise).
processor = BatchProcessor(event_type=EventType.SQS, logger=logging.getLogger(logger.name))


def record_handler(record: SQSRecord) -> None:
    match queue_message(record):
        case ProviderTask() as task:
            outcome = payment_run_service().handle_task(task)
        case other:
            raise UnknownMessage(
                f"the provider payments queue does not carry {type(other).__name__}"
            )
    logger.info("provider payment task", outcome=outcome)
    metrics.add_metric("ProviderPaymentTasks", MetricUnit.Count, 1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
