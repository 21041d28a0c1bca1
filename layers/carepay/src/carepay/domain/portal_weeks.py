"""A provider's weeks as the portal shows them: each week's status, and the financial year's
progress bar (the day-care guide's: confirmed green, in progress amber, the weeks still to come).

Confirming and paying only ever add: a line-week once confirmed or paid stays so (an upload for
it is refused, V7, and nothing takes a confirmation or a payment back). So a week confirmed
stays confirmed while the plan gives it the same lines, and the weeks of a year confirmed so far
(ConfirmedWeeks) need not be read again: the portal's reads grow with the weeks still open, not
with the weeks gone by.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from carepay.domain.actuals import StoredLineWeek
from carepay.domain.service_lines import ProviderPlan
from carepay.domain.weeks import confirmation_deadline, week_has_ended, weeks_of_year


class WeekStatus(StrEnum):
    CONFIRMED = "Confirmed"  # every planned line confirmed (or paid): locked
    IN_PROGRESS = "In progress"  # ended, to be confirmed by Tuesday 17:00
    LATE = "Late"  # the deadline passed unconfirmed: paid by the run after it is confirmed
    NOT_YET_DUE = "Not yet due"  # the week has not ended
    NOTHING_PLANNED = "Nothing planned"  # no service line in force: nothing to claim
    NON_PAYMENT = "Non-payment week"  # a day centre's: no register, nothing paid
    BEFORE_CAREPAY = "Claimed before carepay"  # before the council's first week on carepay


@dataclass(frozen=True)
class WeekSummary:
    week_commencing: date
    status: WeekStatus
    planned_lines: int


@dataclass(frozen=True)
class YearProgress:
    """A financial year's weeks with something planned, counted by status."""

    year: int  # the calendar year in which it began (1 April)
    weeks: list[WeekSummary]

    def count(self, status: WeekStatus) -> int:
        return Counter(week.status for week in self.weeks)[status]

    def confirmed_before(self) -> date:
        """The first week not confirmed; with none, the week after the last one listed."""
        for week in self.weeks:
            if week.status is not WeekStatus.CONFIRMED:
                return week.week_commencing
        return self.weeks[-1].week_commencing + timedelta(weeks=1) if self.weeks else date.min


@dataclass(frozen=True, slots=True)
class ConfirmedWeeks:
    """Every week of a financial year before `before` with something planned was confirmed (or
    paid) when the plan gave those weeks the lines `stamp` stands for (planned_lines_stamp)."""

    before: date
    stamp: str


def planned_lines_stamp(
    plan: ProviderPlan, year: int, before: date, first_week: date | None = None
) -> str:
    """What the plan gives the year's weeks before `before`: each week's lines, and where the
    council's first week on carepay falls. Equal stamps, equal weeks to confirm."""
    digest = hashlib.sha256(f"{first_week}".encode())
    for monday in weeks_of_year(year):
        if monday >= before:
            break
        digest.update(f"|{monday}:".encode())
        digest.update(",".join(sorted(plan.lines_for_week(monday))).encode())
    return digest.hexdigest()


def week_status(
    plan: ProviderPlan,
    monday: date,
    stored: Mapping[tuple[str, date], StoredLineWeek],
    now: datetime,
    first_week: date | None = None,
) -> WeekStatus:
    """`first_week`: the council's first week claimed through carepay (earlier weeks were
    claimed and paid the old way, so they are never late here)."""
    if first_week is not None and monday < first_week:
        return WeekStatus.BEFORE_CAREPAY
    line_refs = plan.lines_for_week(monday)
    if not line_refs:
        non_payment = plan.has_day_care and plan.is_non_payment_week(monday)
        return WeekStatus.NON_PAYMENT if non_payment else WeekStatus.NOTHING_PLANNED
    if not week_has_ended(monday, now):
        return WeekStatus.NOT_YET_DUE
    reported = (stored.get((line_ref, monday), StoredLineWeek()) for line_ref in line_refs)
    # Paid counts as confirmed: it cannot change any more.
    if all(line_week.confirmed or line_week.paid for line_week in reported):
        return WeekStatus.CONFIRMED
    return WeekStatus.LATE if now > confirmation_deadline(monday) else WeekStatus.IN_PROGRESS


def year_progress(
    plan: ProviderPlan,
    year: int,
    stored: Mapping[tuple[str, date], StoredLineWeek],
    now: datetime,
    first_week: date | None = None,
    confirmed_before: date = date.min,
) -> YearProgress:
    """Every week of the year with something planned, from the first claimed through carepay,
    and its status (`stored` covers the year from `confirmed_before`: the weeks before it are
    known to be confirmed, see ConfirmedWeeks)."""
    weeks = [
        WeekSummary(
            monday,
            WeekStatus.CONFIRMED
            if monday < confirmed_before
            else week_status(plan, monday, stored, now),
            len(lines),
        )
        for monday in weeks_of_year(year)
        if (lines := plan.lines_for_week(monday)) and (first_week is None or monday >= first_week)
    ]
    return YearProgress(year, weeks)
