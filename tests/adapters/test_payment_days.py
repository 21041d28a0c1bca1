"""Payment dates on working days in England and Wales: around Christmas, Easter and a weekend,
with the council's closure days, and a run approved too late for its planned day."""

from __future__ import annotations

from datetime import date

import pytest

from carepay.adapters.calendar import closure_days, england_and_wales
from carepay.domain.working_days import PaymentDates, payment_at_approval, planned_payment

ENGLAND = england_and_wales()


@pytest.mark.parametrize(
    ("run_day", "processing_day", "payment_date"),
    [
        (date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)),  # an ordinary Wednesday
        (date(2026, 12, 23), date(2026, 12, 24), date(2026, 12, 29)),  # Christmas, Boxing Day moved
        (date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Day, a Friday
        (date(2027, 3, 24), date(2027, 3, 25), date(2027, 3, 30)),  # Good Friday, Easter Monday
        (date(2027, 3, 31), date(2027, 4, 1), date(2027, 4, 2)),  # the week after Easter
        (date(2026, 11, 21), date(2026, 11, 26), date(2026, 11, 27)),  # a Saturday run: next Friday
    ],
)
def test_a_run_pays_on_the_friday_after_it_or_the_next_working_day_processed_the_day_before(
    run_day: date, processing_day: date, payment_date: date
) -> None:
    assert planned_payment(run_day, ENGLAND) == PaymentDates(processing_day, payment_date)


def test_a_council_closure_day_is_not_a_working_day_either() -> None:
    closed = england_and_wales(closure_days("2026-11-20, 2026-11-23"))
    assert planned_payment(date(2026, 11, 18), closed) == PaymentDates(
        date(2026, 11, 19), date(2026, 11, 24)
    )


def test_approved_in_time_a_run_keeps_its_dates_and_approved_late_its_payment_moves() -> None:
    planned = planned_payment(date(2026, 11, 18), ENGLAND)  # processed Thu 19, paid Fri 20
    assert payment_at_approval(planned, date(2026, 11, 18), ENGLAND) == planned
    late = payment_at_approval(planned, date(2026, 11, 19), ENGLAND)
    assert late == PaymentDates(date(2026, 11, 20), date(2026, 11, 23))  # Friday, then Monday
    christmas_eve = payment_at_approval(
        planned_payment(date(2026, 12, 23), ENGLAND), date(2026, 12, 24), ENGLAND
    )
    assert christmas_eve == PaymentDates(date(2026, 12, 29), date(2026, 12, 30))
