"""The payment calculation: what each provider is paid, and recovered, by one run.

A ledger, not a snapshot: for every line-week that is confirmed or was ever paid, the amount due
now is worked out from today's plan, actuals and approvals; the run pays the difference from
what earlier approved runs paid (negative: a recoup). So a line backdated, cancelled or uplifted
after it was paid is put right by the next run, and a hold released by an approval is paid then.
Pure: the same inputs give the same lines, to the penny, every time (DOMAIN.md, E11–E14).
A run is given only the weeks that can still change (OpenWeeks): the rest would come out as
"settled and still right", and say nothing.

The loop runs once per line-week given (on a provider's first run, its whole history), so it is
kept flat: it goes line by line, each line's terms found once for the span of weeks they hold
rather than every week, each amount worked out once per line and quantity, integers for money,
and no object built that the result does not keep. tests/domain/week_by_week.py is the same
calculation written week by week, as the rules read; a property test holds the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.approvals import Approvals
from carepay.domain.money import line_amount_pence
from carepay.domain.payment import payable_quarters
from carepay.domain.registers import PAID_CODES, paid_days_amount_pence, register_line_for_week
from carepay.domain.service_lines import ProviderPlan, WeeklyLine
from carepay.domain.weeks import (
    CONFIRMATION_DEADLINE,
    LONDON,
    confirmation_deadline,
    week_commencing,
)


class LineStatus(StrEnum):
    PAID = "paid"  # due now, at least in part, and paid (or adjusted) by this run
    HELD = "held"  # confirmed, but money is held by an exception (X2, X3) until approved
    WITHHELD = "withheld"  # not confirmed by the deadline before the run: paid by a later run


class AdjustmentReason(StrEnum):
    BACKDATED = "service line backdated"
    CANCELLED = "line cancelled"
    CANCELLED_UNPAID = "cancelled before payment: nothing due"
    NON_PAYMENT_WEEK = "a non-payment week: nothing due"
    RATE = "rate uplift"
    APPROVAL = "approval received"
    CHANGED = "actuals changed"


class RunLine(NamedTuple):
    """One line-week of one run: what is due now, what was paid before, and the difference."""

    provider_ref: str
    line_ref: str
    ss_ref: str
    week_commencing: date
    planned_quarters: int
    actual_quarters: int
    frustrated_quarters: int
    missed_quarters: int
    payable_quarters: int
    weekly_rate_pence: Fraction
    amount_due_pence: int
    previously_paid_pence: int
    status: LineStatus
    hold_reason: str = ""
    adjustment_reason: AdjustmentReason | None = None
    late_confirmation: bool = False
    day_codes: str = ""  # a register's week day by day (LineWeekActuals.day_codes)

    @classmethod
    def gone(
        cls,
        provider_ref: str,
        line_ref: str,
        ss_ref: str,
        week: date,
        before: PaidBefore,
        reason: AdjustmentReason,
    ) -> RunLine:
        """A line-week paid before that its line no longer covers: what was paid comes back."""
        return _new(cls, (provider_ref, line_ref, ss_ref, week, 0, 0, 0, 0, 0, _ZERO, 0,
                          before.amount_pence, LineStatus.PAID, "", reason, False, ""))  # fmt: skip

    @property
    def net_pence(self) -> int:
        return self.amount_due_pence - self.previously_paid_pence

    @property
    def is_adjustment(self) -> bool:
        """An earlier week this run puts right, shown apart from this run's weeks."""
        return self.adjustment_reason is not None


class PaidBefore(NamedTuple):
    """What approved runs paid on a line-week, and the terms they paid it on."""

    amount_pence: int
    weekly_rate_pence: Fraction
    payable_quarters: int
    ss_ref: str = ""  # the person's, kept so a recoup on a line that is gone still names them


NEVER_PAID = PaidBefore(0, Fraction(0), 0)
_ZERO = Fraction(0)
# The named constructors build the tuple directly: the run builds one per line-week of a
# council's history, and NamedTuple's generated __new__ would be a second call each time.
_new = tuple.__new__


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
    """Every line-week of one provider that this run pays, adjusts, holds or withholds.

    Lines come out in week order, then line order: the order of the remittance and the ledger.
    A line-week an earlier run settled is left out while it is still right. Worked out line by
    line, so each line's terms are found once for the weeks they hold (ProviderPlan.steady_weeks).
    """
    reported: dict[str, dict[date, LineWeekActuals]] = {}
    for line_week in actuals:
        weeks = reported.get(line_week.line_ref)
        if weeks is None:
            weeks = reported[line_week.line_ref] = {}
        weeks[line_week.week_commencing] = line_week
    paid: dict[str, dict[date, PaidBefore]] = {}
    for (line_ref, monday), before in paid_before.items():
        befores = paid.get(line_ref)
        if befores is None:
            befores = paid[line_ref] = {}
        befores[monday] = before
    # In UTC, as confirmations are stored: datetimes in two time zones compare ~50× slower.
    run = _ProviderRun(plan, approvals, deadline_before(run_at).astimezone(UTC))
    for line_ref in sorted(reported.keys() | paid.keys()):
        weeks_reported, weeks_paid = reported.get(line_ref, {}), paid.get(line_ref, {})
        run.reported_weeks(line_ref, weeks_reported, weeks_paid)
        run.paid_weeks(line_ref, weeks_reported, weeks_paid)
    return [line for monday in sorted(run.by_week) for line in run.by_week[monday]]


