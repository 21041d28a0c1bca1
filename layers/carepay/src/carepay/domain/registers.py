"""Day-care registers (DOMAIN.md, "Day-care registers"): a week of sessions, support hours and
journeys per line, marked day by day, checked by R1–R5 and paid day by day (E15).

Pure: a register row arrives as the text of its day cells; the line's plan and its per-day
rates are given. Nothing here reads a file or the clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

from carepay.domain.findings import Finding, error, warning
from carepay.domain.money import (
    QUARTERS_PER_UNIT,
    round_half_up_pence,
    to_quarters,
)
from carepay.domain.rows import visible
from carepay.domain.service_lines import (
    ServiceLineVersion,
    Unit,
    covers_whole_week,
    rate_on,
    rate_pence,
    versions_in_week,
)
from carepay.domain.weeks import days_of_week

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LONG_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_WORDS = {
    word.lower(): index
    for index, (short, long) in enumerate(zip(DAY_NAMES, _LONG_NAMES, strict=True))
    for word in (short, long)
} | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}


class DayCode(StrEnum):
    ATTENDED = "A"  # attended / delivered: paid, charged
    WITH_NOTICE = "N"  # absent with notice: paid, not charged
    WITHOUT_NOTICE = "W"  # absent without notice: paid, charged
    NON_PAYMENT = "X"  # absent, not to be paid

    @property
    def paid(self) -> bool:
        return self is not DayCode.NON_PAYMENT

    @property
    def charged(self) -> bool:
        """Client-chargeable: attended, or absent without notice (as a short-notice cancellation)."""
        return self in (DayCode.ATTENDED, DayCode.WITHOUT_NOTICE)


PAID_CODES = frozenset(code.value for code in DayCode if code.paid)
CHARGED_CODES = frozenset(code.value for code in DayCode if code.charged)
_CODE_WORDS = {code.value.lower(): code for code in DayCode} | {
    "attended": DayCode.ATTENDED,
    "delivered": DayCode.ATTENDED,
    "with notice": DayCode.WITH_NOTICE,
    "absent with notice": DayCode.WITH_NOTICE,
    "without notice": DayCode.WITHOUT_NOTICE,
    "absent without notice": DayCode.WITHOUT_NOTICE,
    "non-payment": DayCode.NON_PAYMENT,
    "non payment": DayCode.NON_PAYMENT,
}


class PlannedDaysError(ValueError):
    """A Day Care line's Days or quantity cannot make a register (the import rejects the row)."""


def parse_days(text: str) -> tuple[int, ...]:
    """`Mon Wed Fri`, `mon,wed, fri`, `Monday Wednesday`: the planned weekdays, Monday = 0."""
    words = [w for w in re.split(r"[\s,;/]+", text.strip().lower()) if w]
    if not words:
        raise PlannedDaysError("Days is empty: give the planned weekdays, e.g. Mon Wed Fri")
    unknown = [w for w in words if w not in _DAY_WORDS]
    if unknown:
        raise PlannedDaysError(
            f"Days has {', '.join(repr(w) for w in unknown)}: use Mon Tue Wed Thu Fri Sat Sun"
        )
    days = sorted({_DAY_WORDS[w] for w in words})
    return tuple(days)


def per_day_quarters(planned_quarters: int, days: Sequence[int], whole_units: bool) -> int:
    """The quantity each planned day carries: whole sessions or journeys, or quarter hours."""
    if not days:
        raise PlannedDaysError("a Day Care line needs its Days")
    quarters, remainder = divmod(planned_quarters, len(days))
    if remainder or (whole_units and quarters % QUARTERS_PER_UNIT):
        each = Fraction(planned_quarters, len(days) * QUARTERS_PER_UNIT)
        unit = "whole sessions or journeys" if whole_units else "quarter hours"
        raise PlannedDaysError(
            f"Planned Quantity {Fraction(planned_quarters, QUARTERS_PER_UNIT)} over "
            f"{len(days)} days is {float(each):g} a day: a day must carry {unit}"
        )
    return quarters


@dataclass(frozen=True)
class RegisterLine:
    """What a register row is checked and paid against: the line's plan for the week."""

    line_ref: str
    ss_ref: str
    planned_days: tuple[int, ...]  # weekday indices, Monday = 0
    per_day_quarters: int
    day_rates_pence: tuple[Fraction | None, ...]  # the rate in force each day (None: not in force)


@dataclass
class RegisterOutcome:
    """A register row checked: its day codes (blank days absent), findings, and what is paid."""

    codes: dict[int, DayCode] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def paid_days(self) -> list[int]:
        return sorted(day for day, code in self.codes.items() if code.paid)

    @property
    def charged_days(self) -> list[int]:
        return sorted(day for day, code in self.codes.items() if code.charged)

    def summary(self) -> str:
        """The codes counted, as the remittance shows them: `3 attended, 1 with notice`."""
        words = {
            DayCode.ATTENDED: "attended",
            DayCode.WITH_NOTICE: "with notice",
            DayCode.WITHOUT_NOTICE: "without notice",
            DayCode.NON_PAYMENT: "non-payment",
        }
        counts = [(words[c], sum(1 for v in self.codes.values() if v is c)) for c in DayCode]
        return ", ".join(f"{n} {word}" for word, n in counts if n)


