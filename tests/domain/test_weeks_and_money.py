"""Weeks in Europe/London, financial-year week numbers, and money rules (with hypothesis properties)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from carepay.domain.actuals import validate_rows
from carepay.domain.approvals import Approvals, ExtraApproval
from carepay.domain.money import (
    NotAQuarterMultiple,
    line_amount_pence,
    pounds_to_pence,
    round_half_up_pence,
    to_quarters,
)
from carepay.domain.payment import line_week_payment
from carepay.domain.weeks import financial_year_week, week_commencing
from tests.domain.builders import WEEK, claim_row, context_for, line_version, plan_of

quarters = st.integers(min_value=0, max_value=168 * 4)
rates_in_pence = st.integers(min_value=0, max_value=20_000)


def test_week_one_of_a_financial_year_is_the_week_containing_first_of_april() -> None:
    assert financial_year_week(date(2023, 3, 27)) == (2023, 1)  # Monday 27 March holds 1 April 2023
    assert financial_year_week(date(2023, 4, 3)) == (2023, 2)
    assert financial_year_week(date(2024, 3, 18)) == (2023, 52)
    assert financial_year_week(date(2024, 4, 1)) == (2024, 1)


def test_a_financial_year_can_have_53_weeks() -> None:
    # 2023/24: week 1 begins Monday 27 March 2023 and 2024/25's on Monday 1 April 2024.
    assert financial_year_week(date(2024, 3, 25)) == (2023, 53)


def test_a_quarter_hour_at_an_odd_penny_rate_rounds_the_half_penny_up() -> None:
    assert line_amount_pence(1, pounds_to_pence(Decimal("18.38"))) == 460  # 459.5p
    assert line_amount_pence(3, pounds_to_pence(Decimal("21.26"))) == 1595  # 1594.5p
    assert round_half_up_pence(Fraction(-919, 2)) == -460  # a recoup rounds the same way


def test_a_rate_change_mid_week_is_day_weighted() -> None:
    plan = plan_of(
        line_version(rate="20.00", end=date(2023, 1, 11)),
        line_version(rate="27.00", start=date(2023, 1, 12)),
    )
    line = plan.line_for_week("L1", WEEK)
    assert line is not None
    # Monday–Wednesday at £20, Thursday–Sunday at £27: (3×20 + 4×27) / 7 = £24.00/h.
    assert line.weekly_rate_pence == Fraction(2400)


def test_spreadsheet_floats_keep_the_figure_the_provider_typed() -> None:
    assert to_quarters(Decimal(repr(2.75))) == 11
    [outcome] = validate_rows([claim_row(2.3, missed=2.7, comments="x")], context_for())
    assert [e.code for e in outcome.errors] == ["V1", "V1"]


@given(st.decimals(min_value=0, max_value=200, places=3, allow_nan=False))
def test_v1_accepts_exactly_the_quarter_multiples_up_to_168(quantity: Decimal) -> None:
    is_quarter = (quantity * 4) % 1 == 0 and quantity <= 168
    try:
        assert to_quarters(quantity) * Decimal("0.25") == quantity and is_quarter
    except NotAQuarterMultiple:
        assert not is_quarter


@given(quarters, rates_in_pence)
def test_amount_is_quantity_times_rate_rounded_half_up_once(q: int, rate: int) -> None:
    expected = (Decimal(q) / 4 * Decimal(rate) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(line_amount_pence(q, Fraction(rate))) / 100 == expected


@given(
    actual=st.integers(0, 80),
    frustrated=st.integers(0, 40),
    missed=st.integers(0, 40),
    extra=st.integers(0, 40),
    approved=st.integers(0, 40),
    planned=st.integers(0, 80),
)
def test_payable_never_exceeds_planned_plus_approved_extra_and_missed_is_never_paid(
    actual: int, frustrated: int, missed: int, extra: int, approved: int, planned: int
) -> None:
    plan = plan_of(line_version(planned=str(Decimal(planned) / 4)))
    approvals = Approvals.of(extras=[ExtraApproval("L1", WEEK, approved)] if approved else [])
    row = claim_row(
        str(Decimal(actual) / 4),
        frustrated=str(Decimal(frustrated) / 4),
        missed=str(Decimal(missed) / 4),
        extra=str(Decimal(extra) / 4),
        comments="reason",
    )
    [outcome] = validate_rows([row], context_for(plan, approvals=approvals))
    assert outcome.line_week is not None, outcome.errors
    line = plan.line_for_week("L1", WEEK)
    assert line is not None
    payment = line_week_payment(outcome.line_week, line, approvals)
    assert payment.payable_quarters <= planned + approved
    assert payment.payable_quarters <= actual + frustrated
    assert payment.amount_pence == line_amount_pence(payment.payable_quarters, Fraction(2000))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_every_day_belongs_to_the_week_of_its_monday(day: date) -> None:
    monday = week_commencing(day)
    assert monday.weekday() == 0 and timedelta(0) <= day - monday < timedelta(days=7)
    _, number = financial_year_week(monday)
    assert 1 <= number <= 53


def test_a_decimal_comma_is_read_as_a_decimal_point_and_a_thousands_comma_is_not() -> None:
    from carepay.domain.money import parse_decimal

    assert parse_decimal("5,5") == Decimal("5.5")
    assert parse_decimal("7,25") == Decimal("7.25")
    assert parse_decimal("1,000") == Decimal("1000")
    assert parse_decimal("£19.37") == Decimal("19.37")
    assert parse_decimal(" 3 ") == Decimal("3")
