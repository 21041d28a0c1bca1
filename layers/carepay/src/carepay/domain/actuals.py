"""Weekly actuals: checking a provider's rows against the plan (V1–V9) and finding exceptions (X1–X4).

Rows are independent: each is accepted or rejected on its own, and an accepted row becomes a
`LineWeekActuals` to store. Nothing here knows where rows came from or where they go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from carepay.domain.approvals import Approvals
from carepay.domain.findings import Finding, error, exception, warning
from carepay.domain.money import (
    QUARTERS_PER_UNIT,
    NotAQuarterMultiple,
    parse_decimal,
    quarters_to_decimal,
    to_quarters,
)
from carepay.domain.registers import CHARGED_CODES, PAID_CODES
from carepay.domain.rows import MAX_CELL_CHARS, SheetRow, visible
from carepay.domain.service_lines import ProviderPlan, ServiceType, WeeklyLine
from carepay.domain.weeks import is_late_confirmation, london_date, week_commencing, week_ending

EXCEL_EPOCH = date(1899, 12, 30)
FRUSTRATED_WEEKS_PAID = 6
SUNDAY = timedelta(days=6)
CONFIRM_YES = frozenset({"y", "yes", "true", "1", "confirmed"})
# The Missed Reasons a claim may give (DOMAIN.md, the upload's columns), by how they are compared.
MISSED_REASONS = {
    " ".join(reason.casefold().split()): reason
    for reason in ("Notice given", "Short notice / refused", "Provider unable to deliver")
}

# Quantities a provider reports, by the column key the reader gives them.
QUANTITY_COLUMNS = {
    "actual": "Weekly Actual Quantity",
    "frustrated": "Weekly Frustrated Quantity",
    "missed": "Weekly Missed Quantity",
    "extra": "Weekly Extra Quantity",
}


@dataclass(slots=True)
class LineWeekActuals:
    """What was delivered on one service line in one week: the stored unit of actuals.

    Treated as a value (changed only through `replace`); not frozen, because one is built for
    every accepted row and a frozen dataclass takes twice as long to build.
    """

    provider_ref: str
    line_ref: str
    ss_ref: str
    week_commencing: date
    planned_quarters: int
    actual_quarters: int
    frustrated_quarters: int = 0
    missed_quarters: int = 0
    extra_quarters: int = 0
    planned_visits: int | None = None
    comments: str = ""
    missed_reason: str = ""
    exceptions: tuple[Finding, ...] = ()
    frustrated_week_in_run: int = 0
    source: str = "upload"
    upload_id: str = ""
    submitted_at: datetime | None = None
    confirmed_at: datetime | None = None
    late_confirmation: bool = False
    # A day-care register's week, day by day (Monday first): A, N, W, X, or '.' for a blank day.
    # Empty for weekly actuals.
    day_codes: str = ""

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def client_chargeable_quarters(self) -> int:
        """What the person is charged for: delivered (E1); from a register, the days attended
        or missed without notice (each day carries the same share of the week)."""
        if not self.day_codes:
            return self.actual_quarters
        paid_days = sum(1 for code in self.day_codes if code in PAID_CODES)
        charged_days = sum(1 for code in self.day_codes if code in CHARGED_CODES)
        return self.actual_quarters // paid_days * charged_days if paid_days else 0

    def confirm(self, at: datetime) -> LineWeekActuals:
        return replace(
            self, confirmed_at=at, late_confirmation=is_late_confirmation(self.week_commencing, at)
        )


@dataclass(frozen=True, slots=True)
class RejectedReport:
    """A row for a line-week that was rejected: while it is the line-week's latest, the week
    cannot be confirmed (V10), so the plan is never paid in place of what the provider reported."""

    line_ref: str
    ss_ref: str
    week_commencing: date
    upload_id: str
    file: str
    row_number: int
    reasons: tuple[str, ...]
    submitted_at: datetime

    def described(self) -> str:
        return f"{self.line_ref} ({self.ss_ref}, row {self.row_number} of {self.file})"


@dataclass(frozen=True, slots=True)
class StoredLineWeek:
    """What is already known of a line-week when a new upload arrives."""

    actuals: LineWeekActuals | None = None
    paid: bool = False
    rejected: RejectedReport | None = None  # set while the latest row reported was rejected

    @property
    def confirmed(self) -> bool:
        return self.actuals is not None and self.actuals.confirmed


@dataclass(slots=True)
class RowOutcome:
    row_number: int
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    line_week: LineWeekActuals | None = None
    week: date | None = None
    wants_confirmation: bool = False
    line: WeeklyLine | None = None  # the service line the row was matched to, accepted or not
    locked: bool = False  # rejected because the line-week is confirmed or paid

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        return "accepted" if self.accepted else "rejected"

    @property
    def exceptions(self) -> tuple[Finding, ...]:
        return self.line_week.exceptions if self.line_week else ()


@dataclass(slots=True)
class ValidationContext:
    provider_ref: str
    plan: ProviderPlan
    uploaded_at: datetime
    upload_id: str = ""
    stored: Mapping[tuple[str, date], StoredLineWeek] = field(default_factory=dict)
    approvals: Approvals = field(default_factory=Approvals)
    _ss_index: dict[date, dict[str, list[WeeklyLine]]] = field(default_factory=dict)
    _ss_keys: dict[str, str] = field(default_factory=dict)  # each person's, once for every week
    uploaded_on: date = field(init=False)

    def __post_init__(self) -> None:
        self.uploaded_on = london_date(self.uploaded_at)

    def lines_of_person(self, monday: date, ss_ref: str) -> list[WeeklyLine]:
        index = self._ss_index.get(monday)
        if index is None:
            index, keys = {}, self._ss_keys
            for line in self.plan.lines_for_week(monday).values():
                key = keys.get(line.ss_ref) or keys.setdefault(line.ss_ref, line.ss_ref.upper())
                index.setdefault(key, []).append(line)
            self._ss_index[monday] = index
        return index.get(ss_ref.upper(), [])


def validate_rows(rows: Iterable[SheetRow], context: ValidationContext) -> list[RowOutcome]:
    """Check every row on its own, then the rules that look across rows (duplicates, X3 runs)."""
    outcomes = [_validate_row(row, context) for row in rows]
    reject_duplicate_line_weeks(outcomes)
    _find_long_hospital_stays(outcomes, context)
    return outcomes


# The text columns a row's stored item keeps, with the headings feedback names them by.
STORED_TEXT = {
    "ss_ref": "SS Ref",
    "line_ref": "Line Ref",
    "service": "Service",
    "service_level": "Service Level",
    "comments": "Comments",
    "missed_reason": "Missed Reason",
}
STORED_TEXT_KEYS = tuple(STORED_TEXT)


def overlong_cells(row: SheetRow) -> list[Finding]:
    return [
        error(
            "CELL",
            f"{STORED_TEXT[key]} holds {length:,} characters, more than the "
            f"{MAX_CELL_CHARS:,} a cell may: shorten it and upload the row again.",
            STORED_TEXT[key],
        )
        for key, length in row.overlong(STORED_TEXT_KEYS)
    ]


def _validate_row(row: SheetRow, context: ValidationContext) -> RowOutcome:
    """One row: its quantities (V1), week (V3, V4), line (V2, V7), the plan's rules (V5, X4),
    then the line-week to store. It goes on being checked after an error where it can, so its
    week and line are known and every error is reported."""
    outcome = RowOutcome(row.row_number)
    errors = outcome.errors
    outcome.wants_confirmation = row.text("confirm").lower() in CONFIRM_YES
    errors.extend(overlong_cells(row))
    quarters = _quarters(row, errors)
    week_and_person = week_and_person_of(row, outcome, context)
    if week_and_person is None:
        return outcome
    monday, ss_ref = week_and_person
    line = outcome.line = match_line(row, ss_ref, monday, context, errors)
    if line is not None and line.service_type is ServiceType.DAY_CARE:
        errors.append(_day_care_in_weekly_actuals(line))
        return outcome
    stored = context.stored.get((line.line_ref, monday)) if line else None
    if stored is not None and (stored.paid or stored.confirmed):
        errors.append(locked_finding(stored, monday))
        outcome.locked = True
        return outcome
    if line is None or len(quarters) < len(QUANTITY_COLUMNS):
        return outcome
    comments = row.text("comments")
    _check_against_the_plan(line, quarters, comments, errors)
    if not errors:
        outcome.warnings.extend(_unamendable_columns(row, line))
        missed_reason = _missed_reason(row, outcome.warnings)
        outcome.line_week = _line_week(line, monday, quarters, comments, missed_reason, context)
    return outcome


def _day_care_in_weekly_actuals(line: WeeklyLine) -> Finding:
    return error(
        "V2",
        f"{line.line_ref} ({line.service_level}) is a day-care line: it is reported day by day in "
        "the register, not as a weekly quantity. Fill in its row of the register sheet and "
        "upload that.",
        "Line Ref",
    )


def week_and_person_of(
    row: SheetRow, outcome: RowOutcome, context: ValidationContext
) -> tuple[date, str] | None:
    """The row's week (V3) and person (V2), then V4: the week must be over. None when the row
    can be checked no further (the findings say why)."""
    errors = outcome.errors
    monday = outcome.week = _week_from(row, errors)
    ss_ref = row.text("ss_ref")
    if not ss_ref:
        errors.append(error("V2", "SS Ref is empty: enter the person's SS Ref.", "SS Ref"))
    if monday is None or not ss_ref:
        return None
    if not context.uploaded_on > monday + SUNDAY:  # V4, judged on the London date of the upload
        errors.append(_week_not_over(monday))
        return None
    return monday, ss_ref


def _quarters(row: SheetRow, errors: list[Finding]) -> dict[str, int]:
    """V1: each quantity in quarter units; an empty Frustrated, Missed or Extra means none."""
    quarters: dict[str, int] = {}
    cells = row.cells
    for key, column in QUANTITY_COLUMNS.items():
        value = cells.get(key)
        try:
            quantity = None if value is None else quarters_in_cell(value)
        except (NotAQuarterMultiple, InvalidOperation, ValueError):
            errors.append(
                error(
                    "V1",
                    f"{column} must be a whole number of quarter hours between 0 and 168 "
                    f"(such as 0.25, 0.5, 0.75 or 1.00); '{row.text(key)}' is not.",
                    column,
                )
            )
            continue
        if quantity is not None:
            quarters[key] = quantity
        elif key == "actual":
            errors.append(error("V1", f"{column} is empty: enter the quantity delivered.", column))
        else:
            quarters[key] = 0
    return quarters


def _week_not_over(monday: date) -> Finding:
    return error(
        "V4",
        f"The week commencing {monday:%d/%m/%Y} has not ended yet (it ends on Sunday "
        f"{week_ending(monday):%d/%m/%Y}): enter actuals once the week is over.",
        "Date",
    )


def _check_against_the_plan(
    line: WeeklyLine, quarters: Mapping[str, int], comments: str, errors: list[Finding]
) -> None:
    """The service type's rules (X4, V6), and V5: a row differing from the plan says why."""
    actual, frustrated = quarters["actual"], quarters["frustrated"]
    missed, extra = quarters["missed"], quarters["extra"]
    if frustrated or extra or actual > line.planned_quarters:
        _check_service_type_rules(line, actual, frustrated, extra, errors)
    differs = actual != line.planned_quarters or frustrated or missed or extra
    if differs and not comments:
        errors.append(
            error(
                "V5",
                f"This row differs from the plan ({_describe_difference(line, quarters)}), so a "
                "comment is required saying why. Failure to complete this may result in payment "
                "being rejected.",
                "Comments",
            )
        )


