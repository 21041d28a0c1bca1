"""Care-monitoring flags F1–F4: raised once per episode, with the weeks that raised it, and
never anything to do with payment."""

from __future__ import annotations

from datetime import date, timedelta

from carepay.domain.flags import Flag, LineHistory, LineWeekSeen, flags_for

FIRST = date(2026, 1, 5)


def weeks(*seen: LineWeekSeen) -> LineHistory:
    return LineHistory("L1", "SS100", list(seen))


def week(n: int, **what: object) -> LineWeekSeen:
    return LineWeekSeen(FIRST + timedelta(weeks=n), **what)  # type: ignore[arg-type]


def codes(flags: list[Flag]) -> list[tuple[str, int]]:
    return [(f.code, (f.raised_for - FIRST).days // 7) for f in flags]


def test_f1_three_weeks_of_short_notice_cancellations_raise_one_package_review() -> None:
    history = weeks(*(week(n, short_notice=True) for n in range(5)), week(5))
    (flag,) = flags_for(history)
    assert (flag.code, flag.action, len(flag.weeks)) == ("F1", "package review", 3)
    assert flag.raised_for == FIRST + timedelta(weeks=2)  # the third week, not again after


def test_f1_a_week_without_one_ends_the_episode_and_a_new_run_raises_again() -> None:
    runs = [*range(3), *range(4, 7)]
    history = weeks(*(week(n, short_notice=n in runs) for n in range(7)))
    assert codes(flags_for(history)) == [("F1", 2), ("F1", 6)]


def test_f1_needs_consecutive_weeks_a_week_with_nothing_confirmed_breaks_the_run() -> None:
    history = weeks(
        week(0, short_notice=True), week(1, short_notice=True), week(3, short_notice=True)
    )
    assert flags_for(history) == []


def test_f3_no_service_beyond_2_weeks_unplanned_or_4_weeks_with_notice() -> None:
    unplanned = weeks(*(week(n, delivered=False) for n in range(3)))
    assert codes(flags_for(unplanned)) == [("F3", 2)]
    with_notice = weeks(*(week(n, delivered=False, absence_planned=True) for n in range(5)))
    (flag,) = flags_for(with_notice)
    assert flag.raised_for == FIRST + timedelta(weeks=4) and "(notice given)" in flag.seen
    four_on_holiday = weeks(*(week(n, delivered=False, absence_planned=True) for n in range(4)))
    assert flags_for(four_on_holiday) == []


def test_f4_the_same_weekday_missed_4_weeks_running_is_a_pattern_of_absence() -> None:
    history = weeks(*(week(n, missed_weekdays=frozenset({2})) for n in range(4)))
    (flag,) = flags_for(history)
    assert (flag.code, flag.seen, flag.action) == (
        "F4",
        "Wed missed 4 weeks running",
        "pattern of absence",
    )


def test_f2_day_care_attendance_below_70_percent_over_13_weeks_is_referred_once() -> None:
    good = [week(n, planned_days=3, attended_days=3) for n in range(13)]
    poor = [week(n, planned_days=3, attended_days=1) for n in range(13, 20)]
    (flag,) = flags_for(weeks(*good, *poor))
    assert flag.code == "F2" and len(flag.weeks) == 13
    assert flag.raised_for == FIRST + timedelta(weeks=18)  # 27 of 39 sessions: 69 %
    assert "attended 27 of 39 planned sessions" in flag.seen
