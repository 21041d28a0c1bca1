"""The payment run as a ledger: DOMAIN.md's E11, E12, E14 and the rules around them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.approvals import Approvals, ExtraApproval, FrustratedApproval
from carepay.domain.payment_run import (
    AdjustmentReason,
    LineStatus,
    PaidBefore,
    RunLine,
    approve,
    calculate_provider,
    deadline_before,
)
from carepay.domain.weeks import LONDON
from tests.domain.builders import PROVIDER, line_version, plan_of

SID = "SS-SID"  # Sid Waddell's SS Ref: never his name


def confirmed(
    line_ref: str,
    monday: date,
    actual: int,
    *,
    at: datetime | None = None,
    planned: int = 20,
    **quarters: int,
) -> LineWeekActuals:
    return LineWeekActuals(
        provider_ref=PROVIDER,
        line_ref=line_ref,
        ss_ref=SID,
        week_commencing=monday,
        planned_quarters=planned,
        actual_quarters=actual,
        confirmed_at=at
        or datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=LONDON),
        **quarters,
    )


def wednesday_after(monday: date) -> datetime:
    """The scheduled run after a week's deadline: Wednesday 06:00 London."""
    return datetime.combine(monday + timedelta(days=9), datetime.min.time(), tzinfo=LONDON).replace(
        hour=6
    )


def week_net(lines: list[RunLine], monday: date) -> int:
    return sum(line.net_pence for line in lines if line.week_commencing == monday)


JAN = [date(2023, 1, 2), date(2023, 1, 9), date(2023, 1, 16), date(2023, 1, 23)]


def test_the_run_pays_what_was_confirmed_by_the_last_deadline_before_it() -> None:
    assert deadline_before(datetime(2023, 1, 18, 6, 0, tzinfo=LONDON)) == datetime(
        2023, 1, 17, 17, 0, tzinfo=LONDON
    )
    assert deadline_before(datetime(2023, 1, 17, 16, 59, tzinfo=LONDON)) == datetime(
        2023, 1, 10, 17, 0, tzinfo=LONDON
    )


def test_e11_a_backdated_increase_recoups_then_pays_netting_80_pounds_a_week() -> None:
    old = line_version("L-OLD", SID, planned="1", start=date(2022, 12, 5))
    paid = {("L-OLD", monday): PaidBefore(2000, Fraction(2000), 4) for monday in JAN[:3]}
    actuals = [confirmed("L-OLD", monday, 4, planned=4) for monday in JAN[:3]]
    # In w/c 23 January the council replaces the line with 5 h/week backdated to 2 January.
    plan = plan_of(
        old.model_copy(update={"end_date": date(2023, 1, 1)}),
        line_version("L-NEW", SID, planned="5", start=date(2023, 1, 2)),
    )
    actuals.append(confirmed("L-NEW", JAN[3], 20))

    first = calculate_provider(plan, actuals, paid, Approvals(), wednesday_after(JAN[3]))
    for monday in JAN[:3]:
        [recoup] = [line for line in first if line.week_commencing == monday]
        assert (recoup.net_pence, recoup.adjustment_reason) == (-2000, AdjustmentReason.BACKDATED)
    assert week_net(first, JAN[3]) == 10000

    # The provider then submits and confirms 5 h for the three weeks on the new line.
    ledger = approve(paid, first)
    backdated = [
        confirmed("L-NEW", monday, 20, at=datetime(2023, 2, 6, 10, tzinfo=LONDON))
        for monday in JAN[:3]
    ]
    second = calculate_provider(
        plan, actuals + backdated, ledger, Approvals(), datetime(2023, 2, 8, 6, tzinfo=LONDON)
    )
    for monday in JAN[:3]:
        assert week_net(second, monday) == 10000
        assert week_net(first, monday) + week_net(second, monday) == 8000  # the guidance's +£80.00


def test_e11_both_changes_before_one_run_show_plus_80_pounds_per_week() -> None:
    plan = plan_of(
        line_version("L-OLD", SID, planned="1", start=date(2022, 12, 5), end=date(2023, 1, 1)),
        line_version("L-NEW", SID, planned="5", start=date(2023, 1, 2)),
    )
    paid = {("L-OLD", monday): PaidBefore(2000, Fraction(2000), 4) for monday in JAN[:3]}
    actuals = [confirmed("L-OLD", m, 4, planned=4) for m in JAN[:3]] + [
        confirmed("L-NEW", m, 20) for m in JAN
    ]
    lines = calculate_provider(plan, actuals, paid, Approvals(), wednesday_after(JAN[3]))
    assert [week_net(lines, monday) for monday in JAN] == [8000, 8000, 8000, 10000]


