"""The portal's week statuses and the year's progress bar, as the day-care guide shows them."""

from __future__ import annotations

from datetime import date, datetime

from carepay.domain.actuals import LineWeekActuals, StoredLineWeek
from carepay.domain.portal_weeks import (
    WeekStatus,
    planned_lines_stamp,
    week_status,
    year_progress,
)
from carepay.domain.weeks import LONDON, financial_year_label, weeks_of_year
from tests.domain.builders import PROVIDER, WEEK, line_version, plan_of
from tests.spreadsheets.test_register_workbook import E15_PLAN

TUESDAY = date(2023, 1, 17)  # the deadline day of WEEK (w/c 9 January 2023)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def confirmed(line_ref: str = "L1", monday: date = WEEK) -> StoredLineWeek:
    actuals = LineWeekActuals(PROVIDER, line_ref, "SS100", monday, 20, 20)
    return StoredLineWeek(actuals.confirm(at(TUESDAY, 9)))


def test_a_week_is_not_yet_due_until_its_sunday_has_passed() -> None:
    assert week_status(plan_of(), WEEK, {}, at(date(2023, 1, 15), 23, 59)) == WeekStatus.NOT_YET_DUE
    assert week_status(plan_of(), WEEK, {}, at(date(2023, 1, 16), 0, 1)) == WeekStatus.IN_PROGRESS


def test_an_unconfirmed_week_is_in_progress_until_tuesday_at_five_then_late() -> None:
    assert week_status(plan_of(), WEEK, {}, at(TUESDAY, 16, 59)) == WeekStatus.IN_PROGRESS
    assert week_status(plan_of(), WEEK, {}, at(TUESDAY, 17, 1)) == WeekStatus.LATE


def test_a_week_is_confirmed_only_when_every_planned_line_is_confirmed_or_paid() -> None:
    plan = plan_of(line_version("L1", "SS100"), line_version("L2", "SS200"))
    one = {("L1", WEEK): confirmed("L1")}
    assert week_status(plan, WEEK, one, at(TUESDAY, 12)) == WeekStatus.IN_PROGRESS
    both = one | {("L2", WEEK): StoredLineWeek(paid=True)}
    assert week_status(plan, WEEK, both, at(TUESDAY, 18)) == WeekStatus.CONFIRMED


def test_a_week_with_no_line_in_force_has_nothing_to_claim() -> None:
    plan = plan_of(line_version(start=date(2023, 2, 1)))
    assert week_status(plan, WEEK, {}, at(TUESDAY, 12)) == WeekStatus.NOTHING_PLANNED


def test_a_day_centres_non_payment_week_says_so_and_is_not_counted_as_a_register_to_come() -> None:
    christmas = date(2025, 12, 22)
    assert week_status(E15_PLAN, christmas, {}, at(date(2026, 1, 5), 9)) == WeekStatus.NON_PAYMENT
    progress = year_progress(E15_PLAN, 2025, {}, at(date(2026, 1, 5), 9))
    assert christmas not in [week.week_commencing for week in progress.weeks]
    assert len(progress.weeks) == len(weeks_of_year(2025)) - 2  # 50 registers a year


def test_the_years_progress_counts_only_weeks_with_something_planned() -> None:
    plan = plan_of(line_version(start=date(2022, 12, 26)))  # from w/c 26 December 2022
    stored = {("L1", date(2022, 12, 26)): confirmed("L1", date(2022, 12, 26))}
    progress = year_progress(plan, 2022, stored, at(TUESDAY, 12))
    counts = [progress.count(status) for status in WeekStatus]
    # confirmed, in progress, late, not yet due, nothing planned, non-payment, before carepay
    assert counts == [1, 1, 1, 10, 0, 0, 0]  # w/c 16 January to 20 March still to come
    assert len(progress.weeks) == 13 and progress.weeks[0].week_commencing == date(2022, 12, 26)


def test_the_financial_year_has_the_weeks_from_the_one_containing_1_april() -> None:
    weeks = weeks_of_year(2026)
    assert weeks[0] == date(2026, 3, 30) and weeks[-1] == date(2027, 3, 22)
    assert len(weeks) == 52 and financial_year_label(2026) == "2026-27"


def test_weeks_before_the_first_week_on_carepay_are_neither_late_nor_counted() -> None:
    first = date(2023, 1, 9)
    before = week_status(plan_of(), date(2023, 1, 2), {}, at(TUESDAY, 18), first)
    assert before == WeekStatus.BEFORE_CAREPAY
    progress = year_progress(plan_of(), 2022, {}, at(TUESDAY, 18), first)
    assert progress.weeks[0].week_commencing == first and progress.count(WeekStatus.LATE) == 1


def test_weeks_before_those_found_confirmed_count_as_confirmed_without_being_read_again() -> None:
    plan = plan_of(line_version(start=date(2022, 12, 26)))
    stored = {("L1", WEEK): confirmed("L1", WEEK)}  # only w/c 9 January read: from there on
    progress = year_progress(plan, 2022, stored, at(TUESDAY, 12), confirmed_before=WEEK)
    assert [week.status for week in progress.weeks[:4]] == [
        WeekStatus.CONFIRMED,  # w/c 26 December, found confirmed before
        WeekStatus.CONFIRMED,  # w/c 2 January, likewise
        WeekStatus.CONFIRMED,  # w/c 9 January, as read
        WeekStatus.NOT_YET_DUE,  # w/c 16 January: not over yet
    ]
    assert progress.confirmed_before() == date(2023, 1, 16)


def test_the_weeks_found_confirmed_stop_at_the_first_week_still_to_confirm_or_to_come() -> None:
    plan = plan_of(line_version(start=date(2023, 3, 20)))  # the year's last week alone
    nothing_yet = year_progress(plan, 2022, {}, at(date(2023, 3, 1), 12))
    assert nothing_yet.confirmed_before() == date(2023, 3, 20)  # not yet due
    every_one = {("L1", monday): confirmed("L1", monday) for monday in weeks_of_year(2022)}
    all_confirmed = year_progress(plan, 2022, every_one, at(date(2023, 4, 5), 12))
    assert all_confirmed.confirmed_before() == date(2023, 3, 27)  # the week after it
    assert year_progress(plan_of(), 2010, {}, at(TUESDAY, 12)).confirmed_before() == date.min


def test_the_stamp_of_the_weeks_found_confirmed_changes_only_with_their_lines() -> None:
    plan = plan_of(line_version("L1"), line_version("L2", "SS200", start=date(2023, 1, 16)))
    stamp = planned_lines_stamp(plan, 2022, WEEK)
    uplift = line_version("L1", rate="25.00", start=date(2022, 12, 1))
    assert planned_lines_stamp(plan_of(line_version("L1"), uplift), 2022, WEEK) == stamp
    earlier = line_version("L2", "SS200", start=date(2023, 1, 2))  # L2 from w/c 2 January now
    assert planned_lines_stamp(plan_of(line_version("L1"), earlier), 2022, WEEK) != stamp
    assert planned_lines_stamp(plan, 2022, WEEK, first_week=date(2023, 1, 2)) != stamp