class _ProviderRun:
    """One provider's run, line by line: the lines so far by week, and what they are judged by."""

    def __init__(self, plan: ProviderPlan, approvals: Approvals, cutoff: datetime) -> None:
        self.plan = plan
        self.provider_ref = plan.provider_ref
        self.extras = approvals.extras
        self.retainers = approvals.frustrated_up_to
        self.cutoff = cutoff
        self.by_week: dict[date, list[RunLine]] = {}

    def reported_weeks(
        self,
        line_ref: str,
        reported: Mapping[date, LineWeekActuals],
        paid: Mapping[date, PaidBefore],
    ) -> None:
        """A line's reported weeks, each judged against its terms and what was paid before."""
        provider_ref, cutoff, by_week, retainer = (
            self.provider_ref, self.cutoff, self.by_week, self.retainers.get(line_ref)
        )  # fmt: skip
        lines_of_week = by_week.get
        spans = [_span(*span) for span in self.plan.steady_weeks(line_ref)]
        first, last, ss_ref, planned, rate, amounts = _NO_WEEKS
        for monday, submitted in reported.items():
            before = paid.get(monday, NEVER_PAID)
            if not first <= monday <= last:
                found = self._span_of(line_ref, monday, spans)
                if found is None:
                    self._gone(line_ref, monday, submitted, before)
                    continue
                first, last, ss_ref, planned, rate, amounts = found
            confirmed_at, actual = submitted.confirmed_at, submitted.actual_quarters
            if confirmed_at is None or confirmed_at > cutoff:
                if not before.amount_pence:
                    line = _new(RunLine, (provider_ref, line_ref, ss_ref, monday, planned, actual,
                                          submitted.frustrated_quarters, submitted.missed_quarters,
                                          0, rate, 0, 0, _WITHHELD, "", None,
                                          submitted.late_confirmation, submitted.day_codes))  # fmt: skip
                    (lines_of_week(monday) or by_week.setdefault(monday, [])).append(line)
                continue
            frustrated = submitted.frustrated_quarters
            if actual <= planned and not frustrated and not submitted.extra_quarters:
                payable, hold = actual, ""  # payable_quarters' answer when nothing is above plan
            else:
                payable, _held, hold = payable_quarters(
                    planned, actual, frustrated, submitted.extra_quarters,
                    submitted.frustrated_week_in_run, self.extras.get((line_ref, monday), 0),
                    retainer is not None and monday <= retainer,
                )  # fmt: skip
            if submitted.day_codes:
                due = self._register_due(line_ref, monday, submitted.day_codes, payable)
            elif (due := amounts.get(payable, -1)) < 0:
                due = amounts[payable] = line_amount_pence(payable, rate)
            reason: AdjustmentReason | None = None
            if before is not NEVER_PAID:
                if due == before.amount_pence and not hold:
                    continue  # settled by an earlier run and still right: nothing to say
                if due != before.amount_pence:
                    reason = _change_reason(before, payable, rate)
            status = _HELD if hold else _PAID
            line = _new(RunLine, (provider_ref, line_ref, ss_ref, monday, planned, actual,
                                  frustrated, submitted.missed_quarters, payable, rate, due,
                                  before.amount_pence, status, hold, reason,
                                  submitted.late_confirmation, submitted.day_codes))  # fmt: skip
            (lines_of_week(monday) or by_week.setdefault(monday, [])).append(line)

    def _span_of(self, line_ref: str, monday: date, spans: list[_Span]) -> _Span | None:
        """The span of weeks with one set of terms `monday` is in (on its own when its terms
        are the week's own), or None when the line does not cover the week."""
        for span in spans:
            if span[0] <= monday <= span[1]:
                return span
        weekly = self.plan.week_terms(line_ref, monday)
        return None if weekly is None else _span(monday, monday, weekly)

    def paid_weeks(
        self,
        line_ref: str,
        reported: Mapping[date, LineWeekActuals],
        paid: Mapping[date, PaidBefore],
    ) -> None:
        """A line's weeks paid before and not reported since: recouped if the line no longer
        covers them; otherwise settled, and nothing to say."""
        for monday in sorted(paid.keys() - reported.keys()):
            if self.plan.week_terms(line_ref, monday) is None:
                self._gone(line_ref, monday, None, paid[monday])

    def _gone(
        self,
        line_ref: str,
        monday: date,
        submitted: LineWeekActuals | None,
        before: PaidBefore,
    ) -> None:
        """The line no longer covers the week (backdated away or cancelled): nothing is due.
        What was paid comes back; a week reported (perhaps shown withheld) but never paid is
        said once, rather than dropped from the provider's view."""
        provider_ref = self.provider_ref
        if before.amount_pence:
            ss_ref = submitted.ss_ref if submitted else before.ss_ref
            weekly_lines = self.plan.lines_for_week(monday)
            gone = _gone_reason(self.plan, line_ref, ss_ref, weekly_lines)
            line = RunLine.gone(provider_ref, line_ref, ss_ref, monday, before, gone)
            _in_week(self.by_week, monday).append(line)
        elif submitted is not None and before is NEVER_PAID:
            unpaid = (
                AdjustmentReason.NON_PAYMENT_WEEK
                if line_ref in self.plan.day_care_line_refs
                and self.plan.is_non_payment_week(monday)
                else AdjustmentReason.CANCELLED_UNPAID
            )
            line = RunLine.gone(provider_ref, line_ref, submitted.ss_ref, monday, before, unpaid)
            _in_week(self.by_week, monday).append(line)

    def _register_due(self, line_ref: str, monday: date, day_codes: str, payable: int) -> int:
        """A register's week paid day by day at each day's rate (E15), up to what is payable
        now (the plan may have been cut since the register was submitted)."""
        register_line = register_line_for_week(self.plan.versions_of(line_ref), monday)
        if register_line is None or not register_line.per_day_quarters:
            return 0
        paid_days = [day for day, code in enumerate(day_codes) if code in PAID_CODES]
        payable_days = payable // register_line.per_day_quarters
        return paid_days_amount_pence(register_line, paid_days[:payable_days])


