"""Imports finance and operations drop in: care packages, approvals, non-payment weeks and
portal users (the import function)."""

from __future__ import annotations

from carepay.adapters.cognito import CognitoDirectory
from carepay.adapters.documents import S3Documents
from carepay.adapters.dynamodb.plans import PlanTable
from carepay.adapters.dynamodb.portal import PortalAccessTable
from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.adapters.dynamodb.table import Table
from carepay.runtime import per_container
from carepay.services.care_packages import ApprovalImportService, CarePackageImportService
from carepay.services.non_payment_weeks import NonPaymentWeeksImportService
from carepay.services.portal_users import PortalUserImportService
from carepay.settings import Settings


def _documents(settings: Settings) -> S3Documents:
    return S3Documents(settings.inbound_bucket, settings.outbound_bucket)


@per_container
def care_package_service(settings: Settings) -> CarePackageImportService:
    return CarePackageImportService(PlanTable(Table(settings.table_name)), _documents(settings))


@per_container
def approval_import_service(settings: Settings) -> ApprovalImportService:
    return ApprovalImportService(PlanTable(Table(settings.table_name)), _documents(settings))


@per_container
def non_payment_weeks_import_service(settings: Settings) -> NonPaymentWeeksImportService:
    return NonPaymentWeeksImportService(SubmissionStore(settings.table_name), _documents(settings))


@per_container
def portal_user_import_service(settings: Settings) -> PortalUserImportService:
    return PortalUserImportService(
        CognitoDirectory(settings.portal_user_pool_id),
        PortalAccessTable(Table(settings.table_name)),
        _documents(settings),
    )
