"""DOMAIN.md's worked examples E1–E10: planned 5 h/week single-handed at £20.00/h."""

from __future__ import annotations

from carepay.domain.actuals import RowOutcome, validate_rows
from carepay.domain.approvals import Approvals, ExtraApproval
from carepay.domain.confirmation import confirm_week
from carepay.domain.payment import LineWeekPayment, line_week_payment
from carepay.domain.service_lines import ServiceType
from tests.domain.builders import (
    AFTER_THE_WEEK,
    PROVIDER,
    WEEK,
    claim_row,
    context_for,
    line_version,
    plan_of,
)


def submit(
    row_kwargs: dict[str, object], approvals: Approvals | None = None, **plan_kwargs: object
) -> RowOutcome:
    plan = plan_of(line_version(**plan_kwargs))  # type: ignore[arg-type]
    [outcome] = validate_rows([claim_row(**row_kwargs)], context_for(plan, approvals=approvals))
    return outcome


def pay(outcome: RowOutcome, approvals: Approvals | None = None) -> LineWeekPayment:
    assert outcome.line_week is not None, outcome.errors
    line = plan_of().line_for_week("L1", WEEK)
    assert line is not None
    return line_week_payment(outcome.line_week, line, approvals or Approvals())


def codes(outcome: RowOutcome) -> list[str]:
    return [f.code for f in outcome.exceptions]


def error_codes(outcome: RowOutcome) -> list[str]:
    return [f.code for f in outcome.errors]


def test_e1_hospital_admission_after_two_hours_pays_five_hours_and_charges_two() -> None:
    outcome = submit({"actual": "2", "frustrated": "3", "comments": "Week 1 hospital"})
    payment = pay(outcome)
    assert outcome.accepted and codes(outcome) == []
    assert (payment.payable_quarters, payment.amount_pence) == (20, 10000)
    assert outcome.line_week is not None and outcome.line_week.client_chargeable_quarters == 8


def test_e2_holiday_with_notice_pays_the_two_hours_wanted() -> None:
    outcome = submit({"actual": "2", "missed": "3", "comments": "Holiday, notice given"})
    assert codes(outcome) == []
    assert pay(outcome).amount_pence == 4000


def test_e3_short_notice_cancellation_is_paid_in_full_with_x1() -> None:
    outcome = submit({"actual": "5", "missed": "1", "comments": "Cancelled on the day"})
    assert codes(outcome) == ["X1"]
    assert pay(outcome).amount_pence == 10000


def test_e4_an_hour_not_delivered_is_not_paid() -> None:
    outcome = submit({"actual": "4", "missed": "1", "comments": "Carer unavailable"})
    assert codes(outcome) == []
    assert pay(outcome).amount_pence == 8000


def test_e5_extra_without_approval_holds_the_line() -> None:
    outcome = submit({"actual": "7", "extra": "2", "comments": "Extra calls after a fall"})
    payment = pay(outcome)
    assert codes(outcome) == ["X2"]
    assert payment.amount_pence == 0 and payment.hold_reason == "X2"


def test_e6_extra_with_approval_is_paid() -> None:
    approvals = Approvals.of(extras=[ExtraApproval("L1", WEEK, 8)])
    outcome = submit(
        {"actual": "7", "extra": "2", "comments": "Extra calls after a fall"}, approvals
    )
    assert codes(outcome) == []
    payment = pay(outcome, approvals)
    assert (payment.payable_quarters, payment.amount_pence) == (28, 14000)


def test_e5_then_e6_an_approval_arriving_later_releases_the_hold() -> None:
    held = submit({"actual": "7", "extra": "2", "comments": "Extra calls after a fall"})
    approvals = Approvals.of(extras=[ExtraApproval("L1", WEEK, 8)])
    assert pay(held, approvals).amount_pence == 14000


def test_e7_a_row_that_differs_from_plan_without_a_comment_is_rejected() -> None:
    outcome = submit({"actual": "3", "missed": "2"})
    assert error_codes(outcome) == ["V5"]
    assert (
        "Failure to complete this may result in payment being rejected" in outcome.errors[0].message
    )


def test_e8_a_quantity_that_is_not_a_quarter_hour_is_rejected() -> None:
    outcome = submit({"actual": "2.3", "missed": "2.7", "comments": "reason"})
    assert error_codes(outcome) == ["V1", "V1"]
    assert "'2.3'" in outcome.errors[0].message


def test_e9_frustrated_hours_on_support_at_day_care_are_rejected() -> None:
    outcome = submit(
        {"actual": "3", "frustrated": "2", "comments": "In hospital"},
        service_type=ServiceType.SUPPORT_AT_DAY_CARE,
    )
    assert error_codes(outcome) == ["V6"]


def test_e10_a_week_confirmed_with_nothing_uploaded_is_confirmed_as_planned_and_paid() -> None:
    plan = plan_of()
    confirmation = confirm_week(PROVIDER, WEEK, plan, {}, AFTER_THE_WEEK)
    [line_week] = confirmation.confirmed
    assert line_week.source == "confirmed as planned" and line_week.confirmed
    line = plan.line_for_week("L1", WEEK)
    assert line is not None
    payment = line_week_payment(line_week, line, Approvals())
    assert (payment.payable_quarters, payment.amount_pence) == (20, 10000)
