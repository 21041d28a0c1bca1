"""Day-care registers (DOMAIN.md): R1–R5, payment day by day, and E15 as its worked example."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carepay.domain.care_packages import read_care_packages
from carepay.domain.findings import Finding
from carepay.domain.registers import (
    DAY_NAMES,
    PlannedDaysError,
    RegisterLine,
    RegisterOutcome,
    check_register_row,
    parse_days,
    per_day_quarters,
    register_amount_pence,
    register_line_for_week,
)
from carepay.domain.rows import SheetRow

SESSION, JOURNEY, HOUR = Fraction(3000), Fraction(600), Fraction(1800)  # pence


def line(days: str, planned_units: int, rate: Fraction, whole: bool = True) -> RegisterLine:
    planned_days = parse_days(days)
    return RegisterLine(
        "L1",
        "SS400",
        planned_days,
        per_day_quarters(planned_units * 4, planned_days, whole),
        (rate,) * 7,
    )


def row(**marks: str) -> dict[int, str]:
    return {DAY_NAMES.index(day.title()): code for day, code in marks.items()}


def test_e15_a_day_centres_week_is_paid_day_by_day() -> None:
    am = line("Mon Wed Fri", 3, SESSION)
    transport = line("Mon Wed Fri", 6, JOURNEY)
    pm = line("Tue Thu", 2, SESSION)
    support = line("Tue", 3, HOUR, whole=False)

    am_week = check_register_row(am, row(mon="A", wed="N", thu="A"))
    assert am_week.accepted and register_amount_pence(am, am_week) == 9000  # swap Fri→Thu
    transport_week = check_register_row(transport, row(mon="A", wed="X", fri="A"))
    assert register_amount_pence(transport, transport_week) == 2400  # 2 days × 2 journeys
    pm_week = check_register_row(pm, row(tue="W", thu="A", fri="A"))
    assert [f.code for f in pm_week.errors] == ["R2"]  # 3 paid days > 2
    support_week = check_register_row(support, row(tue="A"))
    assert register_amount_pence(support, support_week) == 5400

    corrected = check_register_row(pm, row(tue="W", thu="A"))
    assert register_amount_pence(pm, corrected) == 6000
    paid = [(am, am_week), (transport, transport_week), (pm, corrected), (support, support_week)]
    assert sum(register_amount_pence(lin, week) for lin, week in paid) == 22800


def test_r1_a_day_cell_holds_one_of_the_codes_and_the_words_are_accepted_too() -> None:
    week = check_register_row(line("Mon Wed", 2, SESSION), row(mon="attended", wed="maybe"))
    assert [f.code for f in week.errors] == ["R1"] and "'maybe'" in week.errors[0].message
    assert week.codes == {0: "A"}


def test_r2_paid_days_beyond_the_planned_ones_reject_the_row_saying_what_was_commissioned() -> None:
    week = check_register_row(line("Tue Thu", 2, SESSION), row(tue="W", thu="N", fri="A"))
    assert [f.code for f in week.errors] == ["R2"]
    assert week.errors[0].message == (
        "3 paid days (A, N, W) against 2 planned: you cannot exceed the number of sessions, "
        "support hours or transport journeys commissioned for the week"
    )
    assert check_register_row(line("Tue Thu", 2, SESSION), row(tue="X", thu="A", fri="A")).accepted


def test_r3_an_attended_day_that_was_not_planned_is_a_swap_within_the_planned_days() -> None:
    week = check_register_row(line("Mon Wed", 2, SESSION), row(mon="A", thu="A"))
    assert week.accepted and week.paid_days == [0, 3]
    assert [f.code for f in week.warnings] == ["R5"]  # Wednesday, left blank, is not paid


def test_r4_an_absence_on_a_day_nothing_was_planned_is_an_error() -> None:
    week = check_register_row(line("Mon Wed", 2, SESSION), row(mon="A", tue="N"))
    assert [f.code for f in week.errors] == ["R4"]
    assert week.errors[0].message.startswith("Tue is N but nothing was planned that day")


def test_r5_a_planned_day_left_blank_is_not_paid_and_says_what_to_mark() -> None:
    am = line("Mon Wed Fri", 3, SESSION)
    week = check_register_row(am, row(mon="A", wed="A"))
    assert week.accepted and [f.code for f in week.warnings] == ["R5"]
    assert "mark N or W" in week.warnings[0].message
    assert register_amount_pence(am, week) == 6000


def test_all_week_marks_every_planned_day_and_cannot_be_mixed_with_other_absences() -> None:
    am = line("Mon Wed Fri", 3, SESSION)
    absent = check_register_row(am, {}, all_week="N")
    assert absent.summary() == "3 with notice" and register_amount_pence(am, absent) == 9000
    mixed = check_register_row(am, row(mon="W"), all_week="X")
    assert [f.code for f in mixed.errors] == ["R1"]


def test_a_rate_change_mid_week_pays_each_day_at_its_own_rate() -> None:
    uplifted = RegisterLine("L1", "SS400", (0, 2, 4), 4, (SESSION,) * 3 + (Fraction(3300),) * 4)
    week = check_register_row(uplifted, row(mon="A", wed="A", fri="A"))
    assert register_amount_pence(uplifted, week) == 3000 + 3000 + 3300


@pytest.mark.parametrize(
    ("days", "planned", "whole", "says"),
    [
        ("", 3, True, "Days is empty"),
        ("Mon Funday", 3, True, "'funday'"),
        ("Mon Wed", 3, True, "1.5 a day"),
        ("Mon Wed Fri", 1, False, "quarter hours"),
    ],
)
def test_a_day_care_line_whose_days_cannot_carry_its_quantity_is_refused(
    days: str, planned: int, whole: bool, says: str
) -> None:
    with pytest.raises(PlannedDaysError, match=says):
        per_day_quarters(planned * 4, parse_days(days), whole)


codes = st.sampled_from(["", "A", "N", "W", "X"])
planned_days = st.sets(st.integers(0, 6), min_size=1).map(lambda days: tuple(sorted(days)))


@given(planned_days, st.lists(codes, min_size=7, max_size=7))
def test_paid_days_never_exceed_planned_days_in_an_accepted_row(
    planned: tuple[int, ...], marks: list[str]
) -> None:
    register = RegisterLine("L1", "SS1", planned, 4, (SESSION,) * 7)
    week = check_register_row(register, dict(enumerate(marks)))
    if week.accepted:
        assert len(week.paid_days) <= len(planned)
        per_day = [register_amount_pence(register, _only(week, day)) for day in week.paid_days]
        assert register_amount_pence(register, week) == sum(per_day)


@given(st.sets(st.integers(0, 6), min_size=1, max_size=6), st.data())
def test_swapping_a_day_never_changes_the_amount_when_rates_are_flat(
    planned_set: set[int], data: st.DataObject
) -> None:
    planned = tuple(sorted(planned_set))
    away = data.draw(st.sampled_from(planned))
    to = data.draw(st.sampled_from(sorted(set(range(7)) - planned_set)))
    register = RegisterLine("L1", "SS1", planned, 4, (SESSION,) * 7)
    as_planned = check_register_row(register, dict.fromkeys(planned, "A"))
    swapped = {**dict.fromkeys(planned, "A"), to: "A"}
    del swapped[away]
    week = check_register_row(register, swapped)
    assert week.accepted
    assert register_amount_pence(register, week) == register_amount_pence(register, as_planned)


def _only(week: RegisterOutcome, day: int) -> RegisterOutcome:
    """The week with just one of its paid days, as if the others were blank."""
    return RegisterOutcome(codes={day: week.codes[day]})


def package_row(number: int, **cells: str) -> SheetRow:
    base = {
        "provider_ref": "P400",
        "line_ref": f"L40{number}",
        "ss_ref": "SS400",
        "service_type": "Day Care",
        "service_level": "AM Session",
        "unit": "session",
        "planned_quantity": "3",
        "unit_rate": "30.00",
        "start_date": "2025-03-03",
        "days": "Mon Wed Fri",
    }
    return SheetRow(number, base | cells)


def test_a_day_care_line_is_imported_with_its_days_and_refused_without_them() -> None:
    imported = read_care_packages(
        [
            package_row(1),
            package_row(2, days=""),
            package_row(3, days="Mon, Wed", planned_quantity="3"),
            package_row(4, service_type="Support at Day Care", unit="hour", days=""),
        ]
    )
    assert [(v.line_ref, v.days) for v in imported.versions] == [("L401", (0, 2, 4)), ("L404", ())]
    reasons = {number: " ".join(problems) for number, problems in _messages(imported.rejected)}
    assert "needs Days" in reasons[2] and "1.5 a day" in reasons[3]


def _messages(rejected: list[tuple[int, list[Finding]]]) -> list[tuple[int, list[str]]]:
    return [(number, [f.message for f in findings]) for number, findings in rejected]


def test_a_lines_register_terms_come_from_the_plan_and_each_days_rate_from_its_day() -> None:
    versions = read_care_packages(
        [
            package_row(1, unit_rate="30.00", start_date="2025-03-03"),
            SheetRow(2, package_row(1).cells | {"unit_rate": "33.00", "start_date": "2025-03-06"}),
        ]
    ).versions
    register = register_line_for_week(versions, date(2025, 3, 3))
    assert register is not None
    assert (register.planned_days, register.per_day_quarters) == ((0, 2, 4), 4)
    assert register.day_rates_pence == (3000, 3000, 3000, 3300, 3300, 3300, 3300)
    week = check_register_row(register, row(mon="A", wed="A", fri="A"))
    assert register_amount_pence(register, week) == 3000 + 3000 + 3300
    assert register_line_for_week(versions, date(2025, 2, 24)) is None  # not yet in force
