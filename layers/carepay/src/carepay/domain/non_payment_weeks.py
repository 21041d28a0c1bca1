"""Non-payment weeks (DOMAIN.md, Day-care registers): a day-care provider is paid for 50 weeks
of a financial year and nominates the other two, full Monday-to-Sunday weeks of that year.
Without a nomination, the weeks containing 25 December and 1 January are the two."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from carepay.domain.actuals import parse_week_date
from carepay.domain.findings import Finding, error
from carepay.domain.rows import SheetRow
from carepay.domain.weeks import (
    christmas_weeks,
    financial_year_label,
    financial_year_week,
    parse_financial_year,
    week_commencing,
    weeks_of_year,
)

WEEKS_PER_YEAR = 2


@dataclass
class NonPaymentWeeks:
    """Every provider's nominations, by (provider, financial year): the two Mondays."""

    nominated: dict[tuple[str, int], tuple[date, date]] = field(default_factory=dict)

    def weeks_of(self, provider_ref: str, year: int) -> tuple[date, date]:
        return self.nominated.get((provider_ref, year), christmas_weeks(year))

    def is_non_payment_week(self, provider_ref: str, monday: date) -> bool:
        year, _ = financial_year_week(monday)
        return monday in self.weeks_of(provider_ref, year)


@dataclass
class NominationsRead:
    """A nominations file read: what it nominates, and the rows refused with why."""

    nominated: dict[tuple[str, int], tuple[date, date]] = field(default_factory=dict)
    rejected: list[tuple[int, list[Finding]]] = field(default_factory=list)


def read_nominations(rows: Iterable[SheetRow]) -> NominationsRead:
    """Two rows per provider and year, each a Monday of that financial year; a provider-year
    whose rows do not make two distinct weeks is refused whole (every row of it)."""
    read = NominationsRead()
    weeks: dict[tuple[str, int], list[tuple[int, date]]] = {}
    for row in rows:
        problems: list[Finding] = []
        nominated = _nomination(row, problems)
        if nominated is None:
            read.rejected.append((row.row_number, problems))
            continue
        provider_ref, year, monday = nominated
        weeks.setdefault((provider_ref, year), []).append((row.row_number, monday))
    for key, rows_weeks in weeks.items():
        distinct = sorted({monday for _, monday in rows_weeks})
        if len(rows_weeks) == WEEKS_PER_YEAR and len(distinct) == WEEKS_PER_YEAR:
            read.nominated[key] = (distinct[0], distinct[1])
            continue
        reason = error(
            "N1",
            f"{key[0]} {financial_year_label(key[1])} has {len(rows_weeks)} rows for "
            f"{len(distinct)} different weeks: nominate exactly two different weeks",
        )
        read.rejected.extend((number, [reason]) for number, _ in rows_weeks)
    return read


def _nomination(row: SheetRow, problems: list[Finding]) -> tuple[str, int, date] | None:
    provider_ref = row.text("provider_ref")
    if not provider_ref:
        problems.append(error("N1", "Provider Ref is empty"))
    try:
        year = parse_financial_year(row.text("financial_year"))
    except ValueError as refused:
        problems.append(error("N1", str(refused)))
        return None
    try:
        monday = parse_week_date(row.cells.get("week_commencing"))
    except ValueError as refused:
        problems.append(error("N1", f"Week Commencing: {refused}"))
        return None
    if monday != week_commencing(monday):
        problems.append(error("N1", f"Week Commencing {monday:%d/%m/%Y} is not a Monday"))
    elif monday not in weeks_of_year(year):
        problems.append(
            error(
                "N1",
                f"w/c {monday:%d/%m/%Y} is not in financial year {financial_year_label(year)}",
            )
        )
    return (provider_ref, year, monday) if not problems else None


def replaced(
    current: NonPaymentWeeks,
    new: Mapping[tuple[str, int], tuple[date, date]],
    locked: Mapping[str, set[date]],
) -> tuple[dict[tuple[str, int], tuple[date, date]], list[str]]:
    """A later file replaces a nomination, except where a week it would change (stop being, or
    become, a non-payment week) is already submitted or paid (`locked` weeks per provider)."""
    accepted: dict[tuple[str, int], tuple[date, date]] = {}
    refused: list[str] = []
    for (provider_ref, year), weeks in new.items():
        changing = set(weeks) ^ set(current.weeks_of(provider_ref, year))
        blocked = sorted(changing & locked.get(provider_ref, set()))
        if blocked:
            refused.append(
                f"{provider_ref} {financial_year_label(year)}: w/c "
                f"{', '.join(f'{w:%d/%m/%Y}' for w in blocked)} is already submitted or paid, "
                "so the nomination is unchanged"
            )
            continue
        accepted[(provider_ref, year)] = weeks
    return accepted, refused