def check_register_row(
    line: RegisterLine, cells: Mapping[int, object], all_week: str = ""
) -> RegisterOutcome:
    """R1–R5 for one line's week: `cells` is each day cell as read (Monday = 0)."""
    outcome = RegisterOutcome()
    codes = outcome.codes
    for day, cell in cells.items():
        text = _CELL_TEXT.get(cell) if type(cell) is str else None
        if text is None:
            text = "" if cell is None else visible(str(cell)).strip().lower()
        if not text:
            continue
        code = _CODE_WORDS.get(text)
        if code is None:
            outcome.errors.append(_r1(day, text))
            continue
        codes[day] = code
    if all_week:
        _apply_all_week(line, all_week, outcome)
    if codes.keys() != set(line.planned_days) or any(
        c is not DayCode.ATTENDED for c in codes.values()
    ):
        _check_against_the_plan(line, outcome)  # the week as planned (most rows) breaks no rule
    return outcome


# The cells a register mostly holds, read without stripping and lowering each one.
_CELL_TEXT = {"A": "a", "a": "a", "": "", "N": "n", "W": "w", "X": "x"}


def _r1(day: int, text: str) -> Finding:
    return error(
        "R1",
        f"{DAY_NAMES[day]} holds {text!r}: use A (attended), N (absent with notice), "
        "W (absent without notice), X (non-payment) or leave it blank",
        DAY_NAMES[day],
    )


def _apply_all_week(line: RegisterLine, all_week: str, outcome: RegisterOutcome) -> None:
    text = all_week.strip().lower()
    if not text:
        return
    code = _CODE_WORDS.get(text)
    if code is None or code is DayCode.ATTENDED:
        outcome.errors.append(
            error(
                "R1",
                f"All Week holds {all_week.strip()!r}: use N, W or X (absent all week), or "
                "leave it blank",
                "All Week",
            )
        )
        return
    marked = [d for d, c in outcome.codes.items() if c is not DayCode.ATTENDED]
    if marked:
        outcome.errors.append(
            error(
                "R1",
                f"All Week is {code.value} but {DAY_NAMES[marked[0]]} is marked too: use one "
                "or the other",
                "All Week",
            )
        )
        return
    for day in line.planned_days:
        outcome.codes[day] = code


def _check_against_the_plan(line: RegisterLine, outcome: RegisterOutcome) -> None:
    planned = set(line.planned_days)
    for day, code in sorted(outcome.codes.items()):
        if day not in planned and code is not DayCode.ATTENDED:  # R3 allows an A: a swap
            outcome.errors.append(
                error(
                    "R4",
                    f"{DAY_NAMES[day]} is {code.value} but nothing was planned that day: "
                    "leave it blank, or A if the person came instead of another day",
                    DAY_NAMES[day],
                )
            )
    paid = sum(1 for code in outcome.codes.values() if code.paid)
    if paid > len(planned):
        outcome.errors.append(
            error(
                "R2",
                f"{paid} paid days (A, N, W) against {len(planned)} planned: you cannot exceed "
                "the number of sessions, support hours or transport journeys commissioned for "
                "the week",
            )
        )
    for day in sorted(planned - set(outcome.codes)):
        outcome.warnings.append(
            warning(
                "R5",
                f"{DAY_NAMES[day]} was planned but is blank, so it is not paid: mark N or W if "
                "the person was absent, X if the day is not to be paid",
                DAY_NAMES[day],
            )
        )


def register_amount_pence(line: RegisterLine, outcome: RegisterOutcome) -> int:
    """Paid days × the per-day quantity, each day at its own rate, rounded half-up once (E15)."""
    return paid_days_amount_pence(line, outcome.paid_days)


def paid_days_amount_pence(line: RegisterLine, paid_days: Sequence[int]) -> int:
    """The days' amount: a swapped-in day is paid at that day's rate; a day the line is not in
    force is not paid."""
    exact = sum(
        (
            Fraction(line.per_day_quarters, QUARTERS_PER_UNIT) * rate
            for day in paid_days
            if (rate := line.day_rates_pence[day]) is not None
        ),
        Fraction(0),
    )
    return round_half_up_pence(exact)


BLANK_DAY = "."


def day_codes_text(codes: Mapping[int, DayCode]) -> str:
    """A week's codes as stored with its line-week: seven characters, Monday first."""
    return "".join(codes[day].value if day in codes else BLANK_DAY for day in range(7))


def day_codes_of(text: str) -> dict[int, DayCode]:
    return {day: DayCode(code) for day, code in enumerate(text) if code != BLANK_DAY}


def summary_of(text: str) -> str:
    """A stored week's codes counted, as the remittance shows them: `3 attended, 1 with notice`."""
    return RegisterOutcome(codes=day_codes_of(text)).summary()


def as_planned_codes(line: RegisterLine) -> str:
    """A register week as planned: attended on every planned day the line is in force."""
    return day_codes_text(
        {
            day: DayCode.ATTENDED
            for day in line.planned_days
            if line.day_rates_pence[day] is not None
        }
    )


def register_line_for_week(
    versions: Sequence[ServiceLineVersion], monday: date
) -> RegisterLine | None:
    """A Day Care line's register terms for a week: its planned days and per-day quantity from
    the version in force at the end of the week (the plan as it stands, as for actuals), and
    each day's rate from the version in force that day (None where none is)."""
    live = versions_in_week(versions, monday)
    if not live:
        return None
    latest = live[-1]  # versions come sorted by start date; a later one replaces an earlier one
    if covers_whole_week(live, monday):
        rates: tuple[Fraction | None, ...] = (rate_pence(latest.unit_rate),) * 7  # the usual week
    else:
        rates = tuple(rate_on(live, day) for day in days_of_week(monday))
    return RegisterLine(
        latest.line_ref,
        latest.ss_ref,
        latest.days,
        _per_day(latest.planned_quantity, latest.days, latest.unit is not Unit.HOUR),
        rates,
    )


@lru_cache(maxsize=4096)  # a register names a handful of quantities thousands of times
def _per_day(planned_quantity: Decimal, days: tuple[int, ...], whole_units: bool) -> int:
    return per_day_quarters(to_quarters(planned_quantity), days, whole_units)
