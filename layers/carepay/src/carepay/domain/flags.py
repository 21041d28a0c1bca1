"""Care-monitoring flags F1–F4 (DOMAIN.md): patterns in what providers report that operational
teams should look at. They never change a payment.

Each flag is raised once per episode: when its pattern is first seen, with the weeks that made
it, and not again every week the pattern persists; a new episode starts once it has stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.registers import DAY_NAMES, DayCode, day_codes_of, register_line_for_week
from carepay.domain.service_lines import ProviderPlan

F1_WEEKS = 3  # consecutive weeks of short-notice cancellation on a line
F2_WINDOW = 13  # rolling weeks of day-care attendance
F2_BELOW = Fraction(70, 100)
F3_UNPLANNED_WEEKS = 2  # absence longer than this, unplanned…
F3_PLANNED_WEEKS = 4  # …or than this, planned (notice given)
F4_WEEKS = 4  # the same weekday missed this many weeks running
# Enough history that an episode still running when a week is confirmed was raised before it
# (F2's window and a margin): only flags raised by the confirmed week itself are new.
LOOKBACK_WEEKS = F2_WINDOW + 17
SHORT_NOTICE, NOTICE_GIVEN = "Short notice / refused", "Notice given"


@dataclass(frozen=True)
class LineWeekSeen:
    """What one confirmed line-week showed, as far as the flags care."""

    monday: date
    short_notice: bool = False  # X1: a short-notice cancellation / non-engagement
    delivered: bool = True  # anything delivered (actual > 0, or a day attended)
    absence_planned: bool = False  # nothing delivered, and notice was given (holiday)
    planned_days: int = 0  # day care: sessions planned…
    attended_days: int = 0  # …and attended
    missed_weekdays: frozenset[int] = frozenset()  # day care: planned days not attended


@dataclass(frozen=True)
class Flag:
    code: str
    line_ref: str
    ss_ref: str
    weeks: tuple[date, ...]  # the weeks that raised it
    seen: str  # what was seen
    action: str  # what to do

    @property
    def raised_for(self) -> date:
        return self.weeks[-1]


@dataclass(frozen=True)
class RaisedFlag:
    """A flag as kept: whose, and when it was first raised (by a confirmation)."""

    provider_ref: str
    flag: Flag
    raised_at: datetime

    def as_dict(self) -> dict[str, object]:
        flag = self.flag
        return {
            "provider_ref": self.provider_ref,
            "code": flag.code,
            "line_ref": flag.line_ref,
            "ss_ref": flag.ss_ref,
            "weeks": [week.isoformat() for week in flag.weeks],
            "seen": flag.seen,
            "action": flag.action,
            "raised_at": self.raised_at.isoformat(),
        }


@dataclass
class LineHistory:
    """One line's confirmed weeks, oldest first (gaps: weeks with nothing confirmed)."""

    line_ref: str
    ss_ref: str
    weeks: Sequence[LineWeekSeen] = field(default_factory=list)


def flags_for(history: LineHistory) -> list[Flag]:
    """Every episode of F1–F4 in the line's history, in the order they were raised."""
    found = [
        *_f1(history),
        *_f2(history),
        *_f3(history),
        *_f4(history),
    ]
    return sorted(found, key=lambda flag: (flag.raised_for, flag.code))


def _consecutive(weeks: Sequence[LineWeekSeen]) -> list[list[LineWeekSeen]]:
    """The history cut where a week is missing: patterns run over consecutive weeks only."""
    runs: list[list[LineWeekSeen]] = []
    for week in weeks:
        if runs and week.monday == runs[-1][-1].monday + timedelta(weeks=1):
            runs[-1].append(week)
        else:
            runs.append([week])
    return runs


def _episodes(
    weeks: Sequence[LineWeekSeen], shows: Callable[[LineWeekSeen], bool], longer_than: int
) -> list[list[LineWeekSeen]]:
    """Runs of consecutive weeks showing the pattern, longer than `longer_than` weeks: each is
    one episode whatever its length, raised with the weeks that first made it one."""
    episodes = []
    for run in _consecutive(weeks):
        streak: list[LineWeekSeen] = []
        for week in [*run, None]:
            if week is not None and shows(week):
                streak.append(week)
                continue
            if len(streak) > longer_than:
                episodes.append(streak[: longer_than + 1])
            streak = []
    return episodes


def _f1(history: LineHistory) -> list[Flag]:
    return [
        Flag(
            "F1",
            history.line_ref,
            history.ss_ref,
            tuple(w.monday for w in episode),
            f"short-notice cancellations {F1_WEEKS} weeks running",
            "package review",
        )
        for episode in _episodes(history.weeks, lambda w: w.short_notice, F1_WEEKS - 1)
    ]


