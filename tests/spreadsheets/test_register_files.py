"""A day-care register as a provider sends it: recognised by its day columns, read into each
line's day cells, and checked by the register rules."""

from __future__ import annotations

from fractions import Fraction

from carepay.domain.registers import RegisterLine, check_register_row, register_amount_pence
from carepay.spreadsheets.reading import read_table
from carepay.spreadsheets.schemas import REGISTER_UPLOAD, is_register

REGISTER = (
    "Line Ref,SS Ref,Service Level,Week Commencing,Mon,Tue,Wed,Thu,Fri,All Week,Comments,Submit\n"
    "L401,SS400,AM Session,03/03/2025,A,,N,A,,,Swapped Friday for Thursday,Y\n"
    "L402,SS400,Transport,03/03/2025,a,,x,,attended,,,Y\n"
)


def test_a_register_is_told_from_weekly_actuals_by_its_day_columns() -> None:
    assert is_register(REGISTER.splitlines()[0].split(","))
    assert not is_register(["SS Ref", "Date", "Weekly Actual Quantity", "Mon", "Tue", "Wed"])
    assert not is_register(["SS Ref", "Date", "Mon", "Tue"])


def test_a_register_csv_is_read_into_each_lines_day_cells_and_checked() -> None:
    table = read_table(REGISTER.encode(), "register.csv", REGISTER_UPLOAD)
    rows = list(table.rows)
    cells = [{day: row.text(f"day_{day}") for day in range(7)} for row in rows]
    assert [row.text("line_ref") for row in rows] == ["L401", "L402"]
    am = RegisterLine("L401", "SS400", (0, 2, 4), 4, (Fraction(3000),) * 7)
    week = check_register_row(am, cells[0], rows[0].text("all_week"))
    assert week.accepted and register_amount_pence(am, week) == 9000
    transport = RegisterLine("L402", "SS400", (0, 2, 4), 8, (Fraction(600),) * 7)
    week = check_register_row(transport, cells[1])
    assert week.summary() == "2 attended, 1 non-payment"
    assert register_amount_pence(transport, week) == 2400