def _line_week(
    line: WeeklyLine,
    monday: date,
    quarters: Mapping[str, int],
    comments: str,
    missed_reason: str,
    context: ValidationContext,
) -> LineWeekActuals:
    return LineWeekActuals(
        provider_ref=context.provider_ref,
        line_ref=line.line_ref,
        ss_ref=line.ss_ref,
        week_commencing=monday,
        planned_quarters=line.planned_quarters,
        actual_quarters=quarters["actual"],
        frustrated_quarters=quarters["frustrated"],
        missed_quarters=quarters["missed"],
        extra_quarters=quarters["extra"],
        planned_visits=line.planned_visits,
        comments=comments,
        missed_reason=missed_reason,
        exceptions=_weekly_exceptions(line, quarters, context.approvals),
        upload_id=context.upload_id,
        submitted_at=context.uploaded_at,
    )


def _missed_reason(row: SheetRow, warnings: list[Finding]) -> str:
    """One of the listed reasons, as listed; anything else is not kept (it may name a person)."""
    given = row.text("missed_reason")
    if not given:
        return ""
    reason = MISSED_REASONS.get(" ".join(given.casefold().split()))
    if reason is None:
        warnings.append(
            warning(
                "V1",
                "Missed Reason must be one of: "
                + ", ".join(MISSED_REASONS.values())
                + ". What was written there was not kept; explain anything else in Comments.",
                "Missed Reason",
            )
        )
        return ""
    return reason


