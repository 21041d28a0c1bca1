"""A provider's financial year of weeks as the portal counts them, read from the first week not
yet confirmed rather than from the year's start (carepay.domain.portal_weeks.ConfirmedWeeks): a
provider that confirms its weeks has only the last of them read, however late in the year."""

from __future__ import annotations

from datetime import date, datetime

from carepay.domain.portal_weeks import (
    ConfirmedWeeks,
    YearProgress,
    planned_lines_stamp,
    year_progress,
)
from carepay.domain.service_lines import ProviderPlan
from carepay.domain.weeks import weeks_of_year
from carepay.ports.stores import PortalStore


def read_year_progress(
    store: PortalStore, provider_ref: str, year: int, now: datetime, first_week: date | None
) -> tuple[ProviderPlan, YearProgress]:
    """The plan, and the year's weeks with their statuses; what was found confirmed is kept for
    the next view. Weeks kept as confirmed are read again when the plan gives them other lines."""
    plan = store.provider_plan(provider_ref)
    weeks = weeks_of_year(year)
    read_from = weeks[0]
    known = store.confirmed_weeks(provider_ref, year)
    if known is not None and known.stamp == planned_lines_stamp(
        plan, year, known.before, first_week
    ):
        read_from = max(read_from, known.before)
    stored = (
        store.stored_line_weeks(provider_ref, read_from, weeks[-1])
        if read_from <= weeks[-1]
        else {}
    )
    progress = year_progress(plan, year, stored, now, first_week, confirmed_before=read_from)
    reached = progress.confirmed_before()
    if reached > read_from:
        stamp = planned_lines_stamp(plan, year, reached, first_week)
        store.save_confirmed_weeks(provider_ref, year, ConfirmedWeeks(reached, stamp))
    return plan, progress
