"""The provider portal's API."""

from __future__ import annotations

from datetime import date

from carepay.adapters.dynamodb.audit import AuditTable
from carepay.adapters.dynamodb.portal import PortalAccessTable
from carepay.adapters.dynamodb.queries import QueryTable
from carepay.adapters.dynamodb.stores import PaymentStore
from carepay.adapters.dynamodb.table import Table
from carepay.adapters.portal_files import S3PortalFiles
from carepay.runtime import per_container
from carepay.runtime.claim_workbooks import claim_workbook_service
from carepay.services.portal import PortalService
from carepay.services.queries import QueryService
from carepay.settings import Settings


@per_container
def portal_service(settings: Settings) -> PortalService:
    table = Table(settings.table_name)
    workbooks = claim_workbook_service()
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
