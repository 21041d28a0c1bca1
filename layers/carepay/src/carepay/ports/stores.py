"""The table as the services see it: plans, actuals and their commits, approvals, payment runs,
and the nonces of sheet notices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from carepay.domain.actuals import LineWeekActuals, RejectedReport, StoredLineWeek
from carepay.domain.approvals import Approvals, ExtraApproval, FrustratedApproval
from carepay.domain.finance import BankDetails
from carepay.domain.flags import Flag
from carepay.domain.payment_run import EVER, OpenWeeks, PaidBefore, RunLine
from carepay.domain.portal_weeks import ConfirmedWeeks
from carepay.domain.runs import PaymentRun, RunStatus
from carepay.domain.service_lines import ProviderPlan, ServiceLineVersion


class PlanStore(Protocol):
    def providers(self) -> list[str]: ...
    def provider_plan(self, provider_ref: str) -> ProviderPlan: ...


class PreviewStore(PlanStore, Protocol):
    """What a claim workbook's payment preview is worked out from."""

    def stored_line_weeks(
        self, provider_ref: str, first_week: date, last_week: date
    ) -> dict[tuple[str, date], StoredLineWeek]: ...
    def paid_ledger(
        self, provider_ref: str, first_week: date = EVER, last_week: date = date.max
    ) -> dict[tuple[str, date], PaidBefore]: ...
    def approvals(self, provider_ref: str) -> Approvals: ...


class PortalStore(PreviewStore, Protocol):
    """What the portal shows a provider's weeks from, and the weeks of a year it found
    confirmed, kept so that they are not read again (portal_weeks.ConfirmedWeeks)."""

    def confirmed_weeks(self, provider_ref: str, year: int) -> ConfirmedWeeks | None: ...
    def save_confirmed_weeks(self, provider_ref: str, year: int, found: ConfirmedWeeks) -> None: ...


class PlanSource(Protocol):
    """A provider's plan and the state of its line-weeks: what a claim is shown against."""

    def provider_plan(self, provider_ref: str) -> ProviderPlan: ...
    def stored_line_weeks(
        self, provider_ref: str, first_week: date, last_week: date
    ) -> dict[tuple[str, date], StoredLineWeek]: ...


class ActualsStore(Protocol):
    """Submissions: read a provider's state, then commit a decision made on it (or be told
    ConcurrentChange / AlreadyCommitted, carepay.ports.errors)."""

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
    def save_flags(self, provider_ref: str, flags: Sequence[Flag], raised_at: datetime) -> int: ...


class NonPaymentWeekStore(Protocol):
    """Day-care providers' nominated non-payment weeks, and whether a week is already locked."""

    def provider_plan(self, provider_ref: str) -> ProviderPlan: ...
    def non_payment_weeks(self, provider_ref: str) -> dict[int, tuple[date, date]]: ...
    def save_non_payment_weeks(
        self, nominated: Mapping[tuple[str, int], tuple[date, date]], import_id: str
    ) -> None: ...
    def stored_line_weeks(
        self, provider_ref: str, first_week: date, last_week: date
    ) -> dict[tuple[str, date], StoredLineWeek]: ...


class CarePackageStore(Protocol):
    def save_care_packages(
        self,
        import_id: str,
        versions: Sequence[ServiceLineVersion],
        summary: dict[str, Any],
        bank_details: Mapping[str, BankDetails] | None = None,
    ) -> None: ...


class ApprovalStore(Protocol):
    def save_approval(
        self, provider_ref: str, approval: ExtraApproval | FrustratedApproval
    ) -> None: ...


class PaymentRunStore(Protocol):
    def providers(self) -> list[str]: ...
    def provider_plan(self, provider_ref: str) -> ProviderPlan: ...
    def approvals(self, provider_ref: str) -> Approvals: ...
    def open_weeks(self, provider_ref: str) -> OpenWeeks:
        """Where the provider's history can still change (payment_run.OpenWeeks)."""
        ...

    def line_weeks_from(self, provider_ref: str, first_week: date) -> list[LineWeekActuals]: ...
    def paid_ledger(
        self, provider_ref: str, first_week: date = EVER, last_week: date = date.max
    ) -> dict[tuple[str, date], PaidBefore]: ...
    def carried_balance(self, provider_ref: str) -> int: ...
    def provider_profile(self, provider_ref: str) -> tuple[str, BankDetails | None]: ...
    def save_payment(
        self,
        provider_ref: str,
        run_id: str,
        lines: Sequence[RunLine],
        carried_out_pence: int,
        settled: OpenWeeks | None = None,
    ) -> bool:
        """Pay an approved run's lines; `settled`: what its calculation leaves settled."""
        ...

    def open_run(self, run: PaymentRun) -> None: ...
    def open_run_id(self) -> str | None: ...
    def run(self, run_id: str) -> PaymentRun | None: ...
    def runs(self) -> list[PaymentRun]: ...
    def change_run(
        self, run: PaymentRun, expected: RunStatus, *, expected_generation: int | None = None
    ) -> bool: ...
    def provider_done(self, run_id: str, phase: str, generation: int, provider_ref: str) -> int: ...
    def close_run(self, run: PaymentRun) -> None: ...


class NonceStore(Protocol):
    def claim(self, nonce: str, keep_until: datetime) -> bool:
        """True the first time a nonce is claimed, False ever after (until it expires)."""
        ...
