"""The small interfaces the logic needs; DynamoStore and S3Documents implement them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from carepay.adapters.documents import Document
from carepay.domain.actuals import LineWeekActuals, RejectedReport, StoredLineWeek
from carepay.domain.approvals import Approvals
from carepay.domain.finance import BankDetails
from carepay.domain.service_lines import ProviderPlan, ServiceLineVersion


class ConcurrentChange(RuntimeError):
    """The provider's state changed since it was read: check the submission again on the new state."""


class AlreadyCommitted(RuntimeError):
    """Another delivery of the same upload committed first."""


class ActualsStore(Protocol):
    def provider_plan(self, provider_ref: str) -> ProviderPlan: ...
    def stored_line_weeks(
        self, provider_ref: str, first_week: date, last_week: date
    ) -> dict[tuple[str, date], StoredLineWeek]: ...
    def approvals(self, provider_ref: str) -> Approvals: ...
    def upload_summary(self, provider_ref: str, upload_id: str) -> dict[str, Any] | None: ...
    def provider_version(self, provider_ref: str) -> int: ...
    def save_submission(
        self,
        provider_ref: str,
        upload_id: str,
        line_weeks: Sequence[LineWeekActuals],
        summary: dict[str, Any],
        expected_version: int,
        rejected: Sequence[RejectedReport] = (),
    ) -> None: ...


class PlanStore(Protocol):
    def providers(self) -> list[str]: ...
    def provider_plan(self, provider_ref: str) -> ProviderPlan: ...


class CarePackageStore(Protocol):
    def save_care_packages(
        self,
        import_id: str,
        versions: Sequence[ServiceLineVersion],
        summary: dict[str, Any],
        bank_details: Mapping[str, BankDetails] | None = None,
    ) -> None: ...


class Documents(Protocol):
    def read_inbound(self, key: str, version_id: str | None = None) -> Document: ...
    def read_outbound(self, key: str) -> bytes | None: ...
    def write_outbound(self, key: str, body: bytes, content_type: str) -> None: ...
