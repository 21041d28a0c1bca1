"""Providers' actuals uploads and week confirmations: SQS (from S3) → validate → store → feedback."""

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

from carepay.adapters.events import files_arrived
from carepay.ports.files import FileArrived
from carepay.runtime.idempotency import idempotency_store
from carepay.runtime.submissions import submission_service
from carepay.services.results import SubmissionSummary

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# A record that fails is logged with its traceback (Powertools logs it at debug otherwise).
processor = BatchProcessor(event_type=EventType.SQS, logger=logging.getLogger(logger.name))
# A week: S3 redelivers within hours; the upload's commit marker guards for ever after.
idempotency = IdempotencyConfig(expires_after_seconds=7 * 24 * 3600)


def handle_submission(arrival: FileArrived) -> SubmissionSummary:
    return submission_service().handle(arrival)


def record_handler(record: SQSRecord) -> None:
    handle_once = idempotent_function(
        data_keyword_argument="arrival",
        persistence_store=idempotency_store(),
        config=idempotency,
        output_serializer=PydanticSerializer(SubmissionSummary),
    )(handle_submission)
    for arrival in files_arrived(record):
        logger.set_correlation_id(arrival.arrival_id)  # the upload id, on every log line
        summary = handle_once(arrival=arrival)
        if summary.duplicate:  # the decision itself was logged when it was committed
            logger.info("submission already processed", key=arrival.key)
        metrics.add_metric("RowsAccepted", MetricUnit.Count, summary.accepted)
        metrics.add_metric("RowsRejected", MetricUnit.Count, summary.rejected)
        metrics.add_metric("FilesRejected", MetricUnit.Count, int(summary.file_rejected))


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
