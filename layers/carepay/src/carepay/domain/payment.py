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


def payable_quarters(
    planned: int,
    actual: int,
    frustrated: int,
    extra: int,
    frustrated_week_in_run: int,
    approved_extra: int,
    frustrated_approved: bool,
) -> tuple[int, int, str]:
    """(payable, held, hold reason), all in quarter units.

    Payable = Actual + Frustrated, capped at Planned + approved Extra; Missed is never paid.
    Holds are judged now, against the approvals known now: an extra above plan without an
    approval holds the whole line (X2); frustrated hours past six weeks in a row without an
    approval are held (X3) while the rest of the week is paid. Plain integers in and out: the
    payment run calls this once for every line-week of a council's history.
    """
    cap = planned + approved_extra
    claimed = actual + frustrated
    if frustrated and frustrated_week_in_run > FRUSTRATED_WEEKS_PAID and not frustrated_approved:
        payable = actual if actual < cap else cap
        return payable, (claimed if claimed < cap else cap) - payable, "X3"
    if (actual > planned or extra) and not approved_extra:
        return 0, claimed if claimed < cap else cap, "X2"
    return (claimed if claimed < cap else cap), 0, ""


def line_week_payment(
    actuals: LineWeekActuals, line: WeeklyLine, approvals: Approvals
) -> LineWeekPayment:
    payable, held, hold_reason = payable_quarters(
        line.planned_quarters,
        actuals.actual_quarters,
        actuals.frustrated_quarters,
        actuals.extra_quarters,
        actuals.frustrated_week_in_run,
        approvals.approved_extra_quarters(line.line_ref, line.week_commencing),
        approvals.frustrated_approved(line.line_ref, line.week_commencing),
    )
    return LineWeekPayment(
        payable, line_amount_pence(payable, line.weekly_rate_pence), held, hold_reason
    )
