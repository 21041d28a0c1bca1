"""Payment runs (the payment runs and provider payments functions)."""

from __future__ import annotations

from carepay.adapters.calendar import closure_days, england_and_wales
from carepay.adapters.documents import S3Documents
from carepay.adapters.dynamodb.stores import PaymentStore
from carepay.adapters.queues import SqsMessages
from carepay.domain.finance import BankDetails, FinanceCoding
from carepay.runtime import per_container
from carepay.services.payment_runs import PaymentRunService
from carepay.settings import Settings


@per_container
def payment_run_service(settings: Settings) -> PaymentRunService:
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
