"""What a handler needs, built once per warm container from the environment at first call."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING

from carepay.adapters.aws import client
from carepay.adapters.cognito import CognitoDirectory
from carepay.adapters.documents import S3Documents
from carepay.adapters.dynamodb.nonces import Nonces
from carepay.adapters.dynamodb.plans import PlanTable
from carepay.adapters.dynamodb.portal import PortalAccessTable
from carepay.adapters.dynamodb.sheets import SheetLinks
from carepay.adapters.dynamodb.stores import PaymentStore, SubmissionStore
from carepay.adapters.dynamodb.table import Table
from carepay.adapters.queues import SqsMessages, SqsSyncQueue
from carepay.domain.finance import BankDetails, FinanceCoding
from carepay.services.care_packages import ApprovalImportService, CarePackageImportService
from carepay.services.claim_workbooks import ClaimWorkbookService
from carepay.services.non_payment_weeks import NonPaymentWeeksImportService
from carepay.services.portal_users import PortalUserImportService
from carepay.services.sheet_notices import NoticeReceiver
from carepay.services.submissions import SubmissionService
from carepay.settings import Settings, current_settings
from carepay.spreadsheets.claim_workbook import CouncilNotice

if TYPE_CHECKING:
    # Imported where they are built, not here: every handler imports this module, and Google's
    # client (and the finance writers' openpyxl) would otherwise add to every cold start.
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from carepay.adapters.sheets import SheetsGateway
    from carepay.services.payment_runs import PaymentRunService
    from carepay.services.portal import PortalService
    from carepay.services.portal_tasks import PortalTaskService
    from carepay.services.sheets import SheetsService


# Calls to Google stop this long before the function's timeout: the message then goes back to
# its queue through a clean failure, instead of the function being killed mid-write.
GOOGLE_RESERVE_SECONDS = 10.0
# When the current invocation's calls to Google must be over (time.monotonic()), if it set one.
_google_deadline: ContextVar[float | None] = ContextVar("google_deadline", default=None)


@contextmanager
def google_calls_within(seconds_left: float) -> Iterator[None]:
    """Google calls made meanwhile (and their retries) end before the invocation's time is up."""
    token = _google_deadline.set(time.monotonic() + seconds_left - GOOGLE_RESERVE_SECONDS)
    try:
        yield
    finally:
        _google_deadline.reset(token)


def now() -> datetime:
    """The time, or on a trial stack a simulated one (CAREPAY_TRIAL_NOW, as files' --at)."""
    simulated = os.environ.get("CAREPAY_TRIAL_NOW")
    if simulated and current_settings().trial_mode:
        return datetime.fromisoformat(simulated)
    return datetime.now(UTC)


def submission_service() -> SubmissionService:
    return _submission_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def care_package_service() -> CarePackageImportService:
    return _care_package_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def approval_import_service() -> ApprovalImportService:
    return _approval_import_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def non_payment_weeks_import_service() -> NonPaymentWeeksImportService:
    return _non_payment_weeks_import_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def portal_user_import_service() -> PortalUserImportService:
    return _portal_user_import_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def claim_workbook_service() -> ClaimWorkbookService:
    return _claim_workbook_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def payment_run_service() -> PaymentRunService:
    return _payment_run_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def portal_service() -> PortalService:
    return _portal_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def portal_task_service() -> PortalTaskService:
    return _portal_task_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def sheets_service() -> SheetsService:
    return _sheets_service(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def sheets_gateway() -> SheetsGateway:
    settings = current_settings()
    return _sheets_gateway(
        settings.sheets_service_account_secret,
        settings.google_api_endpoint,
        os.environ.get("AWS_ENDPOINT_URL"),
    )


def notice_receiver() -> NoticeReceiver:
    return _notice_receiver(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))


def idempotency_store() -> DynamoDBPersistenceLayer:
    return _idempotency_store(
        current_settings().idempotency_table_name, os.environ.get("AWS_ENDPOINT_URL")
    )


@cache
def _submission_service(settings: Settings, _endpoint: str | None) -> SubmissionService:
    return SubmissionService(
        SubmissionStore(settings.table_name),
        S3Documents(settings.inbound_bucket, settings.outbound_bucket),
        settings.council_name,
        settings.trial_mode,
        settings.council_contact,
        SqsMessages(),
        settings.portal_tasks_queue_url,
    )


@cache
def _care_package_service(settings: Settings, _endpoint: str | None) -> CarePackageImportService:
    return CarePackageImportService(
        PlanTable(Table(settings.table_name)),
        S3Documents(settings.inbound_bucket, settings.outbound_bucket),
    )


@cache
def _approval_import_service(settings: Settings, _endpoint: str | None) -> ApprovalImportService:
    return ApprovalImportService(
        PlanTable(Table(settings.table_name)),
        S3Documents(settings.inbound_bucket, settings.outbound_bucket),
    )


@cache
def _non_payment_weeks_import_service(
    settings: Settings, _endpoint: str | None
) -> NonPaymentWeeksImportService:
    return NonPaymentWeeksImportService(
        SubmissionStore(settings.table_name),
        S3Documents(settings.inbound_bucket, settings.outbound_bucket),
    )


@cache
def _portal_user_import_service(
    settings: Settings, _endpoint: str | None
) -> PortalUserImportService:
    return PortalUserImportService(
        CognitoDirectory(settings.portal_user_pool_id),
        PortalAccessTable(Table(settings.table_name)),
        S3Documents(settings.inbound_bucket, settings.outbound_bucket),
    )


@cache
def _claim_workbook_service(settings: Settings, _endpoint: str | None) -> ClaimWorkbookService:
    return ClaimWorkbookService(
        PaymentStore(settings.table_name),
        S3Documents(settings.inbound_bucket, settings.outbound_bucket),
        CouncilNotice(
            settings.council_name,
            contact=settings.council_contact,
            message=settings.council_message,
            level=settings.council_message_level,
        ),
        settings.trial_mode,
        SqsMessages(),
        settings.portal_tasks_queue_url,
    )


