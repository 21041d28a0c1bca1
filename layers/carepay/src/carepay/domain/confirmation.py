"""Confirming a week: the provider's declaration that the week's actuals are correct (E10, V7, E12)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from carepay.domain.actuals import LineWeekActuals, RejectedReport, StoredLineWeek
from carepay.domain.findings import Finding, Severity, error, warning
from carepay.domain.registers import DayCode, as_planned_codes, register_line_for_week
from carepay.domain.service_lines import ProviderPlan, ServiceType, WeeklyLine
from carepay.domain.weeks import confirmation_deadline, week_ending, week_has_ended


@dataclass(slots=True)
class WeekConfirmation:
    week_commencing: date
    confirmed: list[LineWeekActuals] = field(default_factory=list)
    already_confirmed: list[str] = field(default_factory=list)
    already_paid: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def late(self) -> bool:
        return any(line_week.late_confirmation for line_week in self.confirmed)


def confirm_week(
    provider_ref: str,
    monday: date,
    plan: ProviderPlan,
    stored: Mapping[tuple[str, date], StoredLineWeek],
    confirmed_at: datetime,
    submitted_now: Mapping[str, LineWeekActuals] | None = None,
    confirmation_id: str = "",
) -> WeekConfirmation:
    """Confirm every line the week has now; a line with no actuals is confirmed as planned.

    Confirmation is per line-week: a line added to the week later starts unconfirmed.
    """
    result = WeekConfirmation(monday)
    lines = plan.lines_for_week(monday) if monday.weekday() == 0 else {}
    refusal = _why_the_week_cannot_be_confirmed(provider_ref, monday, lines, confirmed_at)
    if refusal is not None:
        result.findings.append(refusal)
        return result
    submitted_now = submitted_now or {}
    still_rejected = _still_rejected(monday, lines, stored, submitted_now)
    if still_rejected:
        result.findings.append(_rejected_rows_refusal(monday, still_rejected))
        return result
    for line_ref, line in sorted(lines.items()):
        state = stored.get((line_ref, monday), StoredLineWeek())
        if state.paid:
            result.already_paid.append(line_ref)
            continue
        if state.confirmed:
            result.already_confirmed.append(line_ref)
            continue
        actuals = submitted_now.get(line_ref) or state.actuals
        if actuals is None:
            actuals = _as_planned(provider_ref, line, plan, confirmation_id, confirmed_at)
        result.confirmed.append(actuals.confirm(confirmed_at))
    if result.already_paid and not result.confirmed and not result.already_confirmed:
        result.findings.append(
            error(
                "V7",
                "You cannot confirm actuals for a week where the payment has already been "
                "processed. If the payment for this week is wrong, contact the council.",
            )
        )
    elif result.late:
        deadline = confirmation_deadline(monday)
        result.findings.append(
            warning(
                "E12",
                f"Confirmed after the deadline (17:00 on Tuesday {deadline:%d/%m/%Y}): the "
                "confirmation is accepted and marked late, and this week is paid by the next "
                "payment run instead of the one just due.",
            )
        )
    return result


def _as_planned(
    provider_ref: str, line: WeeklyLine, plan: ProviderPlan, confirmation_id: str, at: datetime
) -> LineWeekActuals:
    """E10: a line with nothing uploaded is submitted as planned by its confirmation; a register
    line as attended on each planned day."""
    monday, actual, day_codes = line.week_commencing, line.planned_quarters, ""
    if line.service_type is ServiceType.DAY_CARE:
        register_line = register_line_for_week(plan.versions_of(line.line_ref), monday)
        if register_line is not None:
            day_codes = as_planned_codes(register_line)
            attended = sum(1 for code in day_codes if code == DayCode.ATTENDED)
            actual = attended * register_line.per_day_quarters
    return LineWeekActuals(
        provider_ref=provider_ref,
        line_ref=line.line_ref,
        ss_ref=line.ss_ref,
        week_commencing=monday,
        planned_quarters=line.planned_quarters,
        actual_quarters=actual,
        planned_visits=line.planned_visits,
        source="confirmed as planned",
        upload_id=confirmation_id,
        submitted_at=at,
        day_codes=day_codes,
    )


def _why_the_week_cannot_be_confirmed(
    provider_ref: str, monday: date, lines: Mapping[str, WeeklyLine], confirmed_at: datetime
) -> Finding | None:
    """V3, V4, V2: not a Monday, a week not yet over, or a week with nothing planned."""
    if monday.weekday() != 0:
        return error("V3", f"{monday:%d/%m/%Y} is not a Monday: name a week by its Monday.")
    if not week_has_ended(monday, confirmed_at):
        return error(
            "V4",
            f"The week commencing {monday:%d/%m/%Y} has not ended yet: confirm it once "
            f"Sunday {week_ending(monday):%d/%m/%Y} has passed.",
        )
    if not lines:
        return error(
            "V2",
            f"There are no planned service lines for {provider_ref} in the week commencing "
            f"{monday:%d/%m/%Y}, so there is nothing to confirm.",
        )
    return None


def _still_rejected(
    monday: date,
    lines: Mapping[str, WeeklyLine],
    stored: Mapping[tuple[str, date], StoredLineWeek],
    submitted_now: Mapping[str, LineWeekActuals],
) -> list[RejectedReport]:
    """V10: open lines whose latest report was rejected and is not corrected by this upload."""
    rejected = []
    for line_ref in sorted(lines):
        state = stored.get((line_ref, monday), StoredLineWeek())
        open_week = not (state.paid or state.confirmed)
        if open_week and state.rejected and line_ref not in submitted_now:
            rejected.append(state.rejected)
    return rejected


def _rejected_rows_refusal(monday: date, rejected: list[RejectedReport]) -> Finding:
    lines = "; ".join(report.described() for report in rejected)
    return error(
        "V10",
        f"The week commencing {monday:%d/%m/%Y} cannot be confirmed yet: the latest rows you sent "
        f"for {len(rejected)} service line{'s' if len(rejected) != 1 else ''} were rejected "
        f"({lines}). Confirming now would pay the plan instead of what you reported: correct "
        "those rows and upload them again, then confirm.",
    )