def test_a_cancelled_line_is_recovered_in_full() -> None:
    plan = plan_of(line_version("L1", SID, cancelled=True))
    lines = calculate_provider(
        plan, [confirmed("L1", JAN[0], 20)], {("L1", JAN[0]): PaidBefore(10000, Fraction(2000), 20)},
        Approvals(), wednesday_after(JAN[1]),
    )  # fmt: skip
    [recovery] = lines
    assert (recovery.net_pence, recovery.adjustment_reason) == (-10000, AdjustmentReason.CANCELLED)


def test_e12_a_late_confirmation_waits_for_the_following_run_and_nothing_is_lost() -> None:
    plan = plan_of(line_version("L1", SID))
    late = confirmed("L1", JAN[1], 20, at=datetime(2023, 1, 17, 18, 0, tzinfo=LONDON))
    [withheld] = calculate_provider(plan, [late], {}, Approvals(), wednesday_after(JAN[1]))
    assert (withheld.status, withheld.net_pence) == (LineStatus.WITHHELD, 0)
    ledger = approve({}, [withheld])
    [paid] = calculate_provider(plan, [late], ledger, Approvals(), wednesday_after(JAN[2]))
    assert (paid.status, paid.net_pence) == (LineStatus.PAID, 10000)


def test_e14_weeks_seven_and_eight_of_a_hospital_stay_are_held_then_paid_on_approval() -> None:
    plan = plan_of(line_version("L1", SID))
    mondays = [JAN[0] + timedelta(weeks=n) for n in range(8)]
    stay = [
        confirmed("L1", m, 0, frustrated_quarters=20, frustrated_week_in_run=n + 1)
        for n, m in enumerate(mondays)
    ]
    run_at = wednesday_after(mondays[-1])
    first = calculate_provider(plan, stay, {}, Approvals(), run_at)
    assert [line.net_pence for line in first] == [10000] * 6 + [0, 0]
    assert [line.hold_reason for line in first][-2:] == ["X3", "X3"]
    approval = Approvals.of(frustrated=[FrustratedApproval("L1", mondays[-1])])
    second = calculate_provider(
        plan, stay, approve({}, first), approval, run_at + timedelta(weeks=1)
    )
    released = [line for line in second if line.net_pence]
    assert [
        (line.week_commencing, line.net_pence, line.adjustment_reason) for line in released
    ] == [
        (mondays[6], 10000, AdjustmentReason.APPROVAL),
        (mondays[7], 10000, AdjustmentReason.APPROVAL),
    ]


def test_e5_then_e6_a_held_extra_is_paid_when_the_approval_arrives() -> None:
    plan = plan_of(line_version("L1", SID))
    extra = confirmed("L1", JAN[0], 28, extra_quarters=8)
    [held] = calculate_provider(plan, [extra], {}, Approvals(), wednesday_after(JAN[0]))
    assert (held.status, held.net_pence, held.hold_reason) == (LineStatus.HELD, 0, "X2")
    approval = Approvals.of(extras=[ExtraApproval("L1", JAN[0], 8)])
    [released] = calculate_provider(
        plan, [extra], approve({}, [held]), approval, wednesday_after(JAN[1])
    )
    assert (released.net_pence, released.adjustment_reason) == (14000, AdjustmentReason.APPROVAL)


def test_a_backdated_rate_uplift_pays_the_difference() -> None:
    before = {("L1", JAN[0]): PaidBefore(10000, Fraction(2000), 20)}
    plan = plan_of(
        line_version("L1", SID, rate="20.00", end=date(2023, 1, 1)),
        line_version("L1", SID, rate="21.37", start=date(2023, 1, 2)),
    )
    [uplift] = calculate_provider(
        plan, [confirmed("L1", JAN[0], 20)], before, Approvals(), wednesday_after(JAN[1])
    )
    assert (uplift.amount_due_pence, uplift.net_pence, uplift.adjustment_reason) == (
        10685,
        685,
        AdjustmentReason.RATE,
    )


quarters = st.integers(min_value=0, max_value=40)