@cache
def _portal_service(settings: Settings, endpoint: str | None) -> PortalService:
    from carepay.adapters.dynamodb.audit import AuditTable
    from carepay.adapters.dynamodb.queries import QueryTable
    from carepay.adapters.portal_files import S3PortalFiles
    from carepay.services.portal import PortalService
    from carepay.services.queries import QueryService

    table = Table(settings.table_name)
    workbooks = _claim_workbook_service(settings, endpoint)
    access = PortalAccessTable(table)
    return PortalService(
        access,
        access,
        PaymentStore(settings.table_name),
        S3PortalFiles(settings.inbound_bucket, settings.outbound_bucket),
        AuditTable(table),
        workbooks,
        QueryService(QueryTable(table)),
        workbooks.notice,
        settings.trial_mode,
        first_week=date.fromisoformat(settings.first_carepay_week)
        if settings.first_carepay_week
        else None,
    )


@cache
def _portal_task_service(settings: Settings, _endpoint: str | None) -> PortalTaskService:
    from carepay.adapters.dynamodb.queries import QueryTable
    from carepay.adapters.ses import SesMailer
    from carepay.services.portal_mail import Letterhead
    from carepay.services.portal_tasks import PortalTaskService

    table = Table(settings.table_name)
    mailer = SesMailer(settings.mail_from, settings.council_name) if settings.mail_from else None
    return PortalTaskService(
        PortalAccessTable(table),
        CognitoDirectory(settings.portal_user_pool_id),
        PaymentStore(settings.table_name),
        S3Documents(settings.inbound_bucket, settings.outbound_bucket),
        QueryTable(table),
        mailer,
        Letterhead(settings.council_name, settings.portal_url),
        settings.finance_email,
    )


@cache
def _payment_run_service(settings: Settings, _endpoint: str | None) -> PaymentRunService:
    from carepay.adapters.calendar import closure_days, england_and_wales
    from carepay.services.payment_runs import PaymentRunService

    originator = None
    if settings.council_sort_code:
        # Refused at the first run, not silently skipped: a misconfigured stack is told early.
        originator = BankDetails.parse(
            settings.council_sort_code,
            settings.council_account_number,
            settings.council_account_name or settings.council_name,
        )
    return PaymentRunService(
        PaymentStore(settings.table_name),
        S3Documents(settings.inbound_bucket, settings.outbound_bucket),
        SqsMessages(),
        settings.provider_payments_queue_url,
        settings.council_name,
        originator,
        settings.trial_mode,
        settings.sheets_requests_queue_url,
        settings.portal_tasks_queue_url,
        england_and_wales(closure_days(settings.council_closure_days)),
        settings.council_contact,
        settings.portal_url,
        # Refused at the first run, like the bank details: a misconfigured stack is told early.
        FinanceCoding.parse(settings.finance_coding),
        settings.bacs_service_user_number,
    )


@cache
def _sheets_service(settings: Settings, _endpoint: str | None) -> SheetsService:
    from carepay.services.sheets import SheetsService

    documents = S3Documents(settings.inbound_bucket, settings.outbound_bucket)
    return SheetsService(
        SheetLinks(Table(settings.table_name)),
        SubmissionStore(settings.table_name),
        SubmissionService(
            SubmissionStore(settings.table_name),
            documents,
            settings.council_name,
            trial_mode=False,
            council_contact=settings.council_contact,
        ),
        documents,
        sheets_gateway,
        SqsSyncQueue(settings.sheet_sync_queue_url),
        settings.council_name,
        settings.council_contact,
        clock=now,
    )


@cache
def _sheets_gateway(secret_name: str, google_endpoint: str, _endpoint: str | None) -> SheetsGateway:
    """One Google client per warm container, its key read once from Secrets Manager."""
    from aws_lambda_powertools.utilities import parameters

    from carepay.adapters.sheets import ForwardingTransport, SheetsGateway
    from carepay.ports.errors import SheetsNotConfigured

    try:
        key = json.loads(str(parameters.get_secret(secret_name)))
        if key.get("type") != "service_account":
            raise ValueError("not a service account key")
    except (ValueError, parameters.exceptions.GetParameterError) as missing:
        raise SheetsNotConfigured(
            f"The secret {secret_name} does not hold a Google service account key: put the "
            "JSON key of carepay's service account there (README, Google Sheets)."
        ) from missing
    transport = ForwardingTransport(google_endpoint) if google_endpoint else None
    return SheetsGateway(key, transport=transport, deadline=_google_deadline.get)


@cache
def _notice_receiver(settings: Settings, _endpoint: str | None) -> NoticeReceiver:
    from aws_lambda_powertools.utilities import parameters

    def secret() -> str:
        # Cached by Powertools for five minutes: a rotated secret is picked up without a deploy.
        return str(parameters.get_secret(settings.sheets_notice_secret, max_age=300))

    return NoticeReceiver(
        secret, Nonces(settings.idempotency_table_name), SqsSyncQueue(settings.sheet_sync_queue_url)
    )


@cache
def _idempotency_store(table_name: str, _endpoint: str | None) -> DynamoDBPersistenceLayer:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client("dynamodb"))


def forget_services() -> None:
    for factory in (
        _submission_service,
        _care_package_service,
        _approval_import_service,
        _claim_workbook_service,
        _portal_user_import_service,
        _portal_service,
        _portal_task_service,
        _payment_run_service,
        _sheets_service,
        _sheets_gateway,
        _notice_receiver,
        _idempotency_store,
    ):
        factory.cache_clear()