def _in_week(by_week: dict[date, list[RunLine]], monday: date) -> list[RunLine]:
    return by_week.get(monday) or by_week.setdefault(monday, [])


_Span = tuple[date, date, str, int, Fraction, dict[int, int]]
_NO_WEEKS: _Span = (date.max, date.min, "", 0, _ZERO, {})
_WITHHELD, _HELD, _PAID = LineStatus.WITHHELD, LineStatus.HELD, LineStatus.PAID


def _span(first: date, last: date, weekly: WeeklyLine) -> _Span:
    """Weeks with one set of terms, as the run uses them: the amounts for each payable quantity
    are kept as they are worked out (a line is paid the same most weeks)."""
    return first, last, weekly.ss_ref, weekly.planned_quarters, weekly.weekly_rate_pence, {}


def _gone_reason(
    plan: ProviderPlan, line_ref: str, ss_ref: str, weekly_lines: Mapping[str, WeeklyLine]
) -> AdjustmentReason:
    """Why a paid line-week is no longer due: another line for the person now covers the week
    (the plan was replaced, backdated), or the line was cancelled outright."""
    if any(line.ss_ref == ss_ref for line in weekly_lines.values()):
        return AdjustmentReason.BACKDATED
    versions = plan.versions_of(line_ref)
    if versions and all(v.cancelled for v in versions):
        return AdjustmentReason.CANCELLED
    return AdjustmentReason.BACKDATED


def _change_reason(before: PaidBefore, payable: int, rate: Fraction) -> AdjustmentReason:
    """Why a week an earlier run settled is due a different amount now."""
    if rate != before.weekly_rate_pence:
        return AdjustmentReason.RATE
    if payable > before.payable_quarters:
        return AdjustmentReason.APPROVAL  # a hold released (X2 extra, X3 long retainer)
    return AdjustmentReason.CHANGED


def paid_after(lines: Iterable[RunLine]) -> dict[tuple[str, date], PaidBefore]:
    """What an approved run leaves as 'paid before' for the next one."""
    return {
        (line.line_ref, line.week_commencing): PaidBefore(
            line.amount_due_pence, line.weekly_rate_pence, line.payable_quarters, line.ss_ref
        )
        for line in lines
        if line.status is not LineStatus.WITHHELD
    }


EVER = date(1900, 1, 1)  # before any week carepay holds