def _f3(history: LineHistory) -> list[Flag]:
    unplanned = _episodes(
        history.weeks, lambda w: not w.delivered and not w.absence_planned, F3_UNPLANNED_WEEKS
    )
    planned = _episodes(
        history.weeks, lambda w: not w.delivered and w.absence_planned, F3_PLANNED_WEEKS
    )
    return [
        Flag(
            "F3",
            history.line_ref,
            history.ss_ref,
            tuple(w.monday for w in episode),
            f"no service for {len(episode)} weeks running"
            + (" (notice given)" if episode[0].absence_planned else ""),
            "notify social worker",
        )
        for episode in (*unplanned, *planned)
    ]


def _f4(history: LineHistory) -> list[Flag]:
    flags = []
    for weekday in range(7):
        missed = _missed_on(weekday)
        for episode in _episodes(history.weeks, missed, F4_WEEKS - 1):
            flags.append(
                Flag(
                    "F4",
                    history.line_ref,
                    history.ss_ref,
                    tuple(w.monday for w in episode),
                    f"{DAY_NAMES[weekday]} missed {F4_WEEKS} weeks running",
                    "pattern of absence",
                )
            )
    return flags


def _missed_on(weekday: int) -> Callable[[LineWeekSeen], bool]:
    return lambda week: weekday in week.missed_weekdays


def _f2(history: LineHistory) -> list[Flag]:
    """Attendance below 70 % of planned over 13 consecutive weeks of day care: raised when a
    window first falls below, again only after a window has been back at 70 % or more."""
    flags: list[Flag] = []
    for run in _consecutive([w for w in history.weeks if w.planned_days]):
        below = False
        for end in range(F2_WINDOW, len(run) + 1):
            window = run[end - F2_WINDOW : end]
            planned = sum(w.planned_days for w in window)
            attended = sum(w.attended_days for w in window)
            now_below = Fraction(attended, planned) < F2_BELOW
            if now_below and not below:
                flags.append(
                    Flag(
                        "F2",
                        history.line_ref,
                        history.ss_ref,
                        tuple(w.monday for w in window),
                        f"attended {attended} of {planned} planned sessions over "
                        f"{F2_WINDOW} weeks ({round(100 * attended / planned)}%)",
                        "review referral",
                    )
                )
            below = now_below
    return flags


def line_week_seen(actuals: LineWeekActuals, planned_days: tuple[int, ...] = ()) -> LineWeekSeen:
    """What a confirmed line-week shows the flags: from a register, its days; from weekly
    actuals, its quantities, Missed Reason and X1."""
    if actuals.day_codes:
        codes = day_codes_of(actuals.day_codes)
        attended = [day for day, code in codes.items() if code is DayCode.ATTENDED]
        return LineWeekSeen(
            actuals.week_commencing,
            short_notice=DayCode.WITHOUT_NOTICE in codes.values(),
            delivered=bool(attended),
            absence_planned=bool(codes)
            and all(code is DayCode.WITH_NOTICE for code in codes.values()),
            planned_days=len(planned_days),
            attended_days=min(len(attended), len(planned_days)),
            missed_weekdays=frozenset(day for day in planned_days if day not in attended),
        )
    delivered = actuals.actual_quarters > 0
    return LineWeekSeen(
        actuals.week_commencing,
        short_notice=actuals.missed_reason == SHORT_NOTICE
        or any(finding.code == "X1" for finding in actuals.exceptions),
        delivered=delivered,
        absence_planned=not delivered and actuals.missed_reason == NOTICE_GIVEN,
    )


def provider_flags(plan: ProviderPlan, line_weeks: Sequence[LineWeekActuals]) -> list[Flag]:
    """Every episode in a provider's confirmed line-weeks, line by line."""
    by_line: dict[str, list[LineWeekActuals]] = {}
    for line_week in line_weeks:
        if line_week.confirmed:
            by_line.setdefault(line_week.line_ref, []).append(line_week)
    flags = []
    for line_ref, confirmed in sorted(by_line.items()):
        confirmed.sort(key=lambda lw: lw.week_commencing)
        seen = [line_week_seen(lw, _planned_days(plan, lw)) for lw in confirmed]
        flags += flags_for(LineHistory(line_ref, confirmed[-1].ss_ref, seen))
    return flags


def _planned_days(plan: ProviderPlan, line_week: LineWeekActuals) -> tuple[int, ...]:
    if not line_week.day_codes:
        return ()
    register = register_line_for_week(
        plan.versions_of(line_week.line_ref), line_week.week_commencing
    )
    return register.planned_days if register is not None else ()
