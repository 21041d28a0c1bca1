"""A payment run's life and what it keeps for each provider (DOMAIN.md, 'Around the payment').

A run is calculated (one provider at a time), then a draft that finance may recalculate as often
as it likes, then approved: its lines become 'previously paid' and their line-weeks lock (V7).
Only one run is unapproved at a time, so each run starts from everything the one before paid.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any, NamedTuple

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.finance import BankDetails, ChargingPeriod, Settlement, settle
from carepay.domain.flags import Flag, provider_flags
from carepay.domain.money import line_amount_pence
from carepay.domain.payment_run import AdjustmentReason, LineStatus, OpenWeeks, RunLine
from carepay.domain.service_lines import ProviderPlan
from carepay.domain.weeks import LONDON


class RunStatus(StrEnum):
    CALCULATING = "calculating"
    DRAFT = "draft"
    APPROVING = "approving"
    APPROVED = "approved"
    PAID = "paid"  # its payment date has passed, or finance says the bank confirmed it

    @property
    def approved(self) -> bool:
        """Approved, and paid since or not: its lines, files and charging periods stand."""
        return self in (RunStatus.APPROVED, RunStatus.PAID)


class RunRefused(ValueError):
    """A request the run's state does not allow; the message tells finance what to do instead."""


class ChargingLine(NamedTuple):
    """One person's service line over one 4-week charging period."""

    period: str  # ChargingPeriod.slug
    provider_ref: str
    ss_ref: str
    line_ref: str
    service_type: str
    unit: str
    chargeable_quarters: int  # delivered (E1); a register's days attended or missed without notice
    cost_pence: int


@dataclass(slots=True)
class ProviderResult:
    """Everything one run worked out for one provider: enough to approve, remit and report."""

    provider_ref: str
    provider_name: str
    lines: list[RunLine]
    carried_in_pence: int = 0
    bank: BankDetails | None = None
    due_week: date | None = None  # the week whose deadline this run follows
    unconfirmed_lines: list[str] = field(default_factory=list)  # of the due week, by line ref
    exceptions: dict[str, int] = field(default_factory=dict)  # by code, on this run's weeks
    charging: list[ChargingLine] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)  # raised by the weeks this run first settles
    # Each line's service type and level, for finance's coding of the ledger.
    services: dict[str, tuple[str, str]] = field(default_factory=dict)
    # What approving this result settles: the weeks before a week, and the changes it read.
    settles: OpenWeeks | None = None

    @property
    def net_pence(self) -> int:
        return sum(line.amount_due_pence - line.previously_paid_pence for line in self.lines)

    @property
    def settlement(self) -> Settlement:
        return settle(self.net_pence, self.carried_in_pence, self.bank)

    @property
    def late_lines(self) -> list[RunLine]:
        return [line for line in self.lines if line.late_confirmation]

    @property
    def held_lines(self) -> list[RunLine]:
        return [line for line in self.lines if line.status is LineStatus.HELD]


def unconfirmed_line_refs(
    plan: ProviderPlan, actuals: Iterable[LineWeekActuals], due_week: date
) -> list[str]:
    """The due week's planned lines the provider has not confirmed (finance chases these)."""
    confirmed = {
        a.line_ref for a in actuals if a.week_commencing == due_week and a.confirmed_at is not None
    }
    return sorted(set(plan.lines_for_week(due_week)) - confirmed)


def _settled_first(lines: Sequence[RunLine]) -> set[tuple[str, date]]:
    return {
        (line.line_ref, line.week_commencing)
        for line in lines
        if not line.is_adjustment and line.status is not LineStatus.WITHHELD
    }


def services_of(plan: ProviderPlan, lines: Sequence[RunLine]) -> dict[str, tuple[str, str]]:
    """Each run line's service type and level, as the plan last has them."""
    services = {}
    for line_ref in {line.line_ref for line in lines}:
        versions = plan.versions_of(line_ref)
        if versions:
            services[line_ref] = (versions[-1].service_type.value, versions[-1].service_level)
    return services


def flags_in_run(
    plan: ProviderPlan, actuals: Sequence[LineWeekActuals], lines: Sequence[RunLine]
) -> list[Flag]:
    """Care-monitoring flags raised by the line-weeks this run settles for the first time."""
    first_time = _settled_first(lines)
    return [
        flag
        for flag in provider_flags(plan, actuals)
        if (flag.line_ref, flag.raised_for) in first_time
    ]


def exceptions_by_type(
    actuals: Iterable[LineWeekActuals], lines: Sequence[RunLine]
) -> dict[str, int]:
    """Exceptions (X1–X4) on the line-weeks this run settles for the first time."""
    first_time = _settled_first(lines)
    counts = Counter(
        finding.code
        for a in actuals
        if a.exceptions and (a.line_ref, a.week_commencing) in first_time
        for finding in a.exceptions
    )
    return dict(sorted(counts.items()))


def charging_lines(
    plan: ProviderPlan, actuals: Iterable[LineWeekActuals], periods: Sequence[ChargingPeriod]
) -> list[ChargingLine]:
    """Chargeable quantity and cost per person per line over each period, from confirmed weeks."""
    period_of_week = {monday: period for period in periods for monday in period.weeks()}
    totals: dict[tuple[str, str, str], list[Any]] = {}
    for submitted in actuals:
        period = period_of_week.get(submitted.week_commencing)
        if period is None or submitted.confirmed_at is None:
            continue
        weekly = plan.line_for_week(submitted.line_ref, submitted.week_commencing)
        if weekly is None:
            continue
        key = (period.slug, submitted.ss_ref, submitted.line_ref)
        entry = totals.setdefault(key, [weekly.service_type.value, weekly.unit.value, 0, 0])
        chargeable = submitted.client_chargeable_quarters
        entry[2] += chargeable
        entry[3] += line_amount_pence(chargeable, weekly.weekly_rate_pence)
    return [
        ChargingLine(period, plan.provider_ref, ss_ref, line_ref, *entry)
        for (period, ss_ref, line_ref), entry in sorted(totals.items())
    ]


