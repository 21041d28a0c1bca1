"""Care-monitoring flags F1–F4: raised once per episode, with the weeks that raised it, and
never anything to do with payment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.flags import (
    Flag,
    LineHistory,
    LineWeekSeen,
    flags_for,
    line_week_seen,
    provider_flags,
)
from carepay.domain.service_lines import ProviderPlan, ServiceLineVersion, ServiceType, Unit

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


def register_week(n: int, codes: str) -> LineWeekActuals:
    return LineWeekActuals(
        "P400", "L401", "SS400", REGISTER_START + timedelta(weeks=n), 12, 12,
        confirmed_at=datetime(2026, 1, 1, tzinfo=UTC), day_codes=codes,
    )  # fmt: skip


REGISTER_START = date(2025, 1, 6)
DAY_CENTRE = ProviderPlan(
    "P400",
    [
        ServiceLineVersion(
            provider_ref="P400", line_ref="L401", ss_ref="SS400",
            service_type=ServiceType.DAY_CARE, service_level="AM Session", unit=Unit.SESSION,
            planned_quantity=Decimal(3), unit_rate=Decimal(30), start_date=date(2024, 12, 2),
            days=(0, 2, 4),
        )
    ],
)  # fmt: skip


def test_a_register_attended_under_70_percent_over_13_weeks_raises_one_review_referral() -> None:
    # Two of three sessions a week (67 %) from the start: F2 when the 13th week is confirmed.
    line_weeks = [register_week(n, "A.A.N..") for n in range(20)]
    f2 = [f for f in provider_flags(DAY_CENTRE, line_weeks) if f.code == "F2"]
    assert [(f.raised_for - REGISTER_START).days // 7 for f in f2] == [12]
    assert f2[0].seen == "attended 26 of 39 planned sessions over 13 weeks (67%)"


def test_a_register_week_shows_the_flags_its_days() -> None:
    seen = line_week_seen(register_week(0, "W.N.X.."), (0, 2, 4))
    assert seen.short_notice and not seen.delivered and not seen.absence_planned
    assert seen.missed_weekdays == frozenset({0, 2, 4}) and seen.attended_days == 0
    away = line_week_seen(register_week(1, "N.N.N.."), (0, 2, 4))
    assert away.absence_planned  # absent all week with notice: a planned absence (F3 after 4)
    swapped = line_week_seen(register_week(2, "A..AA.."), (0, 2, 4))
    assert swapped.missed_weekdays == frozenset({2}) and swapped.attended_days == 3


def test_weekly_actuals_show_short_notice_and_planned_absence_from_the_missed_reason() -> None:
    short = LineWeekActuals("P1", "L1", "SS1", FIRST, 8, 8, missed_reason="Short notice / refused")
    assert line_week_seen(short).short_notice and line_week_seen(short).delivered
    away = LineWeekActuals("P1", "L1", "SS1", FIRST, 8, 0, missed_quarters=8,
                           missed_reason="Notice given")  # fmt: skip
    assert not line_week_seen(away).delivered and line_week_seen(away).absence_planned