@settings(max_examples=60, deadline=None)
@given(
    weeks=st.lists(st.tuples(quarters, quarters, quarters, st.booleans()), min_size=1, max_size=6),
    rates=st.lists(st.integers(min_value=1500, max_value=2500), min_size=1, max_size=4),
    approved_extra=st.integers(min_value=0, max_value=12),
)
def test_over_any_run_sequence_the_nets_add_up_to_what_is_due_and_no_more_than_plan_plus_approved(
    weeks: list[tuple[int, int, int, bool]], rates: list[int], approved_extra: int
) -> None:
    mondays = [JAN[0] + timedelta(weeks=n) for n in range(len(weeks))]
    actuals = [
        confirmed(
            "L1",
            m,
            actual,
            frustrated_quarters=frustrated,
            extra_quarters=extra if with_extra else 0,
        )
        for m, (actual, frustrated, extra, with_extra) in zip(mondays, weeks, strict=True)
    ]
    approvals = Approvals.of(
        extras=[ExtraApproval("L1", m, approved_extra) for m in mondays] if approved_extra else []
    )
    ledger: dict[tuple[str, date], PaidBefore] = {}
    paid_in_total: dict[date, int] = {}
    run_at = wednesday_after(mondays[-1])
    lines: list[RunLine] = []
    for run, pence in enumerate(rates):  # a rate change before each run, as uplifts arrive
        plan = plan_of(line_version("L1", SID, rate=f"{pence / 100:.2f}"))
        lines = calculate_provider(plan, actuals, ledger, approvals, run_at + timedelta(weeks=run))
        again = calculate_provider(plan, actuals, ledger, approvals, run_at + timedelta(weeks=run))
        assert again == lines  # recalculating changes nothing
        for line in lines:
            paid_in_total[line.week_commencing] = (
                paid_in_total.get(line.week_commencing, 0) + line.net_pence
            )
            assert line.payable_quarters <= 20 + approved_extra
        ledger = approve(ledger, lines)
    final_due = calculate_provider(
        plan, actuals, {}, approvals, run_at + timedelta(weeks=len(rates))
    )
    assert paid_in_total == {line.week_commencing: line.amount_due_pence for line in final_due}


@settings(max_examples=80, deadline=None)
@given(
    actual=st.lists(st.integers(min_value=0, max_value=24), min_size=1, max_size=5),
    changes=st.lists(
        st.sampled_from(["none", "cancel", "backdate", "uplift", "approve"]), min_size=1, max_size=4
    ),
)
def test_over_runs_with_backdates_and_cancellations_every_line_week_nets_to_its_final_due(
    actual: list[int], changes: list[str]
) -> None:
    mondays = [JAN[0] + timedelta(weeks=n) for n in range(len(actual))]
    versions = [line_version("L1", SID, rate="20.00")]
    submitted = [
        confirmed("L1", m, quarters, extra_quarters=max(0, quarters - 20), comments="x")
        for m, quarters in zip(mondays, actual, strict=True)
    ]
    approvals = Approvals()
    ledger: dict[tuple[str, date], PaidBefore] = {}
    netted: dict[tuple[str, date], int] = {}
    run_at = wednesday_after(mondays[-1])
    for run, change in enumerate(changes):
        if change == "cancel":
            versions = [v.model_copy(update={"cancelled": True}) for v in versions]
        elif change == "backdate":  # a replacement line for the person, from the first week
            versions = [*versions, line_version("L2", SID, planned="6", start=mondays[0])]
            submitted += [confirmed("L2", m, 24, planned=24) for m in mondays]
        elif change == "uplift":
            versions = [*versions, line_version("L1", SID, rate="21.37", start=mondays[-1])]
        elif change == "approve":
            approvals = Approvals.of(extras=[ExtraApproval("L1", m, 8) for m in mondays])
        plan = plan_of(*versions)
        lines = calculate_provider(
            plan, submitted, ledger, approvals, run_at + timedelta(weeks=run)
        )
        for line in lines:
            key = (line.line_ref, line.week_commencing)
            netted[key] = netted.get(key, 0) + line.net_pence
            weekly = plan.line_for_week(line.line_ref, line.week_commencing)
            approved = approvals.approved_extra_quarters(line.line_ref, line.week_commencing)
            assert weekly is None or line.payable_quarters <= weekly.planned_quarters + approved
        ledger = approve(ledger, lines)
    final = calculate_provider(
        plan_of(*versions), submitted, {}, approvals, run_at + timedelta(weeks=len(changes))
    )
    due = {(line.line_ref, line.week_commencing): line.amount_due_pence for line in final}
    assert {key: net for key, net in netted.items() if net or key in due} == {
        key: amount for key, amount in due.items() if amount or key in netted
    }


def test_a_preview_says_when_to_confirm_that_it_would_be_late_or_that_it_is_confirmed() -> None:
    from carepay.domain.payment_run import preview_week

    monday = date(2023, 1, 9)
    actuals = LineWeekActuals(PROVIDER, "L1", "SS100", monday, 20, 20)
    before_deadline = datetime(2023, 1, 16, 10, tzinfo=LONDON)
    after_deadline = datetime(2023, 1, 20, 10, tzinfo=LONDON)

    def message(now: datetime, *, confirmed: bool) -> str:
        to_confirm, already = ([], [actuals.confirm(now)]) if confirmed else ([actuals], [])
        return preview_week(plan_of(), to_confirm, {}, Approvals(), now, "", already).message

    assert message(before_deadline, confirmed=False).startswith("Confirm by 17:00 on Tuesday")
    assert "has passed: confirmed now, the week is paid by the next run (marked late)" in message(
        after_deadline, confirmed=False
    )
    assert message(after_deadline, confirmed=True).startswith("This week is already confirmed")
