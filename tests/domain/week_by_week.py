"""The payment calculation as first written: week by week, every line's terms looked up for
every week. Kept as the reference the line-by-line kernel (carepay.domain.payment_run) must
agree with, line for line, on any history (tests/domain/test_kernel_agrees.py): it says the
rules of DOMAIN.md plainly, at a third of the speed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.approvals import Approvals
from carepay.domain.money import line_amount_pence
from carepay.domain.payment import payable_quarters
from carepay.domain.payment_run import (
    NEVER_PAID,
    AdjustmentReason,
    LineStatus,
    PaidBefore,
    RunLine,
    _change_reason,
    _gone_reason,
    deadline_before,
)
from carepay.domain.registers import PAID_CODES, paid_days_amount_pence, register_line_for_week
from carepay.domain.service_lines import ProviderPlan, WeeklyLine


def calculate_week_by_week(
    plan: ProviderPlan,
    actuals: Iterable[LineWeekActuals],
    paid_before: Mapping[tuple[str, date], PaidBefore],
    approvals: Approvals,
    run_at: datetime,
) -> list[RunLine]:
    submitted: dict[date, dict[str, LineWeekActuals]] = {}
    for line_week in actuals:
        submitted.setdefault(line_week.week_commencing, {})[line_week.line_ref] = line_week
    paid: dict[date, dict[str, PaidBefore]] = {}
    for (line_ref, monday), before in paid_before.items():
        paid.setdefault(monday, {})[line_ref] = before
    cutoff = deadline_before(run_at)
    lines: list[RunLine] = []
    for monday in sorted(submitted.keys() | paid.keys()):
        weekly_lines = plan.lines_for_week(monday)
        reported, befores = submitted.get(monday, {}), paid.get(monday, {})
        for line_ref in sorted(reported.keys() | befores.keys()):
            line = _line_week(
                plan, approvals, cutoff, weekly_lines, line_ref, monday,
                reported.get(line_ref), befores.get(line_ref, NEVER_PAID),
            )  # fmt: skip
            if line is not None:
                lines.append(line)
    return lines


def _line_week(
    plan: ProviderPlan,
    approvals: Approvals,
    cutoff: datetime,
    weekly_lines: Mapping[str, WeeklyLine],
    line_ref: str,
    monday: date,
    submitted: LineWeekActuals | None,
    before: PaidBefore,
) -> RunLine | None:
    weekly = weekly_lines.get(line_ref)
    if weekly is None:
        return _gone(plan, weekly_lines, line_ref, monday, submitted, before)
    if submitted is None:
        return None
    common = {
        "provider_ref": plan.provider_ref,
        "line_ref": line_ref,
        "ss_ref": weekly.ss_ref,
        "week_commencing": monday,
        "planned_quarters": weekly.planned_quarters,
        "actual_quarters": submitted.actual_quarters,
        "frustrated_quarters": submitted.frustrated_quarters,
        "missed_quarters": submitted.missed_quarters,
        "weekly_rate_pence": weekly.weekly_rate_pence,
        "late_confirmation": submitted.late_confirmation,
        "day_codes": submitted.day_codes,
    }
    if submitted.confirmed_at is None or submitted.confirmed_at > cutoff:
        if before.amount_pence:
            return None
        return RunLine(**common, payable_quarters=0, amount_due_pence=0, previously_paid_pence=0,
                       status=LineStatus.WITHHELD)  # fmt: skip
    up_to = approvals.frustrated_up_to.get(line_ref)
    payable, _held, hold = payable_quarters(
        weekly.planned_quarters,
        submitted.actual_quarters,
        submitted.frustrated_quarters,
        submitted.extra_quarters,
        submitted.frustrated_week_in_run,
        approvals.extras.get((line_ref, monday), 0),
        up_to is not None and monday <= up_to,
    )
    if submitted.day_codes:
        due = _register_due(plan, line_ref, monday, submitted.day_codes, payable)
    else:
        due = line_amount_pence(payable, weekly.weekly_rate_pence)
    reason = None
    if before is not NEVER_PAID:
        if due == before.amount_pence and not hold:
            return None
        if due != before.amount_pence:
            reason = _change_reason(before, payable, weekly.weekly_rate_pence)
    return RunLine(**common, payable_quarters=payable, amount_due_pence=due,
                   previously_paid_pence=before.amount_pence,
                   status=LineStatus.HELD if hold else LineStatus.PAID, hold_reason=hold,
                   adjustment_reason=reason)  # fmt: skip


def _gone(
    plan: ProviderPlan,
    weekly_lines: Mapping[str, WeeklyLine],
    line_ref: str,
    monday: date,
    submitted: LineWeekActuals | None,
    before: PaidBefore,
) -> RunLine | None:
    if before.amount_pence:
        ss_ref = submitted.ss_ref if submitted else before.ss_ref
        reason = _gone_reason(plan, line_ref, ss_ref, weekly_lines)
        return RunLine.gone(plan.provider_ref, line_ref, ss_ref, monday, before, reason)
    if submitted is not None and before is NEVER_PAID:
        unpaid = (
            AdjustmentReason.NON_PAYMENT_WEEK
            if line_ref in plan.day_care_line_refs and plan.is_non_payment_week(monday)
            else AdjustmentReason.CANCELLED_UNPAID
        )
        return RunLine.gone(plan.provider_ref, line_ref, submitted.ss_ref, monday, before, unpaid)
    return None


def _register_due(
    plan: ProviderPlan, line_ref: str, monday: date, day_codes: str, payable: int
) -> int:
    register_line = register_line_for_week(plan.versions_of(line_ref), monday)
    if register_line is None or not register_line.per_day_quarters:
        return 0
    paid_days = [day for day, code in enumerate(day_codes) if code in PAID_CODES]
    return paid_days_amount_pence(
        register_line, paid_days[: payable // register_line.per_day_quarters]
    )