@dataclass(frozen=True, slots=True)
class OpenWeeks:
    """The weeks of a provider's history a run has to read: those that can still change.

    Every line-week before `settled_before` was settled by an approved run and can only change
    by a write: an upload or confirmation, a care-package import, an approval, non-payment
    weeks. Each such write leaves a mark naming the earliest week it can change; the approval
    that settles a run removes the marks its calculation saw, and no others. So a run reads
    from the earliest of `settled_before` and the marks, and a change made while a run waits
    for approval is read by the next run. Nothing settled yet: everything is read.
    """

    settled_before: date | None = None
    marks: frozenset[str] = frozenset()

    @property
    def first_week(self) -> date:
        marked = [date.fromisoformat(mark[:10]) for mark in self.marks]
        return min([self.settled_before or EVER, *marked])


def change_mark(earliest_week: date, writer: str) -> str:
    """A write's mark: the earliest week it can change, and whose it is (marks are kept as a
    set, so two writes for one week must not leave the same mark)."""
    return f"{week_commencing(earliest_week).isoformat()}#{writer}"


def settled_before(
    actuals: Iterable[LineWeekActuals],
    lines: Iterable[RunLine],
    cutoff: datetime,
    first_week: date,
) -> date:
    """Where the line-weeks this run read (from `first_week`) stop being settled once it is
    approved: at the first week a line is held or withheld, or holds a report not confirmed by
    the cutoff (a paid week reported again and not yet confirmed, which the run passes over);
    with none, after the last week reported. Later weeks change only by a write (its mark)."""
    still_open = [
        line.week_commencing
        for line in lines
        if line.status is LineStatus.HELD or line.status is LineStatus.WITHHELD
    ]
    last_reported, cutoff = first_week - timedelta(weeks=1), cutoff.astimezone(UTC)
    for line_week in actuals:
        confirmed_at = line_week.confirmed_at
        if confirmed_at is None or confirmed_at > cutoff:
            still_open.append(line_week.week_commencing)
        last_reported = max(last_reported, line_week.week_commencing)
    if still_open:
        return min(still_open)
    return last_reported + timedelta(weeks=1)


def approve(
    previous: Mapping[tuple[str, date], PaidBefore], lines: Iterable[RunLine]
) -> dict[tuple[str, date], PaidBefore]:
    """The ledger after approving a run: its lines become what was paid before."""
    return {**previous, **paid_after(lines)}


@dataclass(frozen=True, slots=True)
class PaymentPreview:
    """What confirming a week now would pay, line by line, as the next run would calculate it."""

    week_commencing: date
    lines: list[RunLine]
    message: str  # why nothing can be previewed (the week has not ended…), or what happens next

    @property
    def total_pence(self) -> int:
        return sum(line.net_pence for line in self.lines)


def preview_week(
    plan: ProviderPlan,
    confirmed_now: Iterable[LineWeekActuals],
    paid_before: Mapping[tuple[str, date], PaidBefore],
    approvals: Approvals,
    now: datetime,
    refusal: str = "",
    already_confirmed: Iterable[LineWeekActuals] = (),
) -> PaymentPreview:
    """The run's own calculation over the week's actuals as if confirmed in time for the next
    run (`confirmed_now` comes from confirm_week, so lines with nothing uploaded are as planned;
    `already_confirmed` are the lines confirmed before)."""
    to_confirm, confirmed = list(confirmed_now), list(already_confirmed)
    actuals = to_confirm + confirmed
    monday = actuals[0].week_commencing if actuals else date.min
    if refusal or not actuals:
        return PaymentPreview(monday, [], refusal or "Nothing to confirm for this week.")
    in_time = deadline_before(now)
    lines = calculate_provider(
        plan,
        [replace(a, confirmed_at=in_time, late_confirmation=False) for a in actuals],
        {key: paid for key, paid in paid_before.items() if key[1] == monday},
        approvals,
        now,
    )
    message = _what_happens_next(monday, now, bool(to_confirm))
    held = sum(1 for line in lines if line.status is LineStatus.HELD)
    if held:
        message += f" {held} line(s) are held until the council approves them."
    return PaymentPreview(monday, lines, message)


def _what_happens_next(monday: date, now: datetime, something_to_confirm: bool) -> str:
    deadline = confirmation_deadline(monday)
    if not something_to_confirm:
        return "This week is already confirmed: these are the amounts its run pays."
    if now > deadline:
        return (
            f"The deadline, {deadline:%H:%M on %A %d/%m/%Y}, has passed: confirmed now, the week "
            "is paid by the next run (marked late)."
        )
    return f"Confirm by {deadline:%H:%M on %A %d/%m/%Y} to be paid by the run after that deadline."
