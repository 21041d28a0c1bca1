"""Every write a payment run's calculation depends on leaves a mark from the earliest week it can
change (carepay.domain.payment_run.OpenWeeks), and an approved payment removes only the marks
its calculation saw: what a run does not read again cannot have changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from carepay.adapters.dynamodb.stores import PaymentStore, SubmissionStore
from carepay.domain.actuals import LineWeekActuals
from carepay.domain.approvals import ExtraApproval, FrustratedApproval
from carepay.domain.payment_run import EVER, LineStatus, OpenWeeks, RunLine, settled_before
from carepay.domain.service_lines import ServiceLineVersion, ServiceType, Unit
from carepay.domain.weeks import first_week_of_year
from carepay.ports.errors import ConcurrentChange

WEEK = date(2026, 11, 9)


def marked_from(payments: PaymentStore) -> date:
    """The earliest week the provider's marks say a run must read again from."""
    marks = payments.open_weeks("P001").marks
    return OpenWeeks(date.max, marks).first_week


def reported(week: date) -> LineWeekActuals:
    return LineWeekActuals("P001", "L1001", "SS1001", week, 20, 16, upload_id="u1")


def test_nothing_settled_yet_means_everything_is_read(payments: PaymentStore) -> None:
    assert payments.open_weeks("P001") == OpenWeeks()
    assert payments.open_weeks("P001").first_week == EVER


def test_an_upload_marks_the_earliest_week_it_reports_and_a_refused_one_marks_nothing(
    submissions: SubmissionStore, payments: PaymentStore
) -> None:
    later = date(2026, 11, 16)
    submissions.save_submission("P001", "u1", [reported(later), reported(WEEK)], {}, 0)
    assert marked_from(payments) == WEEK
    with pytest.raises(ConcurrentChange):
        submissions.save_submission("P001", "u2", [reported(date(2026, 4, 6))], {}, 0)
    assert marked_from(payments) == WEEK  # the refused upload changed nothing
    assert len(payments.open_weeks("P001").marks) == 1


def test_a_care_package_change_marks_the_week_its_earliest_version_starts_in(
    payments: PaymentStore,
) -> None:
    versions = [
        ServiceLineVersion(
            provider_ref="P001",
            line_ref=line_ref,
            ss_ref="SS1001",
            service_type=ServiceType.HOME_SUPPORT,
            service_level="Single-handed",
            unit=Unit.HOUR,
            planned_quantity=Decimal(5),
            unit_rate=Decimal("20.00"),
            start_date=start,
        )
        for line_ref, start in [("L1001", date(2026, 9, 2)), ("L1002", date(2026, 6, 3))]
    ]
    payments.plans.save_care_packages("import-1", versions, {})
    assert marked_from(payments) == date(2026, 6, 1)  # the Monday of Wednesday 3 June


def test_approvals_mark_the_week_they_release(payments: PaymentStore) -> None:
    payments.plans.save_approval("P001", ExtraApproval("L1001", WEEK, 4))
    assert marked_from(payments) == WEEK
    payments.plans.save_approval("P001", FrustratedApproval("L1001", date(2026, 8, 5)))
    assert marked_from(payments) == date(2026, 8, 3)


def test_non_payment_weeks_mark_the_first_week_of_their_financial_year(
    payments: PaymentStore,
) -> None:
    weeks = (date(2026, 12, 21), date(2026, 12, 28))
    payments.plans.save_non_payment_weeks({("P001", 2026): weeks}, "import-1")
    assert marked_from(payments) == first_week_of_year(2026)


def test_a_payment_settles_what_its_run_read_and_keeps_the_marks_it_did_not_see(
    submissions: SubmissionStore, payments: PaymentStore
) -> None:
    submissions.save_submission("P001", "u1", [reported(WEEK)], {}, 0)
    seen = payments.open_weeks("P001")  # the run's calculation reads this…
    submissions.save_submission("P001", "u2", [reported(date(2026, 4, 6))], {}, 1)  # …then this
    settled = OpenWeeks(date(2026, 11, 16), seen.marks)
    assert payments.save_payment("P001", "R20261118-0600", [], 0, settled)
    after = payments.open_weeks("P001")
    assert after.settled_before == date(2026, 11, 16) and after.first_week == date(2026, 4, 6)
    assert not payments.save_payment("P001", "R20261118-0600", [], 0, OpenWeeks(WEEK))
    assert payments.open_weeks("P001") == after  # redelivered: nothing settled twice


def test_a_run_leaves_open_the_first_week_held_withheld_or_not_confirmed_in_time() -> None:
    cutoff = datetime(2026, 11, 17, 17, tzinfo=UTC)
    in_time, late = cutoff.replace(hour=9), cutoff.replace(day=18)
    confirmed = [reported(WEEK), reported(date(2026, 11, 2))]
    for line_week in confirmed:
        line_week.confirmed_at = in_time
    assert settled_before(confirmed, [], cutoff, date(2026, 10, 5)) == date(2026, 11, 16)
    assert settled_before([], [], cutoff, date(2026, 10, 5)) == date(2026, 10, 5)
    unconfirmed = reported(date(2026, 10, 26))
    assert settled_before([*confirmed, unconfirmed], [], cutoff, EVER) == date(2026, 10, 26)
    unconfirmed.confirmed_at = late  # a paid week reported again: the run passes over it
    assert settled_before([*confirmed, unconfirmed], [], cutoff, EVER) == date(2026, 10, 26)
    for status in (LineStatus.HELD, LineStatus.WITHHELD):
        line = RunLine("P001", "L1002", "SS1002", date(2026, 10, 19), 20, 24, 0, 0, 0,
                       Fraction(2000), 0, 0, status)  # fmt: skip
        assert settled_before(confirmed, [line], cutoff, EVER) == date(2026, 10, 19)
