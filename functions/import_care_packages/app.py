"""The council's reference data: care-package exports (care-packages/) → service line versions,
operational teams' approvals (approvals/) → approvals that release held lines, day-care
providers' non-payment weeks (non-payment-weeks/), and the portal's users (portal-users/) →
invitations and who may act for which provider."""

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

from carepay.adapters.events import files_arrived
from carepay.runtime.imports import (
    approval_import_service,
    care_package_service,
    non_payment_weeks_import_service,
    portal_user_import_service,
)
from carepay.services.care_packages import APPROVALS
from carepay.services.non_payment_weeks import NON_PAYMENT_WEEKS_FOLDER
from carepay.services.portal_users import PORTAL_USERS_FOLDER

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# A record that fails is logged with its traceback (Powertools logs it at debug otherwise).
processor = BatchProcessor(event_type=EventType.SQS, logger=logging.getLogger(logger.name))


def record_handler(record: SQSRecord) -> None:
    for arrival in files_arrived(record):
        logger.set_correlation_id(arrival.arrival_id)  # the upload id, on every log line
        if arrival.key.startswith(PORTAL_USERS_FOLDER):
            people = portal_user_import_service().handle(arrival)  # the service logs what it did
            metrics.add_metric("PortalUsersInvited", MetricUnit.Count, len(people.invited))
            metrics.add_metric("PortalUsersDisabled", MetricUnit.Count, len(people.disabled))
            continue
        if arrival.key.startswith(APPROVALS):
            approvals = approval_import_service().handle(arrival)  # the service logs what it did
            metrics.add_metric("ApprovalsImported", MetricUnit.Count, approvals.imported)
            continue
        if arrival.key.startswith(NON_PAYMENT_WEEKS_FOLDER):
            weeks = non_payment_weeks_import_service().handle(arrival)  # the service logs it
            metrics.add_metric("NonPaymentWeeksImported", MetricUnit.Count, weeks.imported)
            continue
        report = care_package_service().handle(arrival)
        metrics.add_metric("LineVersionsImported", MetricUnit.Count, report.imported)
        metrics.add_metric("LineVersionsRejected", MetricUnit.Count, report.rejected)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
