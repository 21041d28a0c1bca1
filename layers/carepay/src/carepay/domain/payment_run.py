"""The payment calculation: what each provider is paid, and recovered, by one run.

A ledger, not a snapshot: for every line-week that is confirmed or was ever paid, the amount due
now is worked out from today's plan, actuals and approvals; the run pays the difference from
what earlier approved runs paid (negative: a recoup). So a line backdated, cancelled or uplifted
after it was paid is put right by the next run, and a hold released by an approval is paid then.
Pure: the same inputs give the same lines, to the penny, every time (DOMAIN.md, E11–E14).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.approvals import Approvals
from carepay.domain.payment import line_week_payment
from carepay.domain.service_lines import ProviderPlan
from carepay.domain.weeks import CONFIRMATION_DEADLINE, LONDON, week_commencing


class LineStatus(StrEnum):
    PAID = "paid"  # due now, at least in part, and paid (or adjusted) by this run
    HELD = "held"  # confirmed, but money is held by an exception (X2, X3) until approved
    WITHHELD = "withheld"  # not confirmed by the deadline before the run: paid by a later run


class AdjustmentReason(StrEnum):
    BACKDATED = "service line backdated"
    CANCELLED = "line cancelled"
    RATE = "rate uplift"
    APPROVAL = "approval received"
    CHANGED = "actuals changed"


@dataclass(frozen=True, slots=True)
class RunLine:
    """One line-week of one run: what is due now, what was paid before, and the difference."""

    provider_ref: str
    line_ref: str
    ss_ref: str
    week_commencing: date
    payable_quarters: int
    weekly_rate_pence: Fraction
    amount_due_pence: int
    previously_paid_pence: int
    status: LineStatus
    hold_reason: str = ""
    adjustment_reason: AdjustmentReason | None = None

    @property
    def net_pence(self) -> int:
        return self.amount_due_pence - self.previously_paid_pence


@dataclass(frozen=True, slots=True)
class PaidBefore:
    """What approved runs paid on a line-week, and the terms they paid it on."""

    amount_pence: int
    weekly_rate_pence: Fraction
    payable_quarters: int


NEVER_PAID = PaidBefore(0, Fraction(0), 0)


def deadline_before(moment: datetime) -> datetime:
    """The last confirmation deadline (Tuesday 17:00 London) at or before `moment` (E12)."""
    local = moment.astimezone(LONDON)
    tuesday = week_commencing(local.date()) + timedelta(days=1)
    deadline = datetime.combine(tuesday, CONFIRMATION_DEADLINE, tzinfo=LONDON)
    return deadline if deadline <= local else deadline - timedelta(weeks=1)


def calculate_provider(
    plan: ProviderPlan,
    actuals: Iterable[LineWeekActuals],
    paid_before: Mapping[tuple[str, date], PaidBefore],
    approvals: Approvals,
    run_at: datetime,
) -> list[RunLine]:
    """Every line-week of one provider that this run pays, adjusts, holds or withholds."""
    cutoff = deadline_before(run_at)
    by_line_week = {(a.line_ref, a.week_commencing): a for a in actuals}
    lines: list[RunLine] = []
    for key in sorted(by_line_week.keys() | paid_before.keys(), key=lambda k: (k[1], k[0])):
        line_ref, monday = key
        submitted = by_line_week.get(key)
        before = paid_before.get(key, NEVER_PAID)
        weekly = plan.line_for_week(line_ref, monday)
        confirmed_in_time = (
            submitted is not None
            and submitted.confirmed_at is not None
            and submitted.confirmed_at <= cutoff
        )
        if weekly is None:
            # The line no longer covers the week (backdated away or cancelled): nothing is due.
            if before.amount_pence:
                lines.append(
                    RunLine(
                        provider_ref=plan.provider_ref,
                        line_ref=line_ref,
                        ss_ref=submitted.ss_ref if submitted else "",
                        week_commencing=monday,
                        payable_quarters=0,
                        weekly_rate_pence=Fraction(0),
                        amount_due_pence=0,
                        previously_paid_pence=before.amount_pence,
                        status=LineStatus.PAID,
                        adjustment_reason=_gone_reason(plan, line_ref),
                    )
                )
            continue
        if not confirmed_in_time or submitted is None:
            if not before.amount_pence:
                lines.append(
                    RunLine(
                        provider_ref=plan.provider_ref,
                        line_ref=line_ref,
                        ss_ref=weekly.ss_ref,
                        week_commencing=monday,
                        payable_quarters=0,
                        weekly_rate_pence=weekly.weekly_rate_pence,
                        amount_due_pence=0,
                        previously_paid_pence=0,
                        status=LineStatus.WITHHELD,
                    )
                )
            continue
        payment = line_week_payment(submitted, weekly, approvals)
        reason = None
        if key in paid_before and payment.amount_pence != before.amount_pence:
            reason = _change_reason(before, payment.payable_quarters, weekly.weekly_rate_pence)
        lines.append(
            RunLine(
                provider_ref=plan.provider_ref,
                line_ref=line_ref,
                ss_ref=weekly.ss_ref,
                week_commencing=monday,
                payable_quarters=payment.payable_quarters,
                weekly_rate_pence=weekly.weekly_rate_pence,
                amount_due_pence=payment.amount_pence,
                previously_paid_pence=before.amount_pence,
                status=LineStatus.HELD if payment.held else LineStatus.PAID,
                hold_reason=payment.hold_reason,
                adjustment_reason=reason,
            )
        )
    return lines


def _gone_reason(plan: ProviderPlan, line_ref: str) -> AdjustmentReason:
    versions = plan.versions_of(line_ref)
    if versions and all(v.cancelled for v in versions):
        return AdjustmentReason.CANCELLED
    return AdjustmentReason.BACKDATED


def _change_reason(before: PaidBefore, payable_quarters: int, rate: Fraction) -> AdjustmentReason:
    """Why a week an earlier run settled is due a different amount now."""
    if rate != before.weekly_rate_pence:
        return AdjustmentReason.RATE
    if payable_quarters > before.payable_quarters:
        return AdjustmentReason.APPROVAL  # a hold released (X2 extra, X3 long retainer)
    return AdjustmentReason.CHANGED


def paid_after(lines: Iterable[RunLine]) -> dict[tuple[str, date], PaidBefore]:
    """What an approved run leaves as 'paid before' for the next one."""
    return {
        (line.line_ref, line.week_commencing): PaidBefore(
            line.amount_due_pence, line.weekly_rate_pence, line.payable_quarters
        )
        for line in lines
        if line.status is not LineStatus.WITHHELD
    }


def approve(
    previous: Mapping[tuple[str, date], PaidBefore], lines: Iterable[RunLine]
) -> dict[tuple[str, date], PaidBefore]:
    """The ledger after approving a run: its lines become what was paid before."""
    return {**previous, **paid_after(lines)}
