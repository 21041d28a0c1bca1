"""A register's week through the payment calculation: each day at its own rate, a week as
planned, the non-payment weeks, and what the person is charged for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.approvals import Approvals
from carepay.domain.confirmation import confirm_week
from carepay.domain.payment_run import AdjustmentReason, LineStatus, calculate_provider
from carepay.domain.service_lines import ProviderPlan, ServiceLineVersion, ServiceType, Unit

WEEK = date(2025, 3, 3)
PAID_ON = datetime(2025, 3, 12, 6, tzinfo=UTC)


def session_line(rate: str, start: date, days: tuple[int, ...] = (0, 2, 4)) -> ServiceLineVersion:
    return ServiceLineVersion(
        provider_ref="P400",
        line_ref="L401",
        ss_ref="SS400",
        service_type=ServiceType.DAY_CARE,
        service_level="AM Session",
        unit=Unit.SESSION,
        planned_quantity=Decimal(len(days)),
        unit_rate=Decimal(rate),
        start_date=start,
        days=days,
    )


def submitted(day_codes: str, per_day: int = 4, monday: date = WEEK) -> LineWeekActuals:
    paid = sum(1 for code in day_codes if code in "ANW")
    return LineWeekActuals(
        "P400", "L401", "SS400", monday, 12, paid * per_day,
        confirmed_at=datetime.combine(monday + timedelta(days=7), datetime.min.time(), UTC),
        day_codes=day_codes,
    )  # fmt: skip


def paid(plan: ProviderPlan, *line_weeks: LineWeekActuals) -> list[int]:
    lines = calculate_provider(plan, line_weeks, {}, Approvals(), PAID_ON)
    return [line.amount_due_pence for line in lines if line.status is LineStatus.PAID]


def test_a_rate_change_on_wednesday_pays_monday_at_the_old_rate_and_the_rest_at_the_new() -> None:
    plan = ProviderPlan(
        "P400", [session_line("30.00", date(2025, 1, 6)), session_line("33.00", date(2025, 3, 5))]
    )
    assert paid(plan, submitted("A.A.A..")) == [3000 + 3300 + 3300]
    assert paid(plan, submitted("A..AA..")) == [3000 + 3300 + 3300]  # Wed swapped to Thu


def test_a_register_confirmed_with_no_rows_is_attended_on_every_planned_day() -> None:
    plan = ProviderPlan("P400", [session_line("30.00", date(2025, 1, 6))])
    at = datetime(2025, 3, 10, 10, tzinfo=UTC)
    [as_planned] = confirm_week("P400", WEEK, plan, {}, at).confirmed
    assert (as_planned.day_codes, as_planned.actual_quarters) == ("A.A.A..", 12)
    assert paid(plan, as_planned) == [9000]


def test_absent_without_notice_is_charged_and_absent_with_notice_is_not() -> None:
    assert submitted("A.N.W..").client_chargeable_quarters == 8
    assert submitted("X.N.N..").client_chargeable_quarters == 0
    assert submitted("X.X.X..").client_chargeable_quarters == 0


day_codes = st.lists(st.sampled_from("ANWX."), min_size=7, max_size=7).map("".join)


@given(day_codes)
def test_a_non_payment_week_never_pays(codes: str) -> None:
    christmas = date(2025, 12, 22)
    plan = ProviderPlan("P400", [session_line("30.00", date(2025, 1, 6), (0, 1, 2, 3, 4, 5, 6))])
    assert plan.is_non_payment_week(christmas)
    assert sum(paid(plan, submitted(codes, monday=christmas))) == 0
    nominated = ProviderPlan(
        "P400",
        [session_line("30.00", date(2025, 1, 6), (0, 1, 2, 3, 4, 5, 6))],
        {2025: (date(2025, 8, 4), date(2025, 8, 11))},
    )
    assert not nominated.is_non_payment_week(christmas)
    [said] = calculate_provider(
        nominated, [submitted(codes, monday=date(2025, 8, 4))], {}, Approvals(), PAID_ON
    )
    assert (said.amount_due_pence, said.adjustment_reason) == (
        0,
        AdjustmentReason.NON_PAYMENT_WEEK,
    )


@given(day_codes)
def test_a_registers_amount_is_the_sum_of_its_days(codes: str) -> None:
    plan = ProviderPlan(
        "P400",
        [session_line("30.00", date(2025, 1, 6), tuple(range(7))),
         session_line("31.50", date(2025, 3, 6), tuple(range(7)))],
    )  # fmt: skip
    rates = [3000, 3000, 3000, 3150, 3150, 3150, 3150]
    expected = sum(rate for rate, code in zip(rates, codes, strict=True) if code in "ANW")
    assert paid(plan, submitted(codes)) == [expected]
