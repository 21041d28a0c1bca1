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


def financial_year_week(monday: date) -> tuple[int, int]:
    """(financial year, week number): week 1 is the week that contains 1 April.

    A week that contains 1 April belongs to the new year, so the Monday can fall in March.
    """
    year = financial_year_start(week_ending(monday))
    first_monday = week_commencing(date(year, 4, 1))
    return year, (monday - first_monday).days // 7 + 1
