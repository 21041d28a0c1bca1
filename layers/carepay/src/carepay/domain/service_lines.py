"""Service lines (care package line items) with dated versions, and the weekly plan they give."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from carepay.domain.money import pounds_to_pence, to_quarters
from carepay.domain.weeks import christmas_weeks, days_of_week, financial_year_week


class ServiceType(StrEnum):
    HOME_SUPPORT = "Home Support"
    ONE_TO_ONE_RESIDENTIAL = "1:1 Residential/Nursing"
    SUPPORT_AT_DAY_CARE = "Support at Day Care"
    DAY_CARE = "Day Care"

    @property
    def allows_frustrated(self) -> bool:
        """V6: a hospital retainer applies to home support and 1:1 support only."""
        return self in (ServiceType.HOME_SUPPORT, ServiceType.ONE_TO_ONE_RESIDENTIAL)

    @property
    def pays_extras(self) -> bool:
        """Home support pays extras with an approval; the others never do (X4)."""
        return self is ServiceType.HOME_SUPPORT


class Unit(StrEnum):
    HOUR = "hour"
    SESSION = "session"
    JOURNEY = "journey"


class ServiceLineVersion(BaseModel):
    """One row of the care-package import: a service line as it applies between two dates."""

    model_config = ConfigDict(frozen=True)

    provider_ref: str = Field(min_length=1)
    provider_name: str = ""
    line_ref: str = Field(min_length=1)
    ss_ref: str = Field(min_length=1)
    service_type: ServiceType
    service_level: str = Field(min_length=1)
    unit: Unit
    planned_quantity: Decimal = Field(ge=0)
    planned_visits: int | None = Field(default=None, ge=0)
    unit_rate: Decimal = Field(ge=0)
    start_date: date
    end_date: date | None = None
    cancelled: bool = False
    days: tuple[int, ...] = ()  # Day Care: the planned weekdays (Monday = 0), carrying equal shares

    def in_force_on(self, day: date) -> bool:
        if self.cancelled or day < self.start_date:
            return False
        return self.end_date is None or day <= self.end_date


class WeeklyLine(NamedTuple):
    """What a service line plans for one week: the terms its actuals are checked and paid against."""

    line_ref: str
    provider_ref: str
    ss_ref: str
    service_type: ServiceType
    service_level: str
    unit: Unit
    week_commencing: date
    planned_quarters: int
    planned_visits: int | None
    weekly_rate_pence: Fraction


_WEEK = WeeklyLine._fields.index("week_commencing")
# A single-version line's start and end dates, and its terms before and after the Monday.
_SingleLines = dict[str, tuple[date, date | None, tuple[object, ...], tuple[object, ...]]]
_new = tuple.__new__  # a WeeklyLine from its fields, without NamedTuple's generated __new__


class ProviderPlan:
    """Every version of one provider's service lines, answering 'what was planned that week?'."""

    def __init__(
        self,
        provider_ref: str,
        versions: list[ServiceLineVersion],
        non_payment_weeks: Mapping[int, tuple[date, date]] | None = None,
    ) -> None:
        self.provider_ref = provider_ref
        # The provider's nominated non-payment weeks by financial year; a year not nominated
        # has the Christmas and New Year weeks. Only Day Care lines stop in those weeks.
        self.non_payment_weeks = dict(non_payment_weeks or {})
        self._non_payment: dict[date, bool] = {}
        self._versions_by_line: dict[str, list[ServiceLineVersion]] = {}
        for version in sorted(versions, key=lambda v: (v.line_ref, v.start_date)):
            if version.provider_ref == provider_ref:
                self._versions_by_line.setdefault(version.line_ref, []).append(version)
        self._weekly_cache: dict[date, dict[str, WeeklyLine]] = {}
        self._single_lines: _SingleLines | None = None
        self._day_care = {
            line_ref
            for line_ref, versions in self._versions_by_line.items()
            if any(v.service_type is ServiceType.DAY_CARE for v in versions)
        }

    @property
    def provider_name(self) -> str:
        names = [v.provider_name for vs in self._versions_by_line.values() for v in vs]
        return next((name for name in reversed(names) if name), self.provider_ref)

    @property
    def line_refs(self) -> list[str]:
        return list(self._versions_by_line)

    def versions_of(self, line_ref: str) -> list[ServiceLineVersion]:
        return list(self._versions_by_line.get(line_ref, []))

    def lines_for_week(self, monday: date) -> dict[str, WeeklyLine]:
        """Lines covering the week (in force on at least one of its days), by line ref."""
        cached = self._weekly_cache.get(monday)
        if cached is None:
            cached = {}
            sunday = monday + timedelta(days=6)
            single = self._single()
            for line_ref, versions in self._versions_by_line.items():
                steady = single.get(line_ref)
                if steady is not None:
                    start, end, before, after = steady
                    if start <= sunday and (end is None or end >= monday):
                        cached[line_ref] = _new(WeeklyLine, (*before, monday, *after))
                    continue
                weekly = _weekly_terms(versions, monday)
                if weekly is not None:
                    cached[line_ref] = weekly
            if self._day_care and self.is_non_payment_week(monday):
                cached = {ref: line for ref, line in cached.items() if ref not in self._day_care}
            self._weekly_cache[monday] = cached
        return cached

    def _single(self) -> _SingleLines:
        """Lines with one version all their life (most): its terms are the same every week it
        covers (one rate, so no day-weighting), worked out once, the first time a week's lines
        are asked for; each week's are these with the week's Monday put in."""
        if self._single_lines is None:
            self._single_lines = {}
            for line_ref, versions in self._versions_by_line.items():
                if len(versions) == 1 and not versions[0].cancelled:
                    terms = _terms(versions[0], versions[0].start_date, None)
                    self._single_lines[line_ref] = (
                        versions[0].start_date,
                        versions[0].end_date,
                        terms[:_WEEK],
                        terms[_WEEK + 1 :],
                    )
        return self._single_lines

    def non_payment_weeks_of(self, year: int) -> tuple[date, date]:
        """The two Mondays of a financial year on which no Day Care line is registered or paid."""
        return self.non_payment_weeks.get(year) or christmas_weeks(year)

    def is_non_payment_week(self, monday: date) -> bool:
        known = self._non_payment.get(monday)
        if known is None:
            year, _ = financial_year_week(monday)
            known = self._non_payment[monday] = monday in self.non_payment_weeks_of(year)
        return known

    @property
    def has_day_care(self) -> bool:
        return bool(self._day_care)

    @property
    def day_care_line_refs(self) -> frozenset[str]:
        return frozenset(self._day_care)

    def line_for_week(self, line_ref: str, monday: date) -> WeeklyLine | None:
        return self.lines_for_week(monday).get(line_ref)

    def week_terms(self, line_ref: str, monday: date) -> WeeklyLine | None:
        """One line's terms for one week, as `lines_for_week` has them, worked out alone (the
        payment run goes line by line, and most of a line's weeks come from `steady_weeks`)."""
        versions = self._versions_by_line.get(line_ref)
        if not versions or (line_ref in self._day_care and self.is_non_payment_week(monday)):
            return None
        return _weekly_terms(versions, monday)

    def steady_weeks(self, line_ref: str) -> list[tuple[date, date, WeeklyLine]]:
        """Spans of weeks with one set of terms: (first, last, terms) says every week whose Monday
        is from `first` to `last` has `terms` (but for its Monday). Those are the weeks one
        version covers all seven days with no other in force; the rest (a version starting or
        ending mid-week, day care's non-payment weeks) are for `week_terms`. A line's terms are
        so worked out once a run, not once a week."""
        versions = self._versions_by_line.get(line_ref, [])
        if line_ref in self._day_care:
            return []
        if len(versions) == 1:  # most lines: no other version to leave weeks out for
            first, last = _mondays_covered(versions[0])
            if versions[0].cancelled or first > last:
                return []
            return [(first, last, _terms(versions[0], first, None))]
        live = [v for v in versions if not v.cancelled]
        spans = []
        for version in live:
            others = [_mondays_touching(other) for other in live if other is not version]
            for first, last in _without([_mondays_covered(version)], others):
                spans.append((first, last, _terms(version, first, None)))
        return spans


