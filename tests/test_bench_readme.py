"""The README's Measured table is the one `make bench-readme` writes: every goal's row, from one
run, between the markers, and nothing else in the README touched by writing it."""

from __future__ import annotations

import re

import pytest

from tests.bench_readme import BEGIN, END, GOALS, README, Figures, met, written_into


def every_goal_measured() -> Figures:
    figures = Figures()
    for goal in GOALS:
        figures.record(goal.key, f"{goal.key} measured", "floor", met(True))
    return figures


def test_the_readme_table_is_the_one_the_bench_writes_with_every_goal_in_order() -> None:
    readme = README.read_text()
    assert readme.count(BEGIN) == readme.count(END) == 1
    written = readme.split(BEGIN)[1].split(END)[0].strip().splitlines()
    assert re.match(r"From one `make bench-readme` run at `[0-9a-f]{7,}`, 20\d\d-", written[0])
    header, rows = written[2:4], written[4:]
    assert header == every_goal_measured().table("").splitlines()[2:4]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [g.work for g in GOALS]
    assert [row.split(" | ")[3] for row in rows] == [goal.goal for goal in GOALS]
    assert all(re.search(r"\| \*\*(yes|no)\*\*[^|]*\|$", row) for row in rows)


def test_writing_the_table_replaces_what_is_between_the_markers_and_nothing_else() -> None:
    readme = f"# carepay\n\nBefore.\n\n{BEGIN}\n| an old table |\n{END}\n\nAfter.\n"
    written = written_into(readme, "| the new table |")
    assert written == f"# carepay\n\nBefore.\n\n{BEGIN}\n| the new table |\n{END}\n\nAfter.\n"
    assert written_into(written, "| the new table |") == written


def test_a_readme_without_its_markers_is_not_written() -> None:
    with pytest.raises(ValueError, match="lost its markers"):
        written_into("# carepay\n\nNo table here.\n", "| a table |")


def test_a_run_cut_short_makes_no_table_and_names_what_it_did_not_measure() -> None:
    figures = every_goal_measured()
    del figures.rows["cold start"], figures.rows["kernel"]
    with pytest.raises(ValueError, match="not measured in this run: kernel, cold start"):
        figures.table("From a run cut short")


def test_a_figure_is_recorded_only_for_a_goal_the_table_has() -> None:
    with pytest.raises(KeyError, match="no goal 'speed'"):
        Figures().record("speed", "fast", "—", met(True))


def test_a_bar_in_a_figure_stays_inside_its_cell() -> None:
    figures = every_goal_measured()
    figures.record("memory", "csv | xlsx", "—", met(False, "over by 1 MB"))
    [memory] = [row for row in figures.table("run").splitlines() if row.startswith("| peak")]
    assert memory.count(" | ") == 4 and "csv \\| xlsx" in memory
    assert memory.endswith("| **no**: over by 1 MB |")
