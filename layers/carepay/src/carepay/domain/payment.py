"""Payment of one confirmed line-week: payable quantity and amount (DOMAIN.md, 'Payment of one
confirmed line-week')."""

from __future__ import annotations

from dataclasses import dataclass

from carepay.domain.actuals import FRUSTRATED_WEEKS_PAID, LineWeekActuals
from carepay.domain.approvals import Approvals
from carepay.domain.money import line_amount_pence
from carepay.domain.service_lines import WeeklyLine


@dataclass(frozen=True, slots=True)
class LineWeekPayment:
    payable_quarters: int
    amount_pence: int
    held_quarters: int
    hold_reason: str = ""  # the exception code holding money back, if any

    @property
    def held(self) -> bool:
        return bool(self.hold_reason)


def line_week_payment(
    actuals: LineWeekActuals, line: WeeklyLine, approvals: Approvals
) -> LineWeekPayment:
    """Payable = Actual + Frustrated, capped at Planned + approved Extra; Missed is never paid.

    Holds are judged now, against the approvals known now: an extra above plan without an
    approval holds the whole line (X2); frustrated hours past six weeks in a row without an
    approval are held (X3) while the rest of the week is paid.
    """
    approved_extra = approvals.approved_extra_quarters(line.line_ref, line.week_commencing)
    cap = line.planned_quarters + approved_extra
    frustrated = actuals.frustrated_quarters
    if (
        frustrated
        and actuals.frustrated_week_in_run > FRUSTRATED_WEEKS_PAID
        and not approvals.frustrated_approved(line.line_ref, line.week_commencing)
    ):
        payable = min(actuals.actual_quarters, cap)
        held = min(actuals.actual_quarters + frustrated, cap) - payable
        return LineWeekPayment(
            payable, line_amount_pence(payable, line.weekly_rate_pence), held, "X3"
        )
    over_plan = actuals.actual_quarters > line.planned_quarters or actuals.extra_quarters > 0
    if over_plan and not approved_extra:
        return LineWeekPayment(0, 0, min(actuals.actual_quarters + frustrated, cap), "X2")
    payable = min(actuals.actual_quarters + frustrated, cap)
    return LineWeekPayment(payable, line_amount_pence(payable, line.weekly_rate_pence), 0)
