"""Bank holidays in England and Wales from the `holidays` package (maintained, computed offline
for any year asked, substitute days included), with the council's own closure days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from carepay.domain.working_days import WorkingDays


def england_and_wales(closures: Iterable[date] = ()) -> WorkingDays:
    from holidays.countries.united_kingdom import UnitedKingdom

    # expand: each year's holidays are worked out the first time a day of it is asked about
    calendar = UnitedKingdom(subdiv="ENG", expand=True)  # type: ignore[no-untyped-call]
    return WorkingDays(calendar, frozenset(closures))


def closure_days(text: str) -> list[date]:
    """The CouncilClosureDays parameter: ISO dates separated by commas or spaces."""
    return [date.fromisoformat(day) for day in text.replace(",", " ").split()]
