"""Payment runs: the Wednesday schedule, or finance's start / recalculate / approve request
(a file under payment-runs/) → the run's state in DynamoDB, one message per provider."""

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
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext

from carepay.adapters.events import UnknownMessage, queue_message
from carepay.ports.files import FileArrived
from carepay.ports.messages import FilesArrived, ScheduleFired
from carepay.runtime.idempotency import idempotency_store
from carepay.runtime.payment_runs import payment_run_service
from carepay.services.results import RunRequestOutcome

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# A record that fails is logged with its traceback (Powertools logs it at debug otherwise).
processor = BatchProcessor(event_type=EventType.SQS, logger=logging.getLogger(logger.name))
# A request delivered twice is answered once: a second "approve" must not overwrite the first
# answer with "already approved".
idempotency = IdempotencyConfig(expires_after_seconds=7 * 24 * 3600)


def handle_request(arrival: FileArrived) -> RunRequestOutcome:
    return payment_run_service().handle_arrival(arrival)


def record_handler(record: SQSRecord) -> None:
    match queue_message(record):
        case ScheduleFired() as fired:  # the weekly schedule's own message
            outcomes = [payment_run_service().handle_schedule(fired)]
            if outcomes[0].refused:  # last week's run still waits for approval
                metrics.add_metric("ScheduledPaymentRunsRefused", MetricUnit.Count, 1)
        case FilesArrived(arrivals=arrivals):
            handle_once = idempotent_function(
                data_keyword_argument="arrival",
                persistence_store=idempotency_store(),
                config=idempotency,
                output_serializer=PydanticSerializer(RunRequestOutcome),
            )(handle_request)
            outcomes = [handle_once(arrival=arrival) for arrival in arrivals]
        case other:
            raise UnknownMessage(f"the payment runs queue does not carry {type(other).__name__}")
    for outcome in outcomes:
        if outcome.refused:
            # Logged as an error: a refused scheduled run means last week's is still unapproved.
            logger.error("payment run request refused", reason=outcome.message)
            metrics.add_metric("PaymentRunRequestsRefused", MetricUnit.Count, 1)
        else:
            logger.info("payment run request accepted", run_id=outcome.run_id)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