@lru_cache(maxsize=8192, typed=True)  # typed: True == 1 == 1.0, but TRUE is not one hour
def quarters_in_cell(value: object) -> int | None:
    """Quarter units in a cell (None when blank); a file repeats a few figures, so each is parsed once."""
    quantity = parse_decimal(value)
    return None if quantity is None else to_quarters(quantity)


@lru_cache(maxsize=8192, typed=True)
def parse_week_date(value: object) -> date:
    """A date cell or text in YYYY-MM-DD, YYYY/MM/DD or DD/MM/YYYY (V3); ValueError otherwise.

    Memoised: an upload names a handful of weeks thousands of times.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return EXCEL_EPOCH + timedelta(days=int(value))  # an Excel serial that lost its format
    text = visible(str(value)).strip()
    if " " in text or "T" in text:
        text, _, time_part = text.replace("T", " ").partition(" ")
        if time_part.strip() not in ("", "00:00", "00:00:00"):
            raise ValueError(text)
    parts = text.replace("/", "-").split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError(text)
    if len(parts[0]) == 4:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    if len(parts[2]) == 4 and "/" in text:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    raise ValueError(text)


def _week_from(row: SheetRow, errors: list[Finding]) -> date | None:
    if row.is_empty("date"):
        errors.append(error("V3", "Date is empty: enter the Monday of the week.", "Date"))
        return None
    try:
        day = parse_week_date(row.cells["date"])
    except ValueError:
        errors.append(
            error(
                "V3",
                f"Date '{row.text('date')}' is not a date carepay can read: write the week's "
                "Monday as DD/MM/YYYY or YYYY-MM-DD.",
                "Date",
            )
        )
        return None
    if day.weekday() != 0:
        monday = week_commencing(day)
        errors.append(
            error(
                "V3",
                f"Date must be the Monday the week commences; {day:%d/%m/%Y} is a {day:%A}. "
                f"Use {monday:%d/%m/%Y}.",
                "Date",
            )
        )
        return None
    return day


def _no_line_message(ss_ref: str, monday: date) -> str:
    # The same words whether the reference is unknown or another provider's: never reveal theirs.
    return (
        f"There is no planned service line for SS Ref {ss_ref} in the week commencing "
        f"{monday:%d/%m/%Y}. Check the SS Ref, Service Level and Date; if a service line agreed "
        "by a social worker is missing, report it to the council."
    )


def match_line(
    row: SheetRow, ss_ref: str, monday: date, context: ValidationContext, errors: list[Finding]
) -> WeeklyLine | None:
    """V2: the row must match exactly one service line of this provider covering that week."""
    line_ref = row.text("line_ref")
    if line_ref:
        line = context.plan.line_for_week(line_ref, monday)
        if line is None or line.ss_ref.upper() != ss_ref.upper():
            errors.append(error("V2", _no_line_message(ss_ref, monday), "Line Ref"))
            return None
        return line
    candidates = context.lines_of_person(monday, ss_ref)
    level = row.text("service_level")
    if level and candidates and (len(candidates) > 1 or candidates[0].service_level != level):
        wanted = level.casefold()
        candidates = [c for c in candidates if c.service_level.casefold() == wanted]
    if not candidates:
        errors.append(error("V2", _no_line_message(ss_ref, monday), "SS Ref"))
        return None
    if len(candidates) > 1:
        levels = ", ".join(sorted(f"{c.service_level} ({c.line_ref})" for c in candidates))
        errors.append(
            error(
                "V2",
                f"SS Ref {ss_ref} has more than one service line that week ({levels}): fill in "
                "Service Level or Line Ref to say which one this row is for.",
                "Service Level",
            )
        )
        return None
    return candidates[0]


def locked_finding(stored: StoredLineWeek, monday: date) -> Finding:
    if stored.paid:
        return error(
            "V7",
            "You cannot confirm actuals for a week where the payment has already been processed. "
            "If the payment for this week is wrong, contact the council.",
        )
    return error(
        "V7",
        f"The week commencing {monday:%d/%m/%Y} is already confirmed for this service line, so it "
        "is locked. To correct it, contact the council to dispute or reopen the week.",
    )


def _check_service_type_rules(
    line: WeeklyLine, actual: int, frustrated: int, extra: int, errors: list[Finding]
) -> None:
    service = line.service_type
    if frustrated and not service.allows_frustrated:
        errors.append(
            error(
                "V6",
                f"Frustrated must be 0 for {service.value}: a hospital retainer is not paid for "
                "day care. Record what was not delivered as Missed.",
                QUANTITY_COLUMNS["frustrated"],
            )
        )
    if not service.pays_extras and (extra or actual > line.planned_quarters):
        advice = (
            "an increase needs a new or temporary service line agreed with the social worker"
            if service is ServiceType.ONE_TO_ONE_RESIDENTIAL
            else "day care cannot exceed the commissioned weekly total"
        )
        errors.append(
            error(
                "X4",
                f"Extra on a service that never pays extras: {service.value} cannot be claimed "
                f"above the planned {_q(line.planned_quarters)}; {advice}.",
                QUANTITY_COLUMNS["extra"] if extra else QUANTITY_COLUMNS["actual"],
            )
        )


def _q(quarters: int) -> str:
    return f"{quarters_to_decimal(quarters):.2f}"


def _describe_difference(line: WeeklyLine, quarters: Mapping[str, int]) -> str:
    parts = []
    if quarters["actual"] != line.planned_quarters:
        parts.append(f"Actual {_q(quarters['actual'])} against {_q(line.planned_quarters)} planned")
    parts.extend(
        f"{name.capitalize()} {_q(quarters[name])}"
        for name in ("frustrated", "missed", "extra")
        if quarters[name]
    )
    return "; ".join(parts)


def _unamendable_columns(row: SheetRow, line: WeeklyLine) -> list[Finding]:
    """V8: Planned and Visits come from the plan; a different figure is only a warning."""
    found: list[Finding] = []
    try:
        planned_cell = row.cells.get("planned")
        planned = None if planned_cell is None else _figure(planned_cell)
        if planned is not None and planned * QUARTERS_PER_UNIT != line.planned_quarters:
            found.append(
                warning(
                    "V8",
                    f"Weekly Planned Quantity says {row.text('planned')} but the plan is "
                    f"{_q(line.planned_quarters)}: the plan has changed since your workbook was "
                    "made, and the plan is used.",
                    "Weekly Planned Quantity",
                )
            )
        visits_cell = row.cells.get("visits")
        visits = None if visits_cell is None else _figure(visits_cell)
        if visits is not None and line.planned_visits is not None and visits != line.planned_visits:
            found.append(
                warning(
                    "V8",
                    f"Weekly Number Of Visits cannot be changed: {row.text('visits')} was given, "
                    f"the planned {line.planned_visits} is kept.",
                    "Weekly Number Of Visits",
                )
            )
    except InvalidOperation:
        found.append(
            warning(
                "V8", "Weekly Planned Quantity and Number Of Visits are not amendable; ignored."
            )
        )
    return found


@lru_cache(maxsize=1024)
def _figure(value: object) -> Decimal | None:
    """A figure the provider may not change (planned quantity, visits), parsed once per file."""
    return parse_decimal(value)


def _weekly_exceptions(
    line: WeeklyLine, quarters: Mapping[str, int], approvals: Approvals
) -> tuple[Finding, ...]:
    actual, frustrated = quarters["actual"], quarters["frustrated"]
    missed, extra = quarters["missed"], quarters["extra"]
    if actual == line.planned_quarters and not (frustrated or missed or extra):
        return ()  # delivered as planned: most rows of most weeks
    found: list[Finding] = []
    if actual + frustrated + missed != line.planned_quarters + extra:
        found.append(
            exception(
                "X1",
                f"Actual does not add up: Actual + Frustrated + Missed "
                f"({_q(actual + frustrated + missed)}) is not Planned + Extra "
                f"({_q(line.planned_quarters + extra)}). Payment is not affected; this is "
                "expected for a short-notice cancellation.",
            )
        )
    over_plan = actual > line.planned_quarters or extra > 0
    if over_plan and not approvals.approved_extra_quarters(line.line_ref, line.week_commencing):
        found.append(
            exception(
                "X2",
                f"Planned exceeded for week: {_q(actual)} claimed against {_q(line.planned_quarters)} "
                "planned without an approval for extras. This line is held and will not be paid "
                "until it is corrected or the extra is approved.",
            )
        )
    return tuple(found)


def rejected_reports(
    outcomes: Iterable[RowOutcome], upload_id: str, file: str, uploaded_at: datetime
) -> list[RejectedReport]:
    """The rejected rows that become their line-week's latest report (V10): rows matched to a
    line and week that is still open, one per line-week (duplicates are all rejected). A row for
    a locked line-week changes nothing."""
    reports = {
        (outcome.line.line_ref, outcome.week): RejectedReport(
            line_ref=outcome.line.line_ref,
            ss_ref=outcome.line.ss_ref,
            week_commencing=outcome.week,
            upload_id=upload_id,
            file=file,
            row_number=outcome.row_number,
            reasons=tuple(finding.message for finding in outcome.errors),
            submitted_at=uploaded_at,
        )
        for outcome in outcomes
        if outcome.errors and outcome.line and outcome.week and not outcome.locked
    }
    return list(reports.values())


def reject_duplicate_line_weeks(outcomes: list[RowOutcome]) -> None:
    """Two rows for the same line and week (accepted or not): neither can be trusted, so both
    are rejected, and neither becomes the line-week's latest report on its own."""
    first_row: dict[tuple[str, date], RowOutcome] = {}
    repeated: dict[tuple[str, date], list[RowOutcome]] = {}
    for outcome in outcomes:
        if outcome.line is not None and outcome.week is not None:
            key = (outcome.line.line_ref, outcome.week)
            earlier = first_row.setdefault(key, outcome)
            if earlier is not outcome:
                repeated.setdefault(key, [earlier]).append(outcome)
    for (line_ref, monday), same in repeated.items():
        numbers = ", ".join(str(o.row_number) for o in same)
        for outcome in same:
            outcome.line_week = None
            outcome.errors.append(
                error(
                    "V2",
                    f"Rows {numbers} are all for service line {line_ref} in the week commencing "
                    f"{monday:%d/%m/%Y}: keep one row per service line per week.",
                )
            )


