"""Providers' Google Sheets: the sync and its Google client (the sheets function)."""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities import parameters

from carepay.adapters.documents import S3Documents
from carepay.adapters.dynamodb.sheets import SheetLinks
from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.adapters.dynamodb.table import Table
from carepay.adapters.queues import SqsSyncQueue
from carepay.adapters.sheets import ForwardingTransport, SheetsGateway
from carepay.ports.errors import SheetsNotConfigured
from carepay.runtime import google_deadline, now, per_container
from carepay.services.sheets import SheetsService
from carepay.services.submissions import SubmissionService
from carepay.settings import Settings


@per_container
def sheets_service(settings: Settings) -> SheetsService:
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


@per_container
def sheets_gateway(settings: Settings) -> SheetsGateway:
    """One Google client per warm container, its key read once from Secrets Manager."""
    secret_name = settings.sheets_service_account_secret
    try:
        key = json.loads(str(parameters.get_secret(secret_name)))
        if key.get("type") != "service_account":
            raise ValueError("not a service account key")
    except (ValueError, parameters.exceptions.GetParameterError) as missing:
        raise SheetsNotConfigured(
            f"The secret {secret_name} does not hold a Google service account key: put the "
            "JSON key of carepay's service account there (README, Google Sheets)."
        ) from missing
    endpoint = settings.google_api_endpoint
    transport = ForwardingTransport(endpoint) if endpoint else None
    return SheetsGateway(key, transport=transport, deadline=google_deadline.get)
