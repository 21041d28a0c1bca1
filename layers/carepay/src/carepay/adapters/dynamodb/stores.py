"""One store per port, each made of the concern tables it needs, all sharing one Table.

The ports are shaped by what a service does (a submission reads the plan and the actuals and
commits; a run reads everything and pays); the tables by what the data is. A store here is the
one place the two meet, so neither shapes the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from carepay.adapters.dynamodb.actuals import ActualsTable
from carepay.adapters.dynamodb.flags import FlagsTable
from carepay.adapters.dynamodb.plans import PlanTable
from carepay.adapters.dynamodb.runs import RunsTable
from carepay.adapters.dynamodb.table import Table
from carepay.domain.actuals import LineWeekActuals, RejectedReport, StoredLineWeek
from carepay.domain.approvals import Approvals
from carepay.domain.finance import BankDetails
from carepay.domain.flags import Flag
from carepay.domain.payment_run import EVER, OpenWeeks, PaidBefore, RunLine
from carepay.domain.portal_weeks import ConfirmedWeeks
from carepay.domain.runs import PaymentRun, RunStatus
from carepay.domain.service_lines import ProviderPlan


class SubmissionStore:
    """ActualsStore, PlanSource and NonPaymentWeekStore: a provider's plan, approvals and
    line-weeks, the commit of a submission's decision, and its non-payment weeks."""

    def __init__(self, table_name: str) -> None:
        table = Table(table_name)
        self.plans = PlanTable(table)
        self.actuals = ActualsTable(table)
        self.raised = FlagsTable(table)

    def provider_plan(self, provider_ref: str) -> ProviderPlan:
        return self.plans.provider_plan(provider_ref)

    def approvals(self, provider_ref: str) -> Approvals:
        return self.plans.approvals(provider_ref)

    def stored_line_weeks(
        self, provider_ref: str, first_week: date, last_week: date
    ) -> dict[tuple[str, date], StoredLineWeek]:
        return self.actuals.stored_line_weeks(provider_ref, first_week, last_week)

    def upload_summary(self, provider_ref: str, upload_id: str) -> dict[str, Any] | None:
        return self.actuals.upload_summary(provider_ref, upload_id)

    def save_flags(self, provider_ref: str, flags: Sequence[Flag], raised_at: datetime) -> int:
        return self.raised.save_flags(provider_ref, flags, raised_at)

    def non_payment_weeks(self, provider_ref: str) -> dict[int, tuple[date, date]]:
        return self.plans.non_payment_weeks(provider_ref)

    def save_non_payment_weeks(
        self, nominated: Mapping[tuple[str, int], tuple[date, date]], import_id: str
    ) -> None:
        self.plans.save_non_payment_weeks(nominated, import_id)

    def provider_version(self, provider_ref: str) -> int:
        return self.actuals.provider_version(provider_ref)

    def save_submission(
        self,
        provider_ref: str,
        upload_id: str,
        line_weeks: Sequence[LineWeekActuals],
        summary: dict[str, Any],
        expected_version: int,
        rejected: Sequence[RejectedReport] = (),
    ) -> None:
        self.actuals.save_submission(
            provider_ref, upload_id, line_weeks, summary, expected_version, rejected
        )


class PaymentStore:
    """PaymentRunStore and PortalStore: everything a run reads, the run and its payments, and
    the weeks the portal found confirmed."""

    def __init__(self, table_name: str) -> None:
        table = Table(table_name)
        self.plans = PlanTable(table)
        self.actuals = ActualsTable(table)
        self.payments = RunsTable(table)

    # -- read from the plan and the actuals ------------------------------------------------------
    def providers(self) -> list[str]:
        return self.plans.providers()

    def provider_plan(self, provider_ref: str) -> ProviderPlan:
        return self.plans.provider_plan(provider_ref)

    def approvals(self, provider_ref: str) -> Approvals:
        return self.plans.approvals(provider_ref)

    def provider_profile(self, provider_ref: str) -> tuple[str, BankDetails | None]:
        return self.plans.provider_profile(provider_ref)

    def open_weeks(self, provider_ref: str) -> OpenWeeks:
        return self.payments.open_weeks(provider_ref)

    def line_weeks_from(self, provider_ref: str, first_week: date) -> list[LineWeekActuals]:
        return self.actuals.line_weeks_from(provider_ref, first_week)

    def stored_line_weeks(
        self, provider_ref: str, first_week: date, last_week: date
    ) -> dict[tuple[str, date], StoredLineWeek]:
        return self.actuals.stored_line_weeks(provider_ref, first_week, last_week)

    def confirmed_weeks(self, provider_ref: str, year: int) -> ConfirmedWeeks | None:
        return self.actuals.confirmed_weeks(provider_ref, year)

    def save_confirmed_weeks(self, provider_ref: str, year: int, found: ConfirmedWeeks) -> None:
        self.actuals.save_confirmed_weeks(provider_ref, year, found)

    # -- payments and runs ------------------------------------------------------------------------
    def paid_ledger(
        self, provider_ref: str, first_week: date = EVER, last_week: date = date.max
    ) -> dict[tuple[str, date], PaidBefore]:
        return self.payments.paid_ledger(provider_ref, first_week, last_week)

    def carried_balance(self, provider_ref: str) -> int:
        return self.payments.carried_balance(provider_ref)

    def save_payment(
        self,
        provider_ref: str,
        run_id: str,
        lines: Sequence[RunLine],
        carried_out_pence: int,
        settled: OpenWeeks | None = None,
    ) -> bool:
        return self.payments.save_payment(provider_ref, run_id, lines, carried_out_pence, settled)

    def open_run(self, run: PaymentRun) -> None:
        self.payments.open_run(run)

    def open_run_id(self) -> str | None:
        return self.payments.open_run_id()

    def run(self, run_id: str) -> PaymentRun | None:
        return self.payments.run(run_id)

    def runs(self) -> list[PaymentRun]:
        return self.payments.runs()

    def change_run(
        self, run: PaymentRun, expected: RunStatus, *, expected_generation: int | None = None
    ) -> bool:
        return self.payments.change_run(run, expected, expected_generation=expected_generation)

    def provider_done(self, run_id: str, phase: str, generation: int, provider_ref: str) -> int:
        return self.payments.provider_done(run_id, phase, generation, provider_ref)

    def close_run(self, run: PaymentRun) -> None:
        self.payments.close_run(run)