def _find_long_hospital_stays(outcomes: list[RowOutcome], context: ValidationContext) -> None:
    """X3: the 7th and later consecutive week with Frustrated > 0 on a line, without an approval.

    The run is counted over this upload's rows and what is stored; six weeks back is enough.
    """
    lines_in_hospital = {
        o.line_week.line_ref for o in outcomes if o.line_week and o.line_week.frustrated_quarters
    }
    if not lines_in_hospital:
        return
    frustrated_in_upload = {
        (o.line_week.line_ref, o.line_week.week_commencing): o.line_week.frustrated_quarters
        for o in outcomes
        if o.line_week is not None and o.line_week.line_ref in lines_in_hospital
    }

    def was_frustrated(line_ref: str, monday: date) -> bool:
        in_upload = frustrated_in_upload.get((line_ref, monday))
        if in_upload is not None:
            return in_upload > 0
        stored = context.stored.get((line_ref, monday))
        return (
            stored is not None
            and stored.actuals is not None
            and stored.actuals.frustrated_quarters > 0
        )

    for outcome in outcomes:
        line_week = outcome.line_week
        if line_week is None or not line_week.frustrated_quarters:
            continue
        line_ref, monday = line_week.line_ref, line_week.week_commencing
        run = 1
        while run <= FRUSTRATED_WEEKS_PAID and was_frustrated(
            line_ref, monday - timedelta(weeks=run)
        ):
            run += 1
        found = line_week.exceptions
        if run > FRUSTRATED_WEEKS_PAID and not context.approvals.frustrated_approved(
            line_ref, monday
        ):
            found += (
                exception(
                    "X3",
                    "Frustrated beyond 6 weeks: this is at least the 7th week in a row with "
                    "Frustrated hours on this line. The frustrated hours are held until the council "
                    "approves a longer hospital retainer.",
                ),
            )
        outcome.line_week = replace(line_week, exceptions=found, frustrated_week_in_run=run)
