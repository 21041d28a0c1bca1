"""The payment kernel, worked out line by line with each line's terms found once, pays exactly
what the week-by-week calculation it replaced pays (tests/domain/week_by_week.py): the same
lines, in the same order, to the penny, on random histories of versions starting and ending
mid-week, cancellations, rate changes, day care's non-payment weeks and registers, late and
missing confirmations, holds and approvals, and ledgers of earlier runs (some on lines since
gone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.approvals import Approvals, ExtraApproval, FrustratedApproval
from carepay.domain.payment_run import PaidBefore, calculate_provider
from carepay.domain.service_lines import ProviderPlan, ServiceLineVersion, ServiceType, Unit
from carepay.domain.weeks import LONDON
from tests.domain.week_by_week import calculate_week_by_week

PROVIDER = "P001"
FIRST_MONDAY = date(2024, 11, 25)  # eight weeks over Christmas: day care's non-payment weeks
MONDAYS = [FIRST_MONDAY + timedelta(weeks=n) for n in range(8)]
LINE_REFS = ["L1", "L2", "L3", "L4"]
SERVICE_TYPES = [ServiceType.HOME_SUPPORT, ServiceType.ONE_TO_ONE_RESIDENTIAL, ServiceType.DAY_CARE]
RATES = ["20.00", "19.125", "21.37", "18.50", "0"]

days_into = st.integers(min_value=-21, max_value=35)


@st.composite
def line_versions(draw: st.DrawFn, line_ref: str) -> list[ServiceLineVersion]:
    service_type = draw(st.sampled_from(SERVICE_TYPES))
    # a day centre's planned sessions are shared equally by its three days
    quantities = ["3", "6", "0"] if service_type is ServiceType.DAY_CARE else ["5", "2.5", "0"]
    versions = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        start = FIRST_MONDAY + timedelta(days=draw(days_into))
        length = draw(st.none() | st.integers(min_value=0, max_value=80))
        versions.append(
            ServiceLineVersion(
                provider_ref=PROVIDER,
                line_ref=line_ref,
                ss_ref=draw(st.sampled_from(["SS1", "SS2"])),  # two lines may share a person
                service_type=service_type,
                service_level="Standard",
                unit=Unit.SESSION if service_type is ServiceType.DAY_CARE else Unit.HOUR,
                planned_quantity=Decimal(draw(st.sampled_from(quantities))),
                unit_rate=Decimal(draw(st.sampled_from(RATES))),
                start_date=start,
                end_date=None if length is None else start + timedelta(days=length),
                cancelled=draw(st.integers(min_value=0, max_value=7)) == 0,
                days=(0, 2, 4) if service_type is ServiceType.DAY_CARE else (),
            )
        )
    return versions


confirmations = st.sampled_from(["none", "in time", "in time (London)", "late", "long ago"])


def confirmed_at(when: str, monday: date) -> datetime | None:
    wednesday = datetime.combine(monday + timedelta(days=9), datetime.min.time(), tzinfo=UTC)
    return {
        "none": None,
        "in time": wednesday,
        "in time (London)": wednesday.astimezone(LONDON),
        "late": wednesday + timedelta(weeks=20),
        "long ago": datetime(2024, 1, 1, tzinfo=UTC),
    }[when]


@st.composite
def reported_week(draw: st.DrawFn, line_ref: str, monday: date, register: bool) -> LineWeekActuals:
    quarters = st.integers(min_value=0, max_value=28)
    return LineWeekActuals(
        PROVIDER,
        line_ref,
        draw(st.sampled_from(["SS1", "SS2"])),
        monday,
        20,
        draw(quarters),
        frustrated_quarters=draw(st.sampled_from([0, 0, 0, 4, 12])),
        missed_quarters=draw(st.sampled_from([0, 4])),
        extra_quarters=draw(st.sampled_from([0, 0, 0, 8])),
        frustrated_week_in_run=draw(st.integers(min_value=0, max_value=9)),
        confirmed_at=confirmed_at(draw(confirmations), monday),
        late_confirmation=draw(st.booleans()),
        day_codes=draw(st.sampled_from(["A.A.N..", "A.A.A..", "X.W.A..", ""]))
        if register  # a day centre's weekly register
        else "",
    )


@st.composite
def histories(
    draw: st.DrawFn,
) -> tuple[ProviderPlan, list[LineWeekActuals], dict[tuple[str, date], PaidBefore], Approvals]:
    line_refs = draw(st.lists(st.sampled_from(LINE_REFS), min_size=1, max_size=4, unique=True))
    versions = [v for line_ref in line_refs for v in draw(line_versions(line_ref))]
    nominated = draw(st.sampled_from([None, {2024: (MONDAYS[1], MONDAYS[2])}]))
    plan = ProviderPlan(PROVIDER, versions, nominated)
    weeks = st.sampled_from(MONDAYS)
    line_or_gone = st.sampled_from([*line_refs, *line_refs, "L9"])  # L9: a line no longer planned
    reported = draw(st.lists(st.tuples(line_or_gone, weeks), max_size=24))
    day_care = plan.day_care_line_refs
    actuals = [
        draw(reported_week(line_ref, monday, line_ref in day_care)) for line_ref, monday in reported
    ]
    paid_keys = draw(st.lists(st.tuples(line_or_gone, weeks), max_size=16))
    paid = {
        key: PaidBefore(
            draw(st.sampled_from([0, 10000, 10685, 4781])),
            Fraction(draw(st.sampled_from(["2000", "1912.5", "2137"]))),
            draw(st.sampled_from([0, 20, 24])),
            draw(st.sampled_from(["", "SS1", "SS2"])),
        )
        for key in paid_keys
    }
    extras = draw(st.lists(st.builds(ExtraApproval, st.sampled_from(line_refs), weeks,
                                     st.sampled_from([4, 8, 12]))))  # fmt: skip
    retainers = draw(st.lists(st.builds(FrustratedApproval, st.sampled_from(line_refs), weeks)))
    return plan, actuals, paid, Approvals.of(extras, retainers)


@settings(max_examples=400, deadline=None)
@given(history=histories(), run_week=st.integers(min_value=3, max_value=10))
def test_the_line_by_line_kernel_pays_what_the_week_by_week_calculation_pays(
    history: tuple[
        ProviderPlan, list[LineWeekActuals], dict[tuple[str, date], PaidBefore], Approvals
    ],
    run_week: int,
) -> None:
    plan, actuals, paid, approvals = history
    run_at = datetime.combine(
        FIRST_MONDAY + timedelta(weeks=run_week, days=2), datetime.min.time(), tzinfo=LONDON
    )
    expected = calculate_week_by_week(plan, actuals, paid, approvals, run_at)
    # a plan of its own: neither calculation sees the weekly terms the other worked out
    fresh_plan = ProviderPlan(PROVIDER, [v for ref in plan.line_refs for v in plan.versions_of(ref)],
                              plan.non_payment_weeks)  # fmt: skip
    assert calculate_provider(fresh_plan, actuals, paid, approvals, run_at) == expected
