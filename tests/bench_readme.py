"""The README's Measured table, made from one `make bench` run: a row for each of issue 15's
goals, with what that run measured, the floor it measured beside it, and whether the goal was
met in that run. `make bench-readme` writes it between the README's two markers, so the table
never mixes runs or is copied by hand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN = "<!-- begin: the table `make bench-readme` writes (tests/bench_readme.py) -->"
END = "<!-- end: the table `make bench-readme` writes -->"


@dataclass(frozen=True)
class Goal:
    key: str
    work: str
    goal: str


GOALS = (
    Goal(
        "whole upload",
        "whole upload end to end (read, validate, items, feedback workbook and JSON; no "
        "storage), each run in a fresh process",
        "≥ 25,000 rows/s",
    ),
    Goal("xlsx read", "xlsx read + validate", "≥ 0.6× calamine's bare read"),
    Goal("csv read", "CSV read + validate", "≥ 250,000 rows/s"),
    Goal("memory", "peak memory of the whole upload, each run in a fresh process", "≤ 256 MB"),
    Goal(
        "re-upload",
        "re-uploading the same claim again and again, through the deployed template on moto",
        "the 10th as fast as the 1st",
    ),
    Goal(
        "run reads",
        "a payment run's reads, through the deployed template on moto",
        "bounded by the weeks that can still change",
    ),
    Goal(
        "kernel",
        "payment kernel, one provider, in Lambda's shape (a plan built for the run, the cycle "
        "collector paused), alone in a fresh process",
        "≥ 1,000,000 line-weeks/s, flat",
    ),
    Goal(
        "parsing",
        "around the kernel: reading a 1 MB page of actuals (DynamoDB's most a query returns)",
        "parsing ≤ the kernel's time",
    ),
    Goal(
        "upload requests",
        "DynamoDB requests, one upload through the deployed template on moto",
        "≤ ⌈rows/25⌉ + 3 writes",
    ),
    Goal("run requests", "DynamoDB requests, the payment runs above", "no scans"),
    Goal("claim workbook", "claim workbook", "< 0.25 s for 2,000 lines"),
    Goal("feedback workbook", "feedback workbook", "< 1.5 s for 10,000 rows"),
    Goal("register workbook", "a day centre's register workbook", "< 0.5 s for 1,600 lines"),
    Goal(
        "cold start",
        "cold start of each handler: import + services built, in fresh interpreters",
        "≤ 1.2× the bare floor",
    ),
)


@dataclass(frozen=True)
class Measured:
    measured: str
    floor: str
    met: str


def ordinal(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def met(yes: bool, why: str = "") -> str:
    """The last column: met or not, in bold, then the figures that say so."""
    return f"**{'yes' if yes else 'no'}**" + (f": {why}" if why else "")


class Figures:
    """The table's rows as the bench's sections measure them."""

    def __init__(self) -> None:
        self.rows: dict[str, Measured] = {}

    def record(self, key: str, measured: str, floor: str, verdict: str) -> None:
        if key not in {goal.key for goal in GOALS}:
            raise KeyError(f"no goal {key!r} in tests/bench_readme.py")
        self.rows[key] = Measured(measured, floor, verdict)

    def table(self, made_by: str) -> str:
        """The table in Markdown, under a line saying which run made it; every goal's row must
        have been measured (a bench cut short writes nothing)."""
        missing = [goal.key for goal in GOALS if goal.key not in self.rows]
        if missing:
            raise ValueError(f"not measured in this run: {', '.join(missing)}")
        lines = [
            made_by,
            "",
            "| work | measured (median, min–max) | floor, in the same run | goal | met? |",
            "| --- | --- | --- | --- | --- |",
        ]
        for goal in GOALS:
            row = self.rows[goal.key]
            cells = (goal.work, row.measured, row.floor, goal.goal, row.met)
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        return "\n".join(lines)


def written_into(readme: str, table: str) -> str:
    """The README with the text between its two markers replaced by `table`, the rest as it was."""
    before, begin, rest = readme.partition(BEGIN)
    _, end, after = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"README.md has lost its markers: {BEGIN} … {END}")
    return f"{before}{BEGIN}\n{table}\n{END}{after}"
