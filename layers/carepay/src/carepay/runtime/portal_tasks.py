"""The portal's tasks: emails, reminders, account locks (the portal tasks function)."""

from __future__ import annotations

from carepay.adapters.cognito import CognitoDirectory
from carepay.adapters.documents import S3Documents
from carepay.adapters.dynamodb.portal import PortalAccessTable
from carepay.adapters.dynamodb.queries import QueryTable
from carepay.adapters.dynamodb.stores import PaymentStore
from carepay.adapters.dynamodb.table import Table
from carepay.adapters.ses import SesMailer
from carepay.runtime import per_container
from carepay.services.portal_mail import Letterhead
from carepay.services.portal_tasks import PortalTaskService
from carepay.settings import Settings


@per_container
def portal_task_service(settings: Settings) -> PortalTaskService:
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
