"""Weeks as the council counts them: Monday to Sunday, named by the Monday, in Europe/London."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
CONFIRMATION_DEADLINE = time(17, 0)


def week_commencing(day: date) -> date:
    """The Monday of the week that contains `day`."""
    return day - timedelta(days=day.weekday())


def week_ending(monday: date) -> date:
    return monday + timedelta(days=6)


def days_of_week(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(7)]


def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def week_has_ended(monday: date, now: datetime) -> bool:
    """V4: actuals are entered only once the week's Sunday has passed in Europe/London."""
    return london_date(now) > week_ending(monday)


def confirmation_deadline(monday: date) -> datetime:
    """Close of business (17:00 London) on the Tuesday after the week ends (E12)."""
    tuesday = monday + timedelta(days=8)
    return datetime.combine(tuesday, CONFIRMATION_DEADLINE, tzinfo=LONDON)


def is_late_confirmation(monday: date, confirmed_at: datetime) -> bool:
    return confirmed_at > confirmation_deadline(monday)


def financial_year_start(day: date) -> int:
    """The calendar year in which the financial year containing `day` began (1 April)."""
    return day.year if day >= date(day.year, 4, 1) else day.year - 1


def first_week_of_year(year: int) -> date:
    """The Monday of week 1 of a financial year: the week that contains 1 April."""
    return week_commencing(date(year, 4, 1))


def weeks_of_year(year: int) -> list[date]:
    """Every Monday of the financial year (52 weeks, or 53)."""
    first, next_first = first_week_of_year(year), first_week_of_year(year + 1)
    return [first + timedelta(weeks=n) for n in range((next_first - first).days // 7)]


def christmas_weeks(year: int) -> tuple[date, date]:
    """A day-care provider's non-payment weeks when it nominates none: the weeks containing
    25 December and the 1 January after it (always the week after: seven days apart)."""
    return week_commencing(date(year, 12, 25)), week_commencing(date(year + 1, 1, 1))


def financial_year_week(monday: date) -> tuple[int, int]:
    """(financial year, week number): week 1 is the week that contains 1 April.

    A week that contains 1 April belongs to the new year, so the Monday can fall in March.
    """
    year = financial_year_start(week_ending(monday))
    return year, (monday - first_week_of_year(year)).days // 7 + 1


def financial_year_label(year: int) -> str:
    """As councils write it: 2026-27."""
    return f"{year}-{(year + 1) % 100:02d}"


def parse_financial_year(text: str) -> int:
    """`2025-26` (or `2025/26`, or `2025`): the calendar year in which it begins."""
    cleaned = text.strip().replace("/", "-")
    first, _, second = cleaned.partition("-")
    if not first.isdigit() or len(first) != 4:
        raise ValueError(f"Financial Year {text!r} is not like 2025-26")
    year = int(first)
    if second and (not second.isdigit() or int(second) % 100 != (year + 1) % 100):
        raise ValueError(f"Financial Year {text!r} is not like {financial_year_label(year)}")
    return year