def _weekly_terms(versions: list[ServiceLineVersion], monday: date) -> WeeklyLine | None:
    """The week's terms: the plan as it stands at the end of the week, the rate day-weighted.

    When a rate changes mid-week the week's rate is the average of the rates in force on each
    day the line covers, so a Thursday uplift is paid for Thursday to Sunday only.
    """
    live = versions_in_week(versions, monday)
    if not live:
        return None
    latest = live[-1]  # versions are sorted by start date; a later one replaces an earlier one
    if covers_whole_week(live, monday):
        weekly_rate = rate_pence(latest.unit_rate)  # the usual week: one version, all seven days
    else:
        daily_rates = [
            rate for day in days_of_week(monday) if (rate := rate_on(live, day)) is not None
        ]
        weekly_rate = sum(daily_rates, Fraction(0)) / len(daily_rates)
    return _terms(latest, monday, weekly_rate)


def versions_in_week(
    versions: Sequence[ServiceLineVersion], monday: date
) -> list[ServiceLineVersion]:
    """The versions in force on at least one day of the week, oldest first."""
    sunday = monday + timedelta(days=6)
    return [
        v
        for v in versions
        if not v.cancelled
        and v.start_date <= sunday
        and (v.end_date is None or v.end_date >= monday)
    ]


def covers_whole_week(live: Sequence[ServiceLineVersion], monday: date) -> bool:
    """One version, in force all seven days: one rate for the week."""
    sunday = monday + timedelta(days=6)
    only = live[0]
    return (
        len(live) == 1
        and only.start_date <= monday
        and (only.end_date is None or only.end_date >= sunday)
    )


