"""The public URL a provider's Google Sheet calls when it changes (the sheet notices function)."""

from __future__ import annotations

from aws_lambda_powertools.utilities import parameters

from carepay.adapters.dynamodb.nonces import Nonces
from carepay.adapters.queues import SqsSyncQueue
from carepay.runtime import per_container
from carepay.services.sheet_notices import NoticeReceiver
from carepay.settings import Settings


@per_container
def notice_receiver(settings: Settings) -> NoticeReceiver:
    def secret() -> str:
        # Cached by Powertools for five minutes: a rotated secret is picked up without a deploy.
        return str(parameters.get_secret(settings.sheets_notice_secret, max_age=300))

    return NoticeReceiver(
        secret, Nonces(settings.idempotency_table_name), SqsSyncQueue(settings.sheet_sync_queue_url)
    )
