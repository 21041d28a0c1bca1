"""Working days in England and Wales, for payment dates: BACS moves money only on them.

Pure: the closed days (bank holidays, the council's own closures) are given; weekends are
always closed. BACS's three-day cycle: the file is sent on an input day, processed on the next
working day, and the money reaches the provider on the working day after that.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkingDays:
    # Any container answers "is this day a bank holiday?": a calendar of every year, or a set.
    bank_holidays: Container[date] = frozenset()
    closures: frozenset[date] = field(default_factory=frozenset)  # the council's own

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays and day not in self.closures

    def on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def after(self, day: date) -> date:
        """The first working day after `day`."""
        return self.on_or_after(day + ONE_DAY)

    def before(self, day: date) -> date:
        """The last working day before `day`."""
        day -= ONE_DAY
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day


@dataclass(frozen=True)
class PaymentDates:
    """When a run's money is processed by BACS and when it reaches providers."""

    processing_day: date
    payment_date: date


def planned_payment(run_day: date, working_days: WorkingDays) -> PaymentDates:
    """A run pays on the Friday after it, or the first working day after that Friday when it is
    a bank holiday or a closure day; BACS processes it the working day before."""
    friday = run_day + timedelta(days=(4 - run_day.weekday()) % 7 or 7)
    paid = working_days.on_or_after(friday)
    return PaymentDates(working_days.before(paid), paid)


def payment_at_approval(
    planned: PaymentDates, approved_on: date, working_days: WorkingDays
) -> PaymentDates:
    """The dates a run approved on `approved_on` can still keep: its file goes in that day (or
    the next working day), so BACS processes it the working day after at the earliest. Approved
    too late for its planned day, its payment moves to the first day it can be made."""
    earliest = working_days.after(working_days.on_or_after(approved_on))
    if planned.processing_day >= earliest:
        return planned
    return PaymentDates(earliest, working_days.after(earliest))