def rate_on(live: Sequence[ServiceLineVersion], day: date) -> Fraction | None:
    """The rate in force on a day (the latest version's), or None when no version is."""
    todays = [v for v in live if v.in_force_on(day)]
    return rate_pence(todays[-1].unit_rate) if todays else None


def _terms(version: ServiceLineVersion, monday: date, weekly_rate: Fraction | None) -> WeeklyLine:
    """A week's terms from the version in force at its end (its own rate unless day-weighted)."""
    rate = rate_pence(version.unit_rate) if weekly_rate is None else weekly_rate
    return _new(WeeklyLine, (version.line_ref, version.provider_ref, version.ss_ref,
                             version.service_type, version.service_level, version.unit, monday,
                             _quarters_of(version.planned_quantity), version.planned_visits,
                             rate))  # fmt: skip


_DAY = timedelta(days=1)
_SIX_DAYS = timedelta(days=6)


def _mondays_covered(version: ServiceLineVersion) -> tuple[date, date]:
    """The weeks `version` is in force all seven days of, by Monday: from its start to six days
    before its end (an empty span, first after last, when it never covers a whole week)."""
    if version.end_date is None:
        return version.start_date, date.max
    if version.end_date < date.min + _SIX_DAYS:
        return date.max, date.min
    return version.start_date, version.end_date - _SIX_DAYS


def _mondays_touching(version: ServiceLineVersion) -> tuple[date, date]:
    """The weeks `version` is in force on at least one day of, by Monday."""
    first = (
        date.min if version.start_date < date.min + _SIX_DAYS else version.start_date - _SIX_DAYS
    )
    return first, version.end_date or date.max


def _without(
    spans: list[tuple[date, date]], taken: list[tuple[date, date]]
) -> list[tuple[date, date]]:
    """`spans` less every day in `taken` (each a closed span of dates)."""
    for taken_first, taken_last in taken:
        left = []
        for first, last in spans:
            if taken_last < first or taken_first > last:
                left.append((first, last))
                continue
            if first < taken_first:
                left.append((first, taken_first - _DAY))
            if taken_last < last:
                left.append((taken_last + _DAY, last))
        spans = left
    return [(first, last) for first, last in spans if first <= last]


@lru_cache(maxsize=4096)  # a plan names a handful of rates thousands of times
def rate_pence(unit_rate: Decimal) -> Fraction:
    return pounds_to_pence(unit_rate)


@lru_cache(maxsize=4096)
def _quarters_of(planned_quantity: Decimal) -> int:
    return to_quarters(planned_quantity)
