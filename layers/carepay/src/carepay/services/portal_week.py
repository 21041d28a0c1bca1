"""One provider's week as the portal shows it: every planned line with what is stored for it,
its status and findings (the feedback's own sentences), what to do next, and the preview."""

from __future__ import annotations

from datetime import date, datetime

from carepay.domain.actuals import StoredLineWeek
from carepay.domain.money import format_pounds, quarters_to_decimal
from carepay.domain.payment_run import PaymentPreview
from carepay.domain.portal_weeks import WeekStatus, week_status
from carepay.domain.service_lines import ServiceType, WeeklyLine
from carepay.domain.weeks import confirmation_deadline, week_ending
from carepay.ports.stores import PreviewStore
from carepay.services.claim_workbooks import ClaimWorkbookService
from carepay.services.portal_views import (
    FindingView,
    LineView,
    PreviewLineView,
    PreviewView,
    WeekView,
)


def week_view(
    store: PreviewStore,
    workbooks: ClaimWorkbookService,
    provider_ref: str,
    monday: date,
    now: datetime,
    first_week: date | None = None,
) -> WeekView:
    plan = store.provider_plan(provider_ref)
    stored = store.stored_line_weeks(provider_ref, monday, monday)
    status = week_status(plan, monday, stored, now, first_week)
    weekly = sorted(plan.lines_for_week(monday).values(), key=lambda line: line.ss_ref)
    lines = [
        _line_view(line, stored.get((line.line_ref, monday), StoredLineWeek())) for line in weekly
    ]
    ended = status in (WeekStatus.IN_PROGRESS, WeekStatus.LATE, WeekStatus.CONFIRMED)
    preview = workbooks.preview_of(plan, stored, provider_ref, monday, now) if ended else None
    return WeekView(
        provider_ref=provider_ref,
        provider_name=plan.provider_name,
        week_commencing=monday,
        week_ending=week_ending(monday),
        status=status,
        deadline=confirmation_deadline(monday),
        next_step=_next_step(status, monday, any(line.status == REJECTED for line in lines)),
        can_confirm=status in (WeekStatus.IN_PROGRESS, WeekStatus.LATE),
        confirm_note=(
            "The deadline has passed: confirm now and the week is paid by the next payment run."
            if status == WeekStatus.LATE
            else ""
        ),
        lines=lines,
        preview=_preview_view(preview) if preview else None,
        has_claim=any(line.service_type is not ServiceType.DAY_CARE for line in weekly),
        has_register=any(line.service_type is ServiceType.DAY_CARE for line in weekly),
    )


REJECTED = "Rejected"


def _line_view(line: WeeklyLine, stored: StoredLineWeek) -> LineView:
    actuals = stored.actuals
    if stored.rejected is not None:
        status = REJECTED
        findings = [FindingView(code="", message=reason) for reason in stored.rejected.reasons]
        reported_in = f"row {stored.rejected.row_number} of {stored.rejected.file}"
    else:
        status = _stored_status(stored)
        exceptions = actuals.exceptions if actuals else ()
        findings = [FindingView(code=f.code, message=f.message) for f in exceptions]
        reported_in = actuals.source if actuals else ""
    return LineView(
        line_ref=line.line_ref,
        ss_ref=line.ss_ref,
        service_type=line.service_type,
        service_level=line.service_level,
        unit=line.unit,
        planned=str(quarters_to_decimal(line.planned_quarters)),
        planned_visits=line.planned_visits,
        reported=actuals is not None,
        actual=_quantity(actuals.actual_quarters) if actuals else None,
        frustrated=_quantity(actuals.frustrated_quarters) if actuals else None,
        missed=_quantity(actuals.missed_quarters) if actuals else None,
        extra=_quantity(actuals.extra_quarters) if actuals else None,
        status=status,
        findings=findings,
        reported_in=reported_in,
    )


def _quantity(quarters: int) -> str:
    return str(quarters_to_decimal(quarters))


def _stored_status(stored: StoredLineWeek) -> str:
    if stored.paid:
        return "Paid"
    if stored.confirmed:
        return "Confirmed"
    if stored.actuals is not None:
        return "Reported"
    return "Not reported: paid as planned once confirmed"


def _next_step(status: WeekStatus, monday: date, rejected: bool) -> str:
    deadline = confirmation_deadline(monday).strftime("%A %d %B %Y at %H:%M")
    if status == WeekStatus.NOTHING_PLANNED:
        return "Nothing is planned for this week: there is nothing to claim."
    if status == WeekStatus.NON_PAYMENT:
        return (
            "This is one of your non-payment weeks: there is no register, and nothing is paid. "
            "If it should not be, contact the council."
        )
    if status == WeekStatus.BEFORE_CAREPAY:
        return (
            "This week was claimed before the council used carepay, and paid the old way. If "
            "something in it is wrong, use Report an error."
        )
    if status == WeekStatus.NOT_YET_DUE:
        return (
            f"The week ends on Sunday {week_ending(monday):%d %B}: report what was delivered "
            f"from Monday, and confirm by {deadline}."
        )
    if status == WeekStatus.CONFIRMED:
        return (
            "Confirmed and locked. If something is wrong, use Report an error: the council "
            "corrects confirmed weeks."
        )
    fix = (
        "Correct the rejected lines and upload the claim again, then confirm"
        if rejected
        else ("Check each line, upload the claim with any differences, then confirm")
    )
    if status == WeekStatus.LATE:
        return f"{fix}: the deadline ({deadline}) has passed, so it is paid by the next run."
    return f"{fix} by {deadline}."


def _preview_view(preview: PaymentPreview) -> PreviewView:
    return PreviewView(
        message=preview.message,
        total=format_pounds(preview.total_pence),
        lines=[
            PreviewLineView(
                line_ref=line.line_ref,
                payable=str(quarters_to_decimal(line.payable_quarters)),
                amount=format_pounds(line.net_pence),
                note=line.hold_reason and f"{line.hold_reason}: held until the council approves it",
            )
            for line in preview.lines
        ],
    )
