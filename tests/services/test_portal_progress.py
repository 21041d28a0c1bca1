"""The portal counts a provider's weeks reading only those not yet found confirmed
(carepay.services.portal_progress), and shows what reading the whole year would: on random
histories of uploads, late and missing confirmations, care-package changes and payment runs;
and what a view reads stays the size of the weeks still open, however late in the year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from carepay.adapters.dynamodb.table import Item, Table
from carepay.domain.portal_weeks import WeekStatus, YearProgress, year_progress
from carepay.domain.weeks import weeks_of_year
from carepay.services.portal_progress import read_year_progress
from tests.services.conftest import Council
from tests.services.test_open_weeks import History, a_week_of_changes, in_time, wednesday

YEAR = 2026
FIRST_MONDAY = weeks_of_year(YEAR)[0]  # 30 March 2026: the week of 1 April
EVERY_LINE = [f"L{n}" for n in range(1001, 1013)]  # P001's, from the week of 1 April


class LockedHistory(History):
    """A history as uploads can make it: a line-week confirmed or paid is not reported again
    (V7 refuses it), so what the portal found confirmed stays so."""

    def report(
        self,
        week: date,
        confirmed_at: datetime | None,
        line_refs: list[str] | None = None,
        most: int = 20,
    ) -> None:
        chosen = line_refs or self.some_lines()
        stored = self.payments.stored_line_weeks("P001", week, week)
        still_open = [
            line_ref
            for line_ref in chosen
            if not ((state := stored.get((line_ref, week))) and (state.confirmed or state.paid))
        ]
        if still_open:
            super().report(week, confirmed_at, still_open, most)


def as_the_portal_reads(history: History, now: datetime) -> list[tuple[date, WeekStatus]]:
    _, progress = read_year_progress(history.payments, "P001", YEAR, now, None)
    return _statuses(progress)


def as_the_whole_year_reads(history: History, now: datetime) -> list[tuple[date, WeekStatus]]:
    weeks = weeks_of_year(YEAR)
    stored = history.payments.stored_line_weeks("P001", weeks[0], weeks[-1])
    plan = history.payments.provider_plan("P001")
    return _statuses(year_progress(plan, YEAR, stored, now))


def _statuses(progress: YearProgress) -> list[tuple[date, WeekStatus]]:
    return [(week.week_commencing, week.status) for week in progress.weeks]


@pytest.mark.parametrize("seed", [3, 8])
def test_the_portal_reading_from_the_first_week_not_confirmed_shows_what_the_whole_year_would(
    council: Council, seed: int
) -> None:
    history = LockedHistory(council, seed)
    held: list[Any] = []
    for weeks_so_far in range(8):
        monday = FIRST_MONDAY + timedelta(weeks=weeks_so_far)
        a_week_of_changes(history, monday, weeks_so_far, held)
        if not weeks_so_far or history.random.random() < 0.5:  # every line, confirmed in time
            history.report(monday, in_time(monday), EVERY_LINE)
        for now in (in_time(monday), wednesday(monday) + timedelta(hours=5)):
            shown = as_the_portal_reads(history, now)
            assert shown == as_the_whole_year_reads(history, now), f"w/c {monday}, at {now}"
        result, _ = history.run(wednesday(monday))
        held = result.held_lines
    found = history.payments.confirmed_weeks("P001", YEAR)
    assert found is not None and found.before > FIRST_MONDAY  # weeks were skipped, not read


def test_a_line_added_to_a_week_found_confirmed_makes_it_a_week_to_confirm_again(
    council: Council,
) -> None:
    history = History(council, 4)
    for weeks_so_far in range(3):
        monday = FIRST_MONDAY + timedelta(weeks=weeks_so_far)
        history.report(monday, in_time(monday), EVERY_LINE)
    later = wednesday(FIRST_MONDAY + timedelta(weeks=3))
    first_three = [status for _, status in as_the_portal_reads(history, later)][:3]
    assert first_three == [WeekStatus.CONFIRMED] * 3

    history.backdate("L1013", FIRST_MONDAY + timedelta(weeks=1), 5, "20.00")  # a new line

    shown = as_the_portal_reads(history, later)
    assert shown == as_the_whole_year_reads(history, later)
    assert [status for _, status in shown][:4] == [
        WeekStatus.CONFIRMED,
        WeekStatus.LATE,  # L1013 is to be confirmed from the second week
        WeekStatus.LATE,
        WeekStatus.LATE,  # the fourth week, not reported yet
    ]


@pytest.fixture
def reports_read(monkeypatch: pytest.MonkeyPatch) -> list[Item]:
    """The reports (ACTUAL items) the table's queries give."""
    read: list[Item] = []
    query = Table.query

    def counted(table: Table, pk: str, low: str, high: str, *rest: Any) -> Iterator[Item]:
        for item in query(table, pk, low, high, *rest):
            if low.startswith("ACTUAL#"):
                read.append(item)
            yield item

    monkeypatch.setattr(Table, "query", counted)
    return read


def test_a_view_reads_the_weeks_still_open_however_many_were_confirmed_before(
    council: Council, reports_read: list[Item]
) -> None:
    history = History(council, 6)
    read = []
    for weeks_so_far in range(8):
        monday = FIRST_MONDAY + timedelta(weeks=weeks_so_far)
        history.report(monday, in_time(monday), EVERY_LINE)
        as_the_portal_reads(history, in_time(monday))  # the view the provider saw on confirming
        reports_read.clear()
        as_the_portal_reads(history, wednesday(monday))
        read.append(len(reports_read))
    # Every week confirmed: a view reads nothing of them again, the 8th week as the 1st.
    assert read == [0] * 8
    history.report(FIRST_MONDAY + timedelta(weeks=8), None, EVERY_LINE)  # not confirmed
    reports_read.clear()
    as_the_portal_reads(history, wednesday(FIRST_MONDAY + timedelta(weeks=8)))
    assert len(reports_read) == len(EVERY_LINE)  # the open week's reports alone
