"""Monday's claim workbooks (the claim workbooks function, and the portal's downloads)."""

from __future__ import annotations

from carepay.adapters.documents import S3Documents
from carepay.adapters.dynamodb.stores import PaymentStore
from carepay.adapters.queues import SqsMessages
from carepay.runtime import per_container
from carepay.services.claim_workbooks import ClaimWorkbookService
from carepay.settings import Settings
from carepay.spreadsheets.claim_workbook import CouncilNotice


@per_container
def claim_workbook_service(settings: Settings) -> ClaimWorkbookService:
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
