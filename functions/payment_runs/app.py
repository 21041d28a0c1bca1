"""Payment runs: the Wednesday schedule, or finance's start / recalculate / approve request
(a file under payment-runs/) → the run's state in DynamoDB, one message per provider."""

from __future__ import annotations

import json
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
from carepay.adapters.events import files_arrived
from carepay.runtime import payment_run_service

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    service = payment_run_service()
    if "scheduled_time" in json.loads(record.body):  # the weekly schedule's own message
        outcomes = [service.handle_schedule(record.body)]
    else:
        outcomes = [service.handle_arrival(arrival) for arrival in files_arrived(record)]
    for outcome in outcomes:
        if outcome["outcome"] == "refused":
            # Logged as an error: a refused scheduled run means last week's is still unapproved.
            logger.error("payment run request refused", reason=outcome["message"])
            metrics.add_metric("PaymentRunRequestsRefused", MetricUnit.Count, 1)
        else:
            logger.info("payment run request accepted", run_id=outcome["run_id"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
