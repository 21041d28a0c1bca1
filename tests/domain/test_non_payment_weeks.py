"""Non-payment weeks: two full weeks of each financial year a day centre is not paid for,
nominated by the council's file, or the Christmas and New Year weeks by default."""

from __future__ import annotations

from datetime import date

import pytest

from carepay.domain.non_payment_weeks import (
    NonPaymentWeeks,
    christmas_weeks,
    read_nominations,
    replaced,
)
from carepay.domain.rows import SheetRow
from carepay.domain.weeks import parse_financial_year


def nomination(number: int, provider: str, year: str, week: str) -> SheetRow:
    cells = {"provider_ref": provider, "financial_year": year, "week_commencing": week}
    return SheetRow(number, cells)


def test_without_a_nomination_the_christmas_and_new_year_weeks_are_not_paid() -> None:
    assert christmas_weeks(2025) == (date(2025, 12, 22), date(2025, 12, 29))
    weeks = NonPaymentWeeks()
    assert weeks.is_non_payment_week("P400", date(2025, 12, 29))
    assert not weeks.is_non_payment_week("P400", date(2026, 1, 5))


def test_a_nomination_replaces_the_default_for_that_provider_and_year_only() -> None:
    read = read_nominations(
        [
            nomination(2, "P400", "2025-26", "04/08/2025"),
            nomination(3, "P400", "2025-26", "2025-08-11"),
        ]
    )
    weeks = NonPaymentWeeks(read.nominated)
    assert weeks.weeks_of("P400", 2025) == (date(2025, 8, 4), date(2025, 8, 11))
    assert not weeks.is_non_payment_week("P400", date(2025, 12, 22))
    assert weeks.is_non_payment_week("P401", date(2025, 12, 22))  # no nomination: the default
    assert weeks.weeks_of("P400", 2026) == christmas_weeks(2026)  # next year: the default


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ([("P400", "2025-26", "05/08/2025")], "not a Monday"),
        ([("P400", "2025-26", "06/04/2026")], "not in financial year 2025-26"),
        ([("P400", "2025-27", "04/08/2025")], "not like 2025-26"),
        ([("P400", "2025-26", "04/08/2025")], "nominate exactly two different weeks"),
        ([("P400", "2025-26", "04/08/2025")] * 2, "nominate exactly two different weeks"),
    ],
)
def test_a_nomination_that_is_not_two_mondays_of_the_year_is_refused_saying_why(
    rows: list[tuple[str, str, str]], says: str
) -> None:
    read = read_nominations([nomination(n, *cells) for n, cells in enumerate(rows, start=2)])
    assert not read.nominated
    assert any(says in f.message for _, findings in read.rejected for f in findings)


def test_a_week_already_submitted_or_paid_cannot_stop_or_start_being_a_non_payment_week() -> None:
    current = NonPaymentWeeks({("P400", 2025): (date(2025, 8, 4), date(2025, 8, 11))})
    new = {("P400", 2025): (date(2025, 8, 4), date(2025, 8, 18))}
    accepted, refused = replaced(current, new, {"P400": {date(2025, 8, 18)}})
    assert accepted == {} and "18/08/2025 is already submitted or paid" in refused[0]
    accepted, refused = replaced(current, new, {"P400": {date(2025, 7, 28)}})
    assert accepted == new and refused == []


def test_the_financial_year_is_written_as_councils_write_it() -> None:
    assert parse_financial_year("2025-26") == parse_financial_year("2025/26") == 2025
    with pytest.raises(ValueError, match="like 2025-26"):
        parse_financial_year("25-26")
