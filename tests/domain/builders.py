"""Small builders for domain tests: a plan, a row, a clock."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from carepay.domain.actuals import StoredLineWeek, ValidationContext
from carepay.domain.approvals import Approvals
from carepay.domain.rows import SheetRow
from carepay.domain.service_lines import ProviderPlan, ServiceLineVersion, ServiceType, Unit
from carepay.domain.weeks import LONDON

PROVIDER = "P001"
WEEK = date(2023, 1, 9)
AFTER_THE_WEEK = datetime(2023, 1, 16, 10, 0, tzinfo=LONDON)


def line_version(
    line_ref: str = "L1",
    ss_ref: str = "SS100",
    *,
    service_type: ServiceType = ServiceType.HOME_SUPPORT,
    service_level: str = "Single-handed",
    planned: str = "5",
    rate: str = "20.00",
    start: date = date(2022, 4, 1),
    end: date | None = None,
    provider_ref: str = PROVIDER,
    visits: int | None = 5,
    cancelled: bool = False,
) -> ServiceLineVersion:
    return ServiceLineVersion(
        provider_ref=provider_ref,
        provider_name="Acme Home Care",
        line_ref=line_ref,
        ss_ref=ss_ref,
        service_type=service_type,
        service_level=service_level,
        unit=Unit.HOUR,
        planned_quantity=Decimal(planned),
        planned_visits=visits,
        unit_rate=Decimal(rate),
        start_date=start,
        end_date=end,
        cancelled=cancelled,
    )


def plan_of(*versions: ServiceLineVersion, provider_ref: str = PROVIDER) -> ProviderPlan:
    return ProviderPlan(provider_ref, list(versions) or [line_version()])


def claim_row(
    actual: object = "5",
    *,
    frustrated: object = None,
    missed: object = None,
    extra: object = None,
    comments: str | None = None,
    ss_ref: str = "SS100",
    week: object = "2023-01-09",
    row_number: int = 2,
    **other: object,
) -> SheetRow:
    cells: dict[str, object] = {"ss_ref": ss_ref, "date": week, "actual": actual}
    for key, value in (
        ("frustrated", frustrated),
        ("missed", missed),
        ("extra", extra),
        ("comments", comments),
    ):
        if value is not None:
            cells[key] = value
    cells.update(other)
    return SheetRow(row_number, cells)


def context_for(
    plan: ProviderPlan | None = None,
    *,
    at: datetime = AFTER_THE_WEEK,
    stored: dict[tuple[str, date], StoredLineWeek] | None = None,
    approvals: Approvals | None = None,
) -> ValidationContext:
    return ValidationContext(
        provider_ref=PROVIDER,
        plan=plan or plan_of(),
        uploaded_at=at,
        upload_id="upload-1",
        stored=stored or {},
        approvals=approvals or Approvals(),
    )
