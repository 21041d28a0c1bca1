"""Uploads, confirmations and feedback (the ingest function)."""

from __future__ import annotations

from carepay.adapters.documents import S3Documents
from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.adapters.queues import SqsMessages
from carepay.runtime import per_container
from carepay.services.submissions import SubmissionService
from carepay.settings import Settings


@per_container
def submission_service(settings: Settings) -> SubmissionService:
    return SubmissionService(
        SubmissionStore(settings.table_name),
        S3Documents(settings.inbound_bucket, settings.outbound_bucket),
        settings.council_name,
        settings.trial_mode,
        settings.council_contact,
        SqsMessages(),
        settings.portal_tasks_queue_url,
    )