# -- kept as JSON between the calculation and the approval --------------------------------------
def result_to_dict(result: ProviderResult) -> dict[str, Any]:
    return {
        "provider_ref": result.provider_ref,
        "provider_name": result.provider_name,
        "carried_in_pence": result.carried_in_pence,
        "bank": list(result.bank) if result.bank else None,
        "due_week": result.due_week.isoformat() if result.due_week else None,
        "unconfirmed_lines": result.unconfirmed_lines,
        "exceptions": result.exceptions,
        "charging": [list(line) for line in result.charging],
        "services": {ref: list(service) for ref, service in result.services.items()},
        "flags": [
            [f.code, f.line_ref, f.ss_ref, [w.isoformat() for w in f.weeks], f.seen, f.action]
            for f in result.flags
        ],
        "lines": [_line_to_list(line) for line in result.lines],
        "settles": _open_weeks_to_dict(result.settles),
    }


def result_from_dict(data: dict[str, Any]) -> ProviderResult:
    return ProviderResult(
        provider_ref=data["provider_ref"],
        provider_name=data["provider_name"],
        lines=[_line_from_list(values) for values in data["lines"]],
        carried_in_pence=data["carried_in_pence"],
        bank=BankDetails(*data["bank"]) if data["bank"] else None,
        due_week=date.fromisoformat(data["due_week"]) if data["due_week"] else None,
        unconfirmed_lines=data["unconfirmed_lines"],
        exceptions=data["exceptions"],
        charging=[ChargingLine(*values) for values in data["charging"]],
        services={ref: (kind, level) for ref, (kind, level) in data.get("services", {}).items()},
        flags=[
            Flag(code, line, ss, tuple(map(date.fromisoformat, weeks)), seen, action)
            for code, line, ss, weeks, seen, action in data.get("flags", [])
        ],
        settles=_open_weeks_from_dict(data.get("settles")),
    )


def _open_weeks_to_dict(settles: OpenWeeks | None) -> dict[str, Any] | None:
    if settles is None or settles.settled_before is None:
        return None
    return {"before": settles.settled_before.isoformat(), "marks": sorted(settles.marks)}


def _open_weeks_from_dict(data: dict[str, Any] | None) -> OpenWeeks | None:
    if not data:
        return None  # calculated before runs read only the weeks that can change
    return OpenWeeks(date.fromisoformat(data["before"]), frozenset(data["marks"]))


def _line_to_list(line: RunLine) -> list[Any]:
    values: list[Any] = list(line)
    values[3] = line.week_commencing.isoformat()
    values[9] = f"{line.weekly_rate_pence.numerator}/{line.weekly_rate_pence.denominator}"
    values[12] = line.status.value
    values[14] = line.adjustment_reason.value if line.adjustment_reason else None
    return values


def _line_from_list(values: list[Any]) -> RunLine:
    values = list(values)
    values[3] = date.fromisoformat(values[3])
    values[9] = Fraction(values[9])
    values[12] = LineStatus(values[12])
    values[14] = AdjustmentReason(values[14]) if values[14] else None
    return RunLine(*values)


@dataclass(slots=True)
class PaymentRun:
    """A run as finance sees it."""

    run_id: str
    run_at: datetime
    status: RunStatus
    generation: int = 1  # advanced by each recalculation; results of an older one are ignored
    providers: list[str] = field(default_factory=list)
    requested_by: str = ""
    approved_by: str = ""
    approved_at: datetime | None = None
    charging_periods: list[str] = field(default_factory=list)
    # Fixed at approval (carepay.domain.working_days): BACS's processing day and the day the
    # money reaches providers. Until then the run plans them from when it ran.
    processing_day: date | None = None
    payment_date: date | None = None

    def refuse_paid(self) -> None:
        """Raise RunRefused unless this run may be marked paid now: approved, not yet paid."""
        if self.status is RunStatus.PAID:
            raise RunRefused(f"Run {self.run_id} is already paid: nothing was changed.")
        if self.status is not RunStatus.APPROVED:
            raise RunRefused(
                f"Run {self.run_id} is {self.status.value}: only an approved run can be paid. "
                f"Approve it first with carepay runs approve {self.run_id}."
            )

    def refuse_approval(self) -> None:
        """Raise RunRefused unless this run may be approved now."""
        if self.status in (RunStatus.APPROVED, RunStatus.APPROVING, RunStatus.PAID):
            approved_at = self.approved_at.astimezone(LONDON) if self.approved_at else None
            when = f" at {approved_at:%d/%m/%Y %H:%M}" if approved_at else ""
            by = f" by {self.approved_by}" if self.approved_by else ""
            raise RunRefused(
                f"Run {self.run_id} was already approved{when}{by}: nothing was changed. "
                "An approved run's lines are paid; a correction goes into the next run."
            )
        if self.status is RunStatus.CALCULATING:
            raise RunRefused(
                f"Run {self.run_id} is still being calculated: approve it once `carepay runs "
                f"show {self.run_id}` says it is a draft."
            )
