"""`make bench`: figures for the ingest path, printed side by side. Asserts nothing.

uv run python -m tests.bench [--quick | --readme]

`--readme` (`make bench-readme`) also writes the run's table of goals into README.md
(tests/bench_readme.py).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import resource
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from math import ceil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")

from carepay.domain.actuals import (  # noqa: E402
    SUNDAY,
    LineWeekActuals,
    RowOutcome,
    ValidationContext,
    parse_week_date,
    quarters_in_cell,
    validate_rows,
)
from carepay.domain.rows import SheetRow  # noqa: E402
from carepay.domain.service_lines import (  # noqa: E402
    ProviderPlan,
    ServiceLineVersion,
    ServiceType,
    Unit,
    WeeklyLine,
)
from carepay.domain.weeks import LONDON  # noqa: E402
from carepay.services.collector import cycle_collection_paused  # noqa: E402
from carepay.spreadsheets.reading import formula_cells, read_table  # noqa: E402
from carepay.spreadsheets.safety import inspect_container  # noqa: E402
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD  # noqa: E402
from tests.bench_readme import README, Figures, met, ordinal, written_into  # noqa: E402

PROVIDER = "P001"
FIGURES = Figures()  # the README's table, as this run measures it
CALAMINE_BARE_READ: list[str] = []  # rows/s at each size: how fast the machine went
LINES = 1_000
FIRST_WEEK = date(2025, 4, 7)
HEADER = [
    "SS Ref",
    "Service Level",
    "Date",
    "Weekly Planned Quantity",
    "Weekly Actual Quantity",
    "Weekly Frustrated Quantity",
    "Weekly Missed Quantity",
    "Weekly Extra Quantity",
    "Weekly Number Of Visits",
    "Comments",
    "Confirm",
]


def line_versions() -> list[ServiceLineVersion]:
    return [
        ServiceLineVersion(
            provider_ref=PROVIDER,
            line_ref=f"L{n:05d}",
            ss_ref=f"SS{n:05d}",
            service_type=ServiceType.HOME_SUPPORT,
            service_level="Single-handed",
            unit=Unit.HOUR,
            planned_quantity=Decimal("7.5"),
            planned_visits=7,
            unit_rate=Decimal("21.37"),
            start_date=date(2025, 4, 1),
        )
        for n in range(LINES)
    ]


_LOADED_VERSIONS: list[ServiceLineVersion] = []


def plan() -> ProviderPlan:
    """A fresh plan over the provider's line versions, as the store would load them."""
    if not _LOADED_VERSIONS:
        _LOADED_VERSIONS.extend(line_versions())
    return ProviderPlan(PROVIDER, _LOADED_VERSIONS)


def claim_rows(count: int) -> Iterator[list[object]]:
    """Realistic weeks: mostly as planned, some missed or in hospital with comments, a few errors."""
    for index in range(count):
        line, week = index % LINES, index // LINES
        monday = FIRST_WEEK + timedelta(weeks=week)
        kind = index % 20
        actual, frustrated, missed, comment = "7.5", "", "", ""
        if kind == 1:
            actual, missed, comment = "6.5", "1", "Cancelled with notice"
        elif kind == 2:
            actual, frustrated, comment = "2", "5.5", "Admitted to hospital"
        elif kind == 3:
            actual, missed = "7", "0.5"  # no comment: V5
        elif kind == 4:
            actual, comment = "7.3", "odd quantity"  # V1
        yield [
            f"SS{line:05d}",
            "Single-handed",
            f"{monday:%d/%m/%Y}",
            "7.5",
            actual,
            frustrated,
            missed,
            "",
            "7",
            comment,
            "",
        ]


def csv_file(count: int, *, as_planned_only: bool = False) -> bytes:
    """`count` rows of claim_rows; `as_planned_only`: the four fifths delivered as planned alone."""
    rows = claim_rows(count)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(row for row in rows if not as_planned_only or row[4] == row[3])
    return buffer.getvalue().encode()


def xlsx_file(count: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Claim")
    sheet.append(HEADER)
    for row in claim_rows(count):
        typed: list[object] = [_typed(value, position) for position, value in enumerate(row)]
        sheet.append(typed)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _typed(value: object, position: int) -> object:
    if position == 2:
        return datetime.strptime(str(value), "%d/%m/%Y")  # noqa: DTZ007 - a spreadsheet date cell
    if position in (3, 4, 5, 6, 7, 8) and value != "":
        return float(str(value))
    return value or None


def context(rows_weeks: int) -> ValidationContext:
    return ValidationContext(
        provider_ref=PROVIDER,
        plan=plan(),
        uploaded_at=datetime.combine(
            FIRST_WEEK + timedelta(weeks=rows_weeks + 1), datetime.min.time(), tzinfo=LONDON
        ),
    )


def parse_and_validate_calamine(content: bytes, name: str, count: int) -> int:
    """What the ingest function does with a file, without storage."""
    with cycle_collection_paused():
        table = read_table(content, name, ACTUALS_UPLOAD)
        outcomes = validate_rows(list(table.rows), context(ceil(count / LINES)))
    return sum(o.accepted for o in outcomes)


def read_into_rows(content: bytes, name: str) -> int:
    """The reading alone: the file checked for safety and read into rows, none of them checked."""
    with cycle_collection_paused():
        return len(list(read_table(content, name, ACTUALS_UPLOAD).rows))


def checked_then_read_bare(content: bytes, name: str) -> int:
    """The least an xlsx reading that checks a file before reading it does: the safety checks,
    the sheet's XML looked at (once they have read it) for the cells readers give wrongly (errors,
    formulas with no saved result), and calamine's bare read; no row made anything."""
    inspect_container(content, name, lambda part, xml: formula_cells(xml))
    return calamine_bare_read(content)


def rows_as_outcomes(content: bytes, name: str) -> int:
    """The least a check row by row can do: the file read into rows, each row's cells fetched
    once and the two objects a row becomes built from them (its outcome, which the feedback
    reports, and its line-week, which is stored); none of DOMAIN.md's rules."""
    keys = [ACTUALS_UPLOAD.key_for(header) or "" for header in HEADER]
    outcomes = []
    with cycle_collection_paused():
        for row in read_table(content, name, ACTUALS_UPLOAD).rows:
            ss_ref, level, _, planned, actual, _, missed, _, _, comments, _ = map(
                row.cells.get, keys
            )
            outcome = RowOutcome(row.row_number)
            outcome.line_week = LineWeekActuals(
                PROVIDER, level, ss_ref, FIRST_WEEK, planned, actual, 0, missed,  # type: ignore[arg-type]
                comments=comments or "",  # type: ignore[arg-type]
            )  # fmt: skip
            outcomes.append(outcome)
    return len(outcomes)


def plain_rows_as_tuples(content: bytes, count: int) -> int:
    """A CSV checked the way a design keeping plain rows out of objects would: a row delivered
    as planned (its person's one line that week, the week over and open, the plan's figures,
    nothing else filled in, the line-week not repeated) becomes a tuple of what is stored, found
    by lookups made once a file (the week's lines by person are the checks' own, made once); every
    other row is read into a SheetRow and checked row by row as today. No safety checks: a floor,
    not carepay's reading."""
    checks = context(ceil(count / LINES))
    weeks: dict[str, date | None] = {}
    quarters: dict[str, int | None] = {}
    plain: list[tuple[int, WeeklyLine, date, int, bool]] = []
    others: list[SheetRow] = []
    taken = set(checks.stored)  # line-weeks already confirmed or paid, then those of plain rows
    keys = [ACTUALS_UPLOAD.key_for(header) or "" for header in HEADER]
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    next(reader)
    with cycle_collection_paused():
        for number, raw in enumerate(reader, start=2):
            (
                ss_ref,
                level,
                day,
                planned,
                actual,
                frustrated,
                missed,
                extra,
                visits,
                comments,
                confirm,
            ) = raw
            if day not in weeks:
                weeks[day] = _open_week(day, checks)
            monday = weeks[day]
            lines = checks.lines_of_person(monday, ss_ref) if monday else None
            if monday and lines and len(lines) == 1 and (line := lines[0]).service_level == level:
                line_week = (line.line_ref, monday)
                if actual not in quarters:
                    quarters[actual] = _quarters_or_none(actual)
                if (
                    quarters[actual] == line.planned_quarters
                    and not (frustrated or missed or extra or comments)
                    and quarters.get(planned) == line.planned_quarters
                    and visits == str(line.planned_visits)
                    and line_week not in taken
                ):
                    taken.add(line_week)
                    plain.append((number, line, monday, line.planned_quarters, bool(confirm)))
                    continue
            cells = {key: value for key, value in zip(keys, raw, strict=True) if value}
            others.append(SheetRow(number, cells))
        checked = validate_rows(others, checks)
    return len(plain) + sum(outcome.accepted for outcome in checked)


def _open_week(day: str, checks: ValidationContext) -> date | None:
    """The Monday a file's Date names, if that week is over: worked out once a file."""
    try:
        monday = parse_week_date(day)
    except ValueError:
        return None
    return monday if monday.weekday() == 0 and checks.uploaded_on > monday + SUNDAY else None


def _quarters_or_none(text: str) -> int | None:
    try:
        return quarters_in_cell(text)
    except (ValueError, ArithmeticError):
        return None


def parse_and_validate_openpyxl(content: bytes, count: int) -> int:
    """The same work, reading with openpyxl read-only instead of calamine."""
    from openpyxl import load_workbook

    with cycle_collection_paused():
        return _parse_and_validate_openpyxl(load_workbook, content, count)


def _parse_and_validate_openpyxl(load_workbook: Any, content: bytes, count: int) -> int:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    keyed = [(p, ACTUALS_UPLOAD.key_for(str(h))) for p, h in enumerate(header)]
    keyed_only = [(p, k) for p, k in keyed if k is not None]
    sheet_rows = [
        SheetRow(
            number, {key: row[p] for p, key in keyed_only if p < len(row) and row[p] is not None}
        )
        for number, row in enumerate(rows, start=2)
    ]
    workbook.close()
    return sum(o.accepted for o in validate_rows(sheet_rows, context(ceil(count / LINES))))


class Timing:
    """Seconds of each repetition of one piece of work: its median, and the spread."""

    def __init__(self, seconds: Sequence[float]) -> None:
        self.seconds = sorted(seconds)
        self.median = statistics.median(self.seconds)

    def rate(self, count: int) -> str:
        """`count` per second: the median, then the slowest and fastest repetition."""
        low, high = count / self.seconds[-1], count / self.seconds[0]
        return f"{count / self.median:,.0f} ({low:,.0f}–{high:,.0f})"

    def spread(self) -> str:
        return f"{self.median:.2f} s ({self.seconds[0]:.2f}–{self.seconds[-1]:.2f})"


def timed(runs: int, work: Callable[[], object]) -> Timing:
    return timed_in_turn(runs, work)[0]


def timed_in_turn(runs: int, *works: Callable[[], object]) -> list[Timing]:
    """Each piece of work timed `runs` times, taking turns (one of each, then again), so a
    measurement and the floor it is compared with meet this machine's changes of speed alike."""
    times: list[list[float]] = [[] for _ in works]
    for _ in range(runs):
        for work, seconds in zip(works, times, strict=True):
            started = time.perf_counter()
            work()
            seconds.append(time.perf_counter() - started)
    return [Timing(seconds) for seconds in times]


def calamine_bare_read(content: bytes) -> int:
    """The floor for xlsx: python-calamine reading every row, nothing else."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return sum(1 for _ in workbook.get_sheet_by_index(0).iter_rows())


def csv_bare_read(content: bytes) -> int:
    """The floor for CSV: the standard library's reader over the decoded text."""
    return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def ingest_throughput(sizes: Sequence[int], runs: int) -> None:
    print(f"\n## Read + validate, no storage: rows/s, median (min–max) of {runs}")
    for count in sizes:
        _ingest_at(count, runs)


def _ingest_at(count: int, runs: int) -> None:
    xlsx, csv_content = xlsx_file(count), csv_file(count)
    calamine, floor, xlsx_rows, xlsx_checked = timed_in_turn(
        runs,
        lambda: parse_and_validate_calamine(xlsx, "claim.xlsx", count),
        lambda: calamine_bare_read(xlsx),
        lambda: read_into_rows(xlsx, "claim.xlsx"),
        lambda: checked_then_read_bare(xlsx, "claim.xlsx"),
    )
    openpyxl = timed(3 if count < 50_000 else 1, lambda: parse_and_validate_openpyxl(xlsx, count))
    as_planned = csv_file(count, as_planned_only=True)
    plain_count = as_planned.count(b"\n") - 1
    csv_time, csv_floor, csv_rows, csv_least, csv_plain, plain_only = timed_in_turn(
        runs,
        lambda: parse_and_validate_calamine(csv_content, "claim.csv", count),
        lambda: csv_bare_read(csv_content),
        lambda: read_into_rows(csv_content, "claim.csv"),
        lambda: rows_as_outcomes(csv_content, "claim.csv"),
        lambda: plain_rows_as_tuples(csv_content, count),
        lambda: plain_rows_as_tuples(as_planned, count),
    )
    print(f"{count:,} rows")
    print(f"  xlsx read + validate  {calamine.rate(count):>30}")
    print(f"  … calamine bare read  {floor.rate(count):>30}", end="")
    print(f"  read + validate / bare: {floor.median / calamine.median:.2f} (goal ≥ 0.6)")
    print(f"  … read into rows alone{xlsx_rows.rate(count):>30}  {_micro(xlsx_rows, count)}")
    print(f"  … checked, read bare  {xlsx_checked.rate(count):>30}  {_micro(xlsx_checked, count)}")
    print(f"    (0.6× calamine's bare read is {floor.median / count / 0.6 * 1e6:.1f} µs a row)")
    print(f"  … openpyxl read-only  {openpyxl.rate(count):>30}", end="")
    print(f"  calamine is {openpyxl.median / calamine.median:.1f}× faster")
    print(f"  CSV read + validate   {csv_time.rate(count):>30}  (goal ≥ 250,000)")
    print(f"  … csv.reader bare     {csv_floor.rate(count):>30}")
    print(f"  … read into rows alone{csv_rows.rate(count):>30}  {_micro(csv_rows, count)}")
    print(f"  … rows as outcomes    {csv_least.rate(count):>30}  {_micro(csv_least, count)}")
    print(f"  … plain rows as tuples{csv_plain.rate(count):>30}  {_micro(csv_plain, count)}")
    print(
        f"    every row plain     {plain_only.rate(plain_count):>30}  {_micro(plain_only, plain_count)}"
    )
    print("  (read into rows: the file's safety checks, then its rows' cells by column, unchecked;")
    print("   checked, read bare: the safety checks, the XML they read looked at for error cells")
    print("   and unsaved formulas, and calamine's bare read, no row made anything;")
    print("   rows as outcomes: then each row's cells fetched once and its outcome and line-week")
    print("   built, the least a check row by row does; plain rows as tuples: a row delivered as")
    print("   planned kept as a tuple, the rest (a fifth here) checked row by row, no safety")
    print("   checks; every row plain: the same on the file's rows delivered as planned alone.")
    print("   250,000 rows/s is 4.0 µs a row)")
    CALAMINE_BARE_READ.append(f"{count:,} rows at {floor.rate(count)} rows/s")
    plain_us = plain_only.median / plain_count * 1e6
    _record_xlsx_read(count, (calamine, floor, xlsx_rows, xlsx_checked, openpyxl), plain_us)
    _record_csv_read(
        count, (csv_time, csv_floor, csv_rows, csv_least, csv_plain), (plain_only, plain_count)
    )


def _record_xlsx_read(count: int, timings: Sequence[Timing], plain_us: float) -> None:
    """`plain_us`: the cheapest check measured, a CSV row delivered as planned kept as a tuple."""
    measured, calamine, rows, checked, openpyxl = timings
    ratio = calamine.median / measured.median
    budget = calamine.median / count / 0.6 * 1e6
    checked_us = checked.median / count * 1e6
    left = budget - checked_us
    if left < 0:
        what_is_left = f"checked, read bare alone takes {checked_us:.1f}, before any row is made"
    else:
        what_is_left = (
            f"checked, read bare leaves {left:.1f} of it for making rows and every check, "
            f"{'less' if left < plain_us else 'more'} than the cheapest check measured takes "
            f"(every row plain, {plain_us:.1f})"
        )
    FIGURES.record(
        "xlsx read",
        f"{count:,} rows: {measured.rate(count)} rows/s",
        f"calamine's bare read {calamine.rate(count)}; openpyxl read-only {openpyxl.rate(count)}; "
        f"read into rows alone {_micro(rows, count)}; checked, read bare {_micro(checked, count)}",
        met(
            ratio >= 0.6,
            f"{ratio:.2f}× calamine. 0.6× calamine is {budget:.1f} µs a row; {what_is_left}",
        ),
    )


def _record_csv_read(
    count: int, timings: Sequence[Timing], every_row_plain: tuple[Timing, int]
) -> None:
    measured, reader, rows, outcomes, plain = timings
    plain_only, plain_count = every_row_plain
    FIGURES.record(
        "csv read",
        f"{count:,} rows: {measured.rate(count)} rows/s",
        f"`csv.reader` {reader.rate(count)}; read into rows alone {_micro(rows, count)}; "
        f"rows as outcomes {_micro(outcomes, count)}; plain rows as tuples "
        f"{_micro(plain, count)}, every row plain {_micro(plain_only, plain_count)}",
        met(
            count / measured.median >= 250_000,
            f"{_micro(measured, count)} against the goal's 4.0; rows as outcomes alone "
            f"{_micro(outcomes, count)}",
        ),
    )


def _micro(timing: Timing, count: int) -> str:
    return f"{timing.median / count * 1e6:.1f} µs a row"


@contextmanager
def deployed_stack(versions: list[ServiceLineVersion]) -> Iterator[Any]:
    """The template deployed on moto with these line versions imported: a CarepayClient."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="eu-west-2"
    )
    os.environ.update(POWERTOOLS_METRICS_DISABLED="true", POWERTOOLS_LOG_LEVEL="ERROR")
    from moto import mock_aws

    from carepay.adapters.dynamodb.stores import SubmissionStore
    from carepay_local.client import CarepayClient
    from carepay_local.cloud import LocalCloud, quiet_local_cloud

    with mock_aws(), quiet_local_cloud():
        cloud = LocalCloud(extra_function_env={"POWERTOOLS_LOG_LEVEL": "ERROR"}).deploy()
        store = SubmissionStore(cloud.outputs["DataTableName"])
        store.plans.save_care_packages("bench-import", versions, {})
        yield CarepayClient(pump=cloud.pump)


def dynamodb_requests(count: int) -> None:
    """One upload through the deployed template on moto, counting every DynamoDB request."""
    print(f"\n## DynamoDB requests for one {count:,}-row upload through the deployed template")
    from carepay.adapters.aws import client

    with deployed_stack(line_versions()) as council:
        calls = _count_dynamodb(client("dynamodb"))
        weeks = ceil(count / LINES)
        feedback = council.upload(
            PROVIDER,
            "claim.csv",
            csv_file(count),
            at=datetime.combine(
                FIRST_WEEK + timedelta(weeks=weeks + 1), datetime.min.time(), tzinfo=LONDON
            ),
        )
    items_read, items_written = calls.pop("items read", 0), calls.pop("items written", 0)
    writes = sum(
        n
        for op, n in calls.items()
        if op in ("BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")
    )
    accepted = feedback["accepted"]
    print(f"accepted rows {accepted:,}, rejected {feedback['rejected']:,}")
    print(
        f"requests by operation: {json.dumps(dict(sorted(calls.items())))}; items read "
        f"{items_read}, written {items_written}"
    )
    # Rejected rows are stored too (each is its line-week's latest report, for V10).
    print(f"write requests {writes} (target ⌈rows/25⌉ + 3 = {ceil(count / 25) + 3})")
    print(f"all requests per accepted row {sum(calls.values()) / accepted:.3f}")
    FIGURES.record(
        "upload requests",
        f"{count:,} rows, {accepted:,} accepted: {writes} write requests ({items_written:,} items), "
        f"{sum(calls.values())} requests in all "
        f"({', '.join(f'{op} {n}' for op, n in sorted(calls.items()))})",
        "—",
        met(
            writes <= ceil(count / 25) + 3 and "Scan" not in calls,
            f"{writes} writes, ⌈rows/25⌉ + 3 = {ceil(count / 25) + 3}",
        ),
    )


def reuploads(count: int, times: int) -> None:
    """The same claim uploaded again and again through the deployed template, as a provider
    correcting it would: each upload's seconds, and the items its requests read and wrote."""
    print(f"\n## The same {count:,}-row claim uploaded {times} times through the deployed template")
    from carepay.adapters.aws import client

    content, weeks = csv_file(count), ceil(count / LINES)
    at = datetime.combine(
        FIRST_WEEK + timedelta(weeks=weeks + 1), datetime.min.time(), tzinfo=LONDON
    )
    uploads = []
    with deployed_stack(line_versions()) as council:
        calls = _count_dynamodb(client("dynamodb"))
        for upload in range(times):
            calls.clear()
            started = time.perf_counter()
            council.upload(PROVIDER, "claim.csv", content, at=at + timedelta(minutes=upload))
            took = time.perf_counter() - started
            uploads.append((took, calls.get("items read", 0), calls.get("items written", 0)))
    for number, (took, read, written) in enumerate(uploads, start=1):
        print(
            f"upload {number:>2}: {took:5.1f} s on moto, {read:,} items read, {written:,} written"
        )
    _record_reuploads(count, uploads)


def _record_reuploads(count: int, uploads: list[tuple[float, int, int]]) -> None:
    """Each upload's (seconds, items read, items written)."""
    first, second, last = uploads[0], uploads[1], uploads[-1]
    nth = ordinal(len(uploads))
    FIGURES.record(
        "re-upload",
        f"{count:,} rows, {len(uploads)} times: "
        + "; ".join(
            f"{name} {took:.1f} s, {read:,} items read, {written:,} written"
            for name, (took, read, written) in (("1st", first), ("2nd", second), (nth, last))
        ),
        f"a re-upload keeping every report it supersedes writes at least each report and a copy "
        f"of the one it replaces: twice the 1st's items, {2 * first[2]:,}",
        met(
            last[0] <= 1.25 * first[0],
            f"the {nth} reads and writes what the 2nd did, whatever came before "
            f"({last[0] / second[0]:.1f}× its seconds on moto), and {last[2] / first[2]:.1f}× the "
            "1st's items: it moves each report it supersedes to history (a copy, then a deletion)",
        ),
    )


def peak_memory(count: int, runs: int) -> None:
    print(
        f"\n## The whole upload of {count:,} rows, each run in a fresh process: peak memory and"
        " rows/s end to end\n(read, validate, items, feedback workbook and JSON; no storage)"
    )
    import tempfile

    peak, before, whole, alone = {}, {}, {}, {}
    for kind in ("csv", "xlsx"):
        with tempfile.NamedTemporaryFile(suffix=f".{kind}") as upload:
            upload.write(csv_file(count) if kind == "csv" else xlsx_file(count))
            upload.flush()
            measured, read = [], []
            for _ in range(runs):  # taking turns, each in a fresh process
                measured.append(_upload_in_a_fresh_process(kind, upload.name))
                read.append(_read_in_a_fresh_process(kind, upload.name, count))
        peaks, befores, elapsed = zip(*((m[0], m[1], m[4]) for m in measured), strict=True)
        accepted, rejected = measured[0][2:4]
        peak[kind], before[kind], whole[kind] = max(peaks), max(befores), Timing(elapsed)
        alone[kind] = Timing(read)
        print(
            f"{kind}: peak RSS {max(peaks):.0f} MB, the most of {runs} (the interpreter and imports "
            f"before the file: {max(befores):.0f} MB); {accepted:,.0f} accepted, {rejected:,.0f} "
            f"rejected; end to end {Timing(elapsed).rate(count)} rows/s; read + validate alone, "
            f"taking turns with it: {alone[kind].rate(count)}"
        )
    _record_whole_upload(count, (whole, alone), peak, before)


def _runs(count: int) -> str:
    return f"{count} run{'s' * (count != 1)}"


def _record_whole_upload(
    count: int,
    timings: tuple[dict[str, Timing], dict[str, Timing]],
    peak: dict[str, float],
    before: dict[str, float],
) -> None:
    """`timings`: the whole upload, and read + validate alone, by kind."""
    whole, alone = timings
    kinds = ("csv", "xlsx")
    slow = [f"{kind} {count / whole[kind].median:,.0f}" for kind in kinds
            if count / whole[kind].median < 25_000]  # fmt: skip
    FIGURES.record(
        "whole upload",
        f"{count:,} rows, {_runs(len(whole['csv'].seconds))} each, rows/s: "
        + ", ".join(f"{kind} {whole[kind].rate(count)}" for kind in kinds),
        "read + validate alone, in fresh processes taking turns with it: "
        + ", ".join(f"{kind} {alone[kind].rate(count)}" for kind in kinds),
        met(
            not slow,
            ", ".join(
                f"{kind} at {alone[kind].median / whole[kind].median:.2f}× read + validate's speed"
                for kind in kinds
            )
            + (f"; {', '.join(slow)} under 25,000" if slow else ""),
        ),
    )
    FIGURES.record(
        "memory",
        f"{count:,} rows, the most of {_runs(len(whole['csv'].seconds))}: "
        + ", ".join(f"{kind} {peak[kind]:.0f} MB" for kind in kinds),
        f"the interpreter and imports, before the file: {max(before.values()):.0f} MB",
        met(max(peak.values()) <= 256, f"{256 - max(peak.values()):+.0f} MB to spare"),
    )


def _upload_in_a_fresh_process(kind: str, path: str) -> list[float]:
    """Peak and starting memory (MB), rows accepted and rejected, and seconds."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--memory-child", kind, path],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [float(figure) for figure in result.stdout.split()[-5:]]


def _read_in_a_fresh_process(kind: str, path: str, count: int) -> float:
    """Seconds to read and validate the file, as the whole upload's first part does."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--read-child", kind, path, str(count)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(result.stdout.split()[-1])


def read_child(kind: str, path: str, count: int) -> None:
    content = Path(path).read_bytes()
    started = time.perf_counter()
    parse_and_validate_calamine(content, f"claim.{kind}", count)
    print(time.perf_counter() - started)


def memory_child(kind: str, path: str) -> None:
    """Run the submission service on an in-memory store: the real code path, minus AWS."""
    from carepay.domain.approvals import Approvals
    from carepay.ports.files import Document, FileArrived
    from carepay.services.submissions import SubmissionService

    before = _peak_rss_mb()
    content = Path(path).read_bytes()

    class Store:
        def provider_plan(self, provider_ref: str) -> ProviderPlan:
            return plan()

        def stored_line_weeks(self, provider_ref: str, first: date, last: date) -> dict[Any, Any]:
            return {}

        def approvals(self, provider_ref: str) -> Approvals:
            return Approvals()

        def upload_summary(self, provider_ref: str, upload_id: str) -> None:
            return None

        def provider_version(self, provider_ref: str) -> int:
            return 0

        def save_submission(
            self,
            provider_ref: str,
            upload_id: str,
            line_weeks: Any,
            summary: Any,
            version: int,
            rejected: Any = (),
        ) -> None:
            self.saved = len(line_weeks)

    class Documents:
        def read_inbound(self, key: str, version_id: str | None = None) -> Document:
            return Document(content, {"carepay-at": "2027-06-01T09:00:00+01:00"})

        def write_outbound(self, key: str, body: bytes, content_type: str) -> None:
            self.written = len(body)

    service = SubmissionService(Store(), Documents(), "Bench Council", trial_mode=True)
    started = time.perf_counter()
    summary = service.handle(
        FileArrived(
            bucket="b", key=f"uploads/{PROVIDER}/claim.{kind}", event_time=datetime.now(tz=LONDON)
        )
    )
    elapsed = time.perf_counter() - started
    print(_peak_rss_mb(), before, summary.accepted, summary.rejected, elapsed)


def _peak_rss_mb() -> float:
    """VmHWM: this process's peak resident memory (ru_maxrss would include the parent's, across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workbooks(claim_lines: int, feedback_rows: int) -> None:
    print("\n## Workbooks carepay writes: seconds, median (min–max) of 5")
    from carepay.spreadsheets.claim_workbook import CouncilNotice
    from carepay.spreadsheets.claim_xlsx import write_claim_workbook
    from carepay.spreadsheets.feedback import (
        FindingOut,
        RowFeedback,
        SubmissionFeedback,
    )
    from carepay.spreadsheets.feedback_xlsx import write_feedback_workbook

    versions = [
        v.model_copy(update={"line_ref": f"L{n:05d}", "ss_ref": f"SS{n:05d}"})
        for n, v in enumerate(line_versions() * ceil(claim_lines / LINES))
    ][:claim_lines]
    lines = list(ProviderPlan(PROVIDER, versions).lines_for_week(FIRST_WEEK).values())
    notice = CouncilNotice("Bench Council", message="Welcome")
    claim_time = timed(
        5, lambda: write_claim_workbook(PROVIDER, "Bench", FIRST_WEEK, lines, notice)
    )
    print(
        f"claim workbook, {len(lines):,} lines (the streamed writer): {claim_time.spread()}"
        "  (goal < 0.25 s)"
    )
    FIGURES.record(
        "claim workbook",
        f"{len(lines):,} lines: {claim_time.spread()}",
        "—",
        met(claim_time.median < 0.25),
    )

    table = read_table(csv_file(feedback_rows), "claim.csv", ACTUALS_UPLOAD)
    rows = list(table.rows)
    outcomes = validate_rows(rows, context(ceil(feedback_rows / LINES)))
    feedback = SubmissionFeedback(
        kind="upload",
        provider_ref=PROVIDER,
        file="claim.csv",
        source_key="k",
        upload_id="u",
        uploaded_at=datetime.now(tz=LONDON),
        accepted=sum(o.accepted for o in outcomes),
        rejected=sum(not o.accepted for o in outcomes),
        rows=[
            RowFeedback(
                row=o.row_number,
                status=o.status,
                errors=[
                    FindingOut(code=f.code, message=f.message, column=f.column) for f in o.errors
                ],
                exceptions=[FindingOut(code=f.code, message=f.message) for f in o.exceptions],
            )
            for o in outcomes
        ],
    )
    provider_rows = [(r.row_number, r.cells) for r in rows]
    seconds = timed(
        5, lambda: write_feedback_workbook(feedback, table.columns, provider_rows, "Bench")
    )
    print(
        f"feedback workbook, {feedback_rows:,} rows (streamed): {seconds.spread()}"
        f"  rows/s {seconds.rate(feedback_rows)}"
    )
    FIGURES.record(
        "feedback workbook",
        f"{feedback_rows:,} rows: {seconds.spread()}, {seconds.rate(feedback_rows)} rows/s",
        "—",
        met(seconds.median < 1.5),
    )


REGISTER_FIRST_WEEK = date(2025, 4, 7)
REGISTER_ITEMS = (  # (service level, unit, planned quantity, days, rate): four items a person
    ("AM Session", Unit.SESSION, "3", (0, 2, 4), "30.00"),
    ("Transport", Unit.JOURNEY, "6", (0, 2, 4), "6.00"),
    ("PM Session", Unit.SESSION, "2", (1, 3), "30.00"),
    ("1:1 Support", Unit.HOUR, "3", (1,), "18.00"),
)


def register_versions(people: int) -> list[ServiceLineVersion]:
    return [
        ServiceLineVersion(
            provider_ref="P400", line_ref=f"R{person:04d}{item}", ss_ref=f"SS{person:05d}",
            service_type=ServiceType.DAY_CARE, service_level=level, unit=unit,
            planned_quantity=Decimal(quantity), days=days, unit_rate=Decimal(rate),
            start_date=date(2025, 4, 1),
        )
        for person in range(people)
        for item, (level, unit, quantity, days, rate) in enumerate(REGISTER_ITEMS)
    ]  # fmt: skip


def register_csv(versions: Sequence[ServiceLineVersion]) -> bytes:
    """A week's register as a day centre sends it: mostly as planned, some absences and swaps."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Line Ref", "SS Ref", "Service Level", "Week Commencing",
                     "Mon", "Tue", "Wed", "Thu", "Fri", "All Week", "Comments", "Submit"])  # fmt: skip
    for index, version in enumerate(versions):
        days = ["A" if day in version.days else "" for day in range(5)]
        if index % 7 == 1:
            days[version.days[0]] = "N"
        elif index % 11 == 2 and version.days[-1] < 4 and len(version.days) > 1:
            days[version.days[-1]], days[version.days[-1] + 1] = "", "A"  # a swap
        writer.writerow([version.line_ref, version.ss_ref, version.service_level,
                         f"{REGISTER_FIRST_WEEK:%d/%m/%Y}", *days, "", "", ""])  # fmt: skip
    return buffer.getvalue().encode()


def registers(people: int) -> None:
    """A day centre's register against the actuals path: read + check, then stored through the
    deployed template, in rows (line-weeks) a second; and its workbook written."""
    from carepay.domain.register_rows import validate_register_rows
    from carepay.spreadsheets.claim_workbook import CouncilNotice
    from carepay.spreadsheets.claim_xlsx import write_claim_workbook
    from carepay.spreadsheets.reading import read_tables
    from carepay.spreadsheets.register_sheet import register_rows
    from carepay.spreadsheets.schemas import REGISTER_UPLOAD

    versions = register_versions(people)
    day_centre = ProviderPlan("P400", versions)
    content, count = register_csv(versions), len(versions)
    print(
        f"\n## Day-care register: {people} people × {len(REGISTER_ITEMS)} items = {count:,} lines"
    )
    uploaded_at = datetime.combine(
        REGISTER_FIRST_WEEK + timedelta(days=8), datetime.min.time(), LONDON
    )

    def check_register() -> int:
        with cycle_collection_paused():  # as the ingest function reads a file
            [table] = read_tables(content, "register.csv", (ACTUALS_UPLOAD, REGISTER_UPLOAD))
            context = ValidationContext("P400", ProviderPlan("P400", versions), uploaded_at)
            return len(validate_register_rows(list(table.rows), context))

    register_time = timed(15, check_register)
    actuals = csv_file(count)
    actuals_time = timed(15, lambda: parse_and_validate_calamine(actuals, "claim.csv", count))
    print(f"read + check, rows/s, median (min–max) of 15: register {register_time.rate(count)}; "
          f"weekly actuals {actuals_time.rate(count)} (same rows)")  # fmt: skip
    stored_register, stored_actuals = _stored_uploads(versions, content, actuals, uploaded_at)
    print(f"whole upload on the local stack (read, check, store, feedback), rows/s: register "
          f"{count / stored_register:,.0f}; weekly actuals {count / stored_actuals:,.0f}")  # fmt: skip
    rows = register_rows(day_centre, REGISTER_FIRST_WEEK, {})
    notice = CouncilNotice("Bench Council")
    seconds = timed(5, lambda: write_claim_workbook(
        "P400", "Bench Day Centre", REGISTER_FIRST_WEEK, [], notice, None, rows))  # fmt: skip
    print(f"register workbook, {len(rows):,} lines: {seconds.spread()}  (target < 0.5 s)")
    FIGURES.record(
        "register workbook",
        f"{len(rows):,} lines: {seconds.spread()}",
        "—",
        met(seconds.median < 0.5),
    )


def _stored_uploads(
    versions: list[ServiceLineVersion], register: bytes, actuals: bytes, at: datetime
) -> tuple[float, float]:
    """Seconds for one register upload and one weekly-actuals upload of as many rows."""
    with deployed_stack([*versions, *line_versions()]) as council:
        first_line = register.split(b"\n", 2)
        council.upload("P400", "warm.csv", b"\n".join(first_line[:2]), at=at)  # a warm function
        started = time.perf_counter()
        council.upload("P400", "register.csv", register, at=at)
        register_seconds = time.perf_counter() - started
        started = time.perf_counter()
        council.upload(
            PROVIDER, "claim.csv", actuals, at=at + timedelta(weeks=ceil(len(versions) / LINES))
        )
        return register_seconds, time.perf_counter() - started


# Each handler's services, as its first event builds them (carepay.runtime.<module>:<factory>).
HANDLER_SERVICES = {
    "ingest_actuals": ("submissions:submission_service", "idempotency:idempotency_store"),
    "import_care_packages": ("imports:care_package_service",),
    "claim_workbooks": ("claim_workbooks:claim_workbook_service",),
    "payment_runs": ("payment_runs:payment_run_service", "idempotency:idempotency_store"),
    "provider_payments": ("payment_runs:payment_run_service",),
    "portal": ("portal:portal_service",),
    "portal_tasks": ("portal_tasks:portal_task_service",),
    "sheets": ("sheets:sheets_service",),
    "sheet_notices": ("sheet_notices:notice_receiver",),
}
COLD_FLOOR = (
    "import boto3, pydantic\nfrom aws_lambda_powertools import Logger, Metrics, Tracer\n"
    "Logger(); Metrics(); Tracer()"
)
# `import pydantic` loads its machinery lazily: the first model a program defines pays for it.
# This floor adds one model and the Powertools utilities the queue handlers use.
USED_FLOOR = (
    COLD_FLOOR + "\nclass Message(pydantic.BaseModel):\n    key: str\n"
    "from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType\n"
    "from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig\n"
    "BatchProcessor(event_type=EventType.SQS)"
)
# What a function's environment gives it (template.yaml), enough for its services to be built.
COLD_ENVIRONMENT = {
    "TABLE_NAME": "carepay-data", "IDEMPOTENCY_TABLE_NAME": "carepay-idempotency",
    "INBOUND_BUCKET": "inbound", "OUTBOUND_BUCKET": "outbound", "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
    "PORTAL_USER_POOL_ID": "eu-west-2_bench", "POWERTOOLS_SERVICE_NAME": "carepay",
    "POWERTOOLS_METRICS_NAMESPACE": "carepay", "POWERTOOLS_TRACE_DISABLED": "1",
}  # fmt: skip


def cold_starts(runs: int) -> None:
    """Each handler in fresh interpreters: its module imported and its services built, as its
    first event does before any AWS call; against the floor of boto3, pydantic and Powertools'
    Logger, Metrics and Tracer, measured in the same run."""
    print(f"\n## Cold start: import + services built, {runs} fresh interpreters each (ms)")
    subjects = {
        "floor: boto3 + pydantic + Logger/Metrics/Tracer": COLD_FLOOR,
        "floor + a model + batch and idempotency utilities": USED_FLOOR,
    }
    for function, services in HANDLER_SERVICES.items():
        subjects[f"functions/{function}"] = (
            "import importlib.util, sys\n"
            f"sys.path.insert(0, '{ROOT}/functions/{function}')\n"
            f"spec = importlib.util.spec_from_file_location('app', '{ROOT}/functions/{function}/app.py')\n"
            "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
            + "".join(
                f"from carepay.runtime.{service.replace(':', ' import ')} as built\nbuilt()\n"
                for service in services
            )
        )
    environment = {**os.environ, **COLD_ENVIRONMENT}
    timings: dict[str, list[float]] = {label: [] for label in subjects}
    for _ in range(runs):  # interleaved, so a busy moment of the machine costs every subject
        for label, code in subjects.items():
            program = (
                f"import time\nstarted = time.perf_counter()\n{code}\n"
                "print(time.perf_counter() - started)"
            )
            output = subprocess.run(
                [sys.executable, "-c", program],
                capture_output=True, text=True, check=True, env=environment,
            )  # fmt: skip
            timings[label].append(float(output.stdout.strip().splitlines()[-1]) * 1000)
    floor, used = (statistics.median(timings[label]) for label in list(subjects)[:2])
    print(f"{'':<50} {'median':>7}  {'min–max':>13}  {'× floor':>7}  {'× floor + used':>14}")
    for label, measured in timings.items():
        median = statistics.median(measured)
        spread = f"{min(measured):.0f}–{max(measured):.0f}"
        print(
            f"{label:<50} {median:7.0f}  {spread:>13}  {median / floor:7.2f}  {median / used:14.2f}"
        )
    handlers = {
        label.removeprefix("functions/"): statistics.median(measured)
        for label, measured in timings.items()
        if label.startswith("functions/")
    }
    slowest = max(handlers, key=handlers.__getitem__)
    FIGURES.record(
        "cold start",
        f"medians {min(handlers.values()):,.0f}–{max(handlers.values()):,.0f} ms "
        f"({slowest} slowest), {runs} interpreters each",
        f"`boto3 + pydantic` + Logger/Metrics/Tracer {floor:,.0f} ms; with a pydantic model and "
        f"the batch and idempotency utilities {used:,.0f} ms",
        met(
            max(handlers.values()) <= 1.2 * floor,
            f"{min(handlers.values()) / floor:.2f}–{max(handlers.values()) / floor:.2f}× the bare "
            f"floor, {min(handlers.values()) / used:.2f}–{max(handlers.values()) / used:.2f}× the "
            f"floor with the utilities; the utilities alone are {used / floor:.2f}×",
        ),
    )


def payment_line_weeks(
    lines: int, weeks: int, provider: str = PROVIDER
) -> tuple[ProviderPlan, list[Any], dict[Any, Any]]:
    """A provider's history: every line confirmed every week, the first half already paid."""
    from fractions import Fraction

    from carepay.domain.actuals import LineWeekActuals
    from carepay.domain.payment_run import PaidBefore

    versions = [
        v.model_copy(update={"provider_ref": provider, "line_ref": f"{provider}-{v.line_ref}"})
        for v in line_versions()[:lines]
    ]
    # In UTC, as a confirmation is stored and read back.
    confirmed_at = datetime.combine(FIRST_WEEK, datetime.min.time(), tzinfo=LONDON).astimezone(UTC)
    actuals = []
    paid = {}
    for week in range(weeks):
        monday = FIRST_WEEK + timedelta(weeks=week)
        for number, version in enumerate(versions):
            planned = int(version.planned_quantity * 4)
            actual = planned - (number % 4 == 0) * 4  # a quarter of lines an hour short
            actuals.append(
                LineWeekActuals(
                    provider, version.line_ref, version.ss_ref, monday, planned, actual,
                    missed_quarters=planned - actual, comments="bench",
                    confirmed_at=confirmed_at + timedelta(weeks=week + 1),
                )
            )  # fmt: skip
            if week < weeks // 2:
                rate = Fraction(version.unit_rate) * 100
                paid[(version.line_ref, monday)] = PaidBefore(
                    int(actual * rate / 4 + Fraction(1, 2)), rate, actual, version.ss_ref
                )
    return ProviderPlan(provider, versions), actuals, paid


def item_parsing(pages: int) -> None:
    """What reading a run's actuals costs around the kernel: a 1 MB page of Query (DynamoDB's
    most) parsed by botocore through DynamoDB's model, and as carepay reads it (the items as
    JSON, carepay.adapters.dynamodb.wire), then made line-weeks."""
    import botocore.session
    from botocore.parsers import create_parser

    from carepay.adapters.dynamodb.items import actuals_from_item, actuals_item
    from carepay.adapters.dynamodb.wire import items_parsed_as_json
    from carepay.domain.actuals import LineWeekActuals

    submitted = datetime(2026, 11, 10, 9, tzinfo=UTC)
    items = [
        actuals_item(LineWeekActuals(PROVIDER, f"L{number:05d}", f"SS{number:05d}", FIRST_WEEK,
                                     20, 16, missed_quarters=4, comments="bench", upload_id="u1",
                                     submitted_at=submitted, confirmed_at=submitted), "a1")
        for number in range(2_000)
    ]  # fmt: skip
    body = json.dumps({"Count": len(items), "ScannedCount": len(items), "Items": items}).encode()
    output = botocore.session.get_session().get_service_model("dynamodb")
    shape = output.operation_model("Query").output_shape
    parser = create_parser("json")

    def carepays_read() -> list[Any]:
        response: dict[str, Any] = {"body": body, "headers": {}, "status_code": 200}
        lifted: dict[str, Any] = {}
        items_parsed_as_json(response, lifted)
        return {**parser.parse(response, shape), **lifted}["Items"]  # type: ignore[no-any-return]

    read = carepays_read()
    botocores, carepays, decoded, line_weeks = timed_in_turn(
        pages,
        lambda: parser.parse({"body": body, "headers": {}, "status_code": 200}, shape),
        carepays_read,
        lambda: json.loads(body),
        lambda: [actuals_from_item(item) for item in read],
    )
    print(
        f"\n## Reading a 1 MB page of actuals ({len(items):,} items, {len(body) // len(items)} bytes each)"
    )
    print("items/s, median (min–max)")
    print(f"  parsed by botocore through DynamoDB's model:     {botocores.rate(len(items)):>30}")
    print(f"  parsed as carepay reads them (items as JSON):     {carepays.rate(len(items)):>30}")
    print(f"  … json.loads of the same bytes, nothing else:     {decoded.rate(len(items)):>30}")
    print(f"  … then made line-weeks (actuals_from_item):       {line_weeks.rate(len(items)):>30}")
    forms, kernel = _leaner_items(pages, submitted)
    read_us = (carepays.median + line_weeks.median) / len(items) * 1e6
    kernel_us = kernel.median / 100_000 * 1e6
    _, smallest, _, records, packed, _ = (timing.median / LINE_WEEKS_READ * 1e6 for timing in forms)
    FIGURES.record(
        "parsing",
        f"{len(items):,} items of {len(body) // len(items)} bytes, items/s: as carepay reads them "
        f"(the items as JSON) {carepays.rate(len(items))}, then made line-weeks "
        f"{line_weeks.rate(len(items))}: {read_us:.1f} µs a line-week; the kernel, taking turns "
        f"with the stored forms (100,000 line-weeks): {kernel.rate(100_000)}, {kernel_us:.1f} µs",
        f"`json.loads` of the same bytes {decoded.rate(len(items))}; botocore's parse "
        f"{botocores.rate(len(items))}; leaner stored forms, µs a line-week: the smallest item "
        f"a line-week can be {smallest:.1f}, a line's year packed in binary {packed:.1f} "
        f"(records only {records:.2f})",
        met(
            read_us <= kernel_us,
            f"{read_us:.1f} µs a line-week against the kernel's {kernel_us:.1f}; "
            f"the smallest item a line-week can be takes {smallest:.1f}",
        ),
    )


LINE_WEEKS_READ = 2_080  # 40 lines' years


class StoredForms:
    """What a run needs of a line-week (its week, quantities, week in a run, confirmation),
    stored the leanest ways there are: one string attribute an item (the smallest item a
    line-week can be, projected alone); a line's year of weeks in one item, as text; and a
    line's year packed as fixed-size records in one binary attribute."""

    RECORD = struct.Struct("<IhhhhhhqB")  # day, planned … extra, run, confirmed (epoch), late

    def __init__(self, confirmed_at: datetime) -> None:
        self.confirmed_at = confirmed_at
        week = f"|20|16|0|4|0|0|{confirmed_at.isoformat()}|0|"
        self.one_week = f"L00001|SS00001|{FIRST_WEEK}{week}"
        mondays = [FIRST_WEEK + timedelta(weeks=number) for number in range(52)]
        self.a_year = "L00001|SS00001|" + ";".join(f"{monday}{week}" for monday in mondays)
        packed = b"".join(
            self.RECORD.pack(
                monday.toordinal(), 20, 16, 0, 4, 0, 0, int(confirmed_at.timestamp()), 0
            )
            for monday in mondays
        )
        self.smallest = _items_body([{"r": {"S": self.one_week}}] * LINE_WEEKS_READ)
        self.yearly = _items_body([{"r": {"S": self.a_year}}] * (LINE_WEEKS_READ // 52))
        binary = {"r": {"S": "L00001|SS00001"}, "w": {"B": base64.b64encode(packed).decode()}}
        self.packed = _items_body([binary] * (LINE_WEEKS_READ // 52))

    def records(self) -> list[tuple[int, ...]]:
        """The packed years unpacked: records, not line-weeks."""
        return [
            record
            for item in json.loads(self.packed)["Items"]
            for record in self.RECORD.iter_unpack(base64.b64decode(item["w"]["B"]))
        ]

    def packed_line_weeks(self) -> list[LineWeekActuals]:
        line_weeks = []
        for item in json.loads(self.packed)["Items"]:
            line_ref, ss_ref = item["r"]["S"].split("|")
            for (
                day,
                planned,
                actual,
                frustrated,
                missed,
                extra,
                run,
                confirmed,
                late,
            ) in self.RECORD.iter_unpack(base64.b64decode(item["w"]["B"])):
                line_weeks.append(LineWeekActuals(
                    PROVIDER, line_ref, ss_ref, date.fromordinal(day), planned, actual,
                    frustrated, missed, extra, frustrated_week_in_run=run,
                    confirmed_at=datetime.fromtimestamp(confirmed, UTC), late_confirmation=late == 1,
                    day_codes="",
                ))  # fmt: skip
        return line_weeks

    def line_weeks_alone(self) -> list[LineWeekActuals]:
        """Line-weeks from values already decoded: what any stored form ends in."""
        return [
            LineWeekActuals(PROVIDER, "L00001", "SS00001", FIRST_WEEK, 20, 16, 0, 4, 0,
                            frustrated_week_in_run=0, confirmed_at=self.confirmed_at,
                            late_confirmation=False, day_codes="")
            for _ in range(LINE_WEEKS_READ)
        ]  # fmt: skip


def _items_body(items: list[dict[str, Any]]) -> bytes:
    return json.dumps({"Count": len(items), "Items": items}).encode()


def _leaner_items(pages: int, submitted: datetime) -> tuple[list[Timing], Timing]:
    """Floors of reading a run's line-weeks, whatever carepay stored (StoredForms), and the
    kernel timed in turn with them."""
    forms, kernel = StoredForms(submitted), KernelRun(1_000, 100)
    *timings, kernels = timed_in_turn(
        pages,
        lambda: json.loads(forms.smallest),
        lambda: _line_weeks_of(forms.smallest),
        lambda: _line_weeks_of(forms.yearly),
        forms.records,
        forms.packed_line_weeks,
        forms.line_weeks_alone,
        kernel.in_lambdas_shape,
    )
    labels = [
        f"the smallest item a line-week can be ({len(forms.smallest) // LINE_WEEKS_READ} bytes): json.loads",
        "… decoded and made line-weeks",
        f"a line's year in one item, as text ({len(forms.a_year) // 52} bytes a week): made line-weeks",
        f"a line's year packed in binary ({StoredForms.RECORD.size} bytes a week): records only",
        "… made line-weeks",
        "line-weeks alone, from values already decoded",
    ]
    print("leaner ways to store what a run reads, line-weeks/s:")
    for label, timing in zip(labels, timings, strict=True):
        print(f"  {label + ':':<78}{timing.rate(LINE_WEEKS_READ):>30}")
    label = "the kernel, taking turns with them (100,000 line-weeks, Lambda's shape):"
    print(f"  {label:<78}{kernels.rate(100_000):>30}")
    return timings, kernels


def _line_weeks_of(body: bytes) -> list[LineWeekActuals]:
    """Line-weeks from items of one string attribute: a line, its person, then its weeks."""
    line_weeks = []
    for item in json.loads(body)["Items"]:
        line_ref, ss_ref, weeks = item["r"]["S"].split("|", 2)
        for fields in weeks.split(";"):
            line_weeks.append(_line_week(line_ref, ss_ref, *fields.split("|")))
    return line_weeks


def _line_week(line_ref: str, ss_ref: str, *fields: str) -> LineWeekActuals:
    week, planned, actual, frustrated, missed, extra, run, confirmed_at, late, days = fields
    return LineWeekActuals(
        PROVIDER, line_ref, ss_ref, date.fromisoformat(week), int(planned), int(actual),
        int(frustrated), int(missed), int(extra), frustrated_week_in_run=int(run),
        confirmed_at=datetime.fromisoformat(confirmed_at), late_confirmation=late == "1",
        day_codes=days,
    )  # fmt: skip


def payment_kernel(lines: int, weeks_by_size: Sequence[int]) -> None:
    print(f"\n## Payment calculation kernel: one provider of {lines:,} lines")
    print("line-weeks/s, median (min–max) of 5 (goal: 1,000,000 in Lambda's shape, flat in size)")
    for weeks in weeks_by_size:
        _kernel_at(lines, weeks)
    print("the kernel alone, in a fresh process (the bench's own process has worked before it):")
    kernels, leasts = [], []
    for weeks in weeks_by_size:
        result = subprocess.run(
            [sys.executable, "-m", "tests.bench", "--kernel-child", str(lines), str(weeks)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        kernel_rate, least_rate = result.stdout.strip().splitlines()
        print(f"  {lines * weeks:,} line-weeks: {kernel_rate}")
        print(f"    … the least Python does: {least_rate}")
        kernels.append(kernel_rate)
        leasts.append(least_rate)
    print(
        "  (the least Python does: a bare loop grouping the reports by line, looking up what was\n"
        "   paid, checking the confirmation, building a run line for what is due; no rule)"
    )
    _record_kernel(lines, weeks_by_size, kernels, leasts)


def _record_kernel(
    lines: int, weeks_by_size: Sequence[int], kernels: list[str], leasts: list[str]
) -> None:
    """The kernel's row, from the fresh processes' rates ("median (min–max)", line-weeks/s)."""

    def median(rate: str) -> float:
        return float(rate.split()[0].replace(",", ""))

    sized = [f"{weeks} week{'s' * (weeks > 1)} a line" for weeks in weeks_by_size]
    rates, floors = [median(rate) for rate in kernels], [median(rate) for rate in leasts]
    ratios = [rate / floor for rate, floor in zip(rates, floors, strict=True)]
    FIGURES.record(
        "kernel",
        f"{lines:,} lines, line-weeks/s: "
        + "; ".join(f"{size}: {rate}" for size, rate in zip(sized, kernels, strict=True)),
        "the least Python does a line-week (`KernelRun.least_python`), taking turns with it: "
        + "; ".join(f"{size}: {rate}" for size, rate in zip(sized, leasts, strict=True)),
        met(
            min(rates) >= 1_000_000 and max(rates) <= 1.25 * min(rates),
            f"the bare loop itself runs at {min(floors) / 1e6:.2f}–{max(floors) / 1e6:.2f} million "
            f"a second, the kernel at {min(ratios):.2f}–{max(ratios):.2f}× its speed",
        ),
    )


class KernelRun:
    """One provider's history for the kernel, and the kernel run on it as a Lambda runs it."""

    def __init__(self, lines: int, weeks: int) -> None:
        self.run_at = datetime.combine(
            FIRST_WEEK + timedelta(weeks=weeks + 1, days=2), datetime.min.time(), tzinfo=LONDON
        )
        self.plan, self.actuals, self.paid = payment_line_weeks(lines, weeks)
        self.versions = [v for vs in self.plan._versions_by_line.values() for v in vs]

    def in_lambdas_shape(self, paid_before: Any = None, kernel: Any = None) -> object:
        """A plan built for the run and the cycle collector paused, as
        PaymentRunService.calculate runs it."""
        from carepay.domain.approvals import Approvals
        from carepay.domain.payment_run import calculate_provider

        with cycle_collection_paused():
            return (kernel or calculate_provider)(
                ProviderPlan(PROVIDER, self.versions), self.actuals,
                self.paid if paid_before is None else paid_before, Approvals(), self.run_at,
            )  # fmt: skip

    def least_python(self) -> list[Any]:
        """The least a run in Python does a line-week, whatever its rules: the reports grouped
        by line, what was paid looked up, the confirmation checked against the cutoff, and a
        run line built for what is due (each amount worked out once), in week order: a bare
        loop, the floor a Python kernel is compared with (not a proven least: the kernel, going
        span by span, can match it)."""
        with cycle_collection_paused():
            return self._least_python()

    def _least_python(self) -> list[Any]:
        from fractions import Fraction

        from carepay.domain.money import line_amount_pence
        from carepay.domain.payment_run import NEVER_PAID, LineStatus, RunLine

        rates = {version.line_ref: Fraction(version.unit_rate) * 100 for version in self.versions}
        reported: dict[str, dict[date, Any]] = {}
        for line_week in self.actuals:
            reported.setdefault(line_week.line_ref, {})[line_week.week_commencing] = line_week
        paid: dict[str, dict[date, Any]] = {}
        for (line_ref, monday), before in self.paid.items():
            paid.setdefault(line_ref, {})[monday] = before
        cutoff, by_week, new = self.run_at.astimezone(UTC), {}, tuple.__new__
        for line_ref in sorted(reported.keys() | paid.keys()):
            befores, amounts, rate = paid.get(line_ref, {}), {}, rates[line_ref]
            for monday, submitted in reported.get(line_ref, {}).items():
                before = befores.get(monday, NEVER_PAID)
                confirmed_at, actual = submitted.confirmed_at, submitted.actual_quarters
                if confirmed_at is None or confirmed_at > cutoff:
                    continue
                due = amounts.get(actual)
                if due is None:
                    due = amounts[actual] = line_amount_pence(actual, rate)
                if before is not NEVER_PAID and due == before.amount_pence:
                    continue
                line = new(RunLine, (PROVIDER, line_ref, submitted.ss_ref, monday, 0, actual,
                                     0, 0, actual, 0, due, before.amount_pence,
                                     LineStatus.PAID, "", None, False, ""))  # fmt: skip
                by_week.setdefault(monday, []).append(line)
        return [line for monday in sorted(by_week) for line in by_week[monday]]


def kernel_child(lines: int, weeks: int) -> None:
    kernel = KernelRun(lines, weeks)
    count = lines * weeks
    for timing in timed_in_turn(5, kernel.in_lambdas_shape, kernel.least_python):
        print(timing.rate(count))


def _kernel_at(lines: int, weeks: int) -> None:
    from carepay.domain.approvals import Approvals
    from carepay.domain.payment_run import calculate_provider
    from tests.domain.week_by_week import calculate_week_by_week

    count = lines * weeks
    kernel = KernelRun(lines, weeks)
    plan, actuals, paid, run_at = kernel.plan, kernel.actuals, kernel.paid, kernel.run_at
    shaped, least = timed_in_turn(5, kernel.in_lambdas_shape, kernel.least_python)
    unpaid = timed(5, lambda: kernel.in_lambdas_shape(paid_before={}))
    collector_on = timed(5, lambda: calculate_provider(
        ProviderPlan(PROVIDER, kernel.versions), actuals, paid, Approvals(), run_at
    ))  # fmt: skip
    warm = timed(5, lambda: calculate_provider(plan, actuals, paid, Approvals(), run_at))
    week_by_week = timed(3, lambda: kernel.in_lambdas_shape(kernel=calculate_week_by_week))
    shape = f"the first {weeks // 2} paid by earlier runs" if weeks > 1 else "a weekly run's shape"
    print(f"{count:,} line-weeks ({weeks} weeks a line: {shape})")
    print(f"  Lambda's shape: a plan built for the run, collector paused: {shaped.rate(count):>30}")
    print(f"  … nothing paid yet (every line-week a run line):            {unpaid.rate(count):>30}")
    print(
        f"  … the cycle collector on:                                    {collector_on.rate(count):>30}"
    )
    print(f"  … one plan reused run after run, collector on:               {warm.rate(count):>30}")
    print(
        f"  the week-by-week reference, tests/domain/week_by_week.py:   {week_by_week.rate(count):>30}"
    )
    print(f"  the least Python does a line-week (KernelRun.least_python):  {least.rate(count):>30}")


def payment_run_requests(providers: int, lines: int, weeks: int) -> None:
    """Two runs through the deployed template, counting DynamoDB requests by operation and the
    items they read: the first over the whole history (nothing settled yet), the second a week
    later, when only the new week and what the flags look back on can be read."""
    count = providers * lines * weeks
    print(
        f"\n## DynamoDB requests for a {count:,}-line-week payment run ({providers} providers), "
        "calculated and approved; then the next week's run"
    )
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="eu-west-2"
    )
    os.environ.update(POWERTOOLS_METRICS_DISABLED="true", POWERTOOLS_LOG_LEVEL="ERROR")
    from moto import mock_aws

    from carepay.adapters.aws import client
    from carepay.adapters.dynamodb.stores import SubmissionStore
    from carepay_local.client import CarepayClient
    from carepay_local.cloud import LocalCloud, quiet_local_cloud

    with mock_aws(), quiet_local_cloud():
        cloud = LocalCloud(extra_function_env={"POWERTOOLS_LOG_LEVEL": "ERROR"}).deploy()
        council = CarepayClient(pump=cloud.pump, timeout_seconds=3600)
        store = SubmissionStore(cloud.outputs["DataTableName"])
        histories = {}
        for number in range(providers):
            ref = f"B{number:03d}"
            plan, actuals, _ = payment_line_weeks(lines, weeks + 1, ref)
            histories[ref] = actuals
            store.plans.save_care_packages(
                f"bench-{ref}", [v for vs in plan._versions_by_line.values() for v in vs], {}
            )
            store.save_submission(ref, f"bench-{ref}", actuals[: lines * weeks], {}, 0)
        counted = _count_dynamodb(client("dynamodb"))
        phases = []
        for run in (1, 2):
            run_at = datetime.combine(
                FIRST_WEEK + timedelta(weeks=weeks + run, days=2), datetime.min.time(), LONDON
            )
            if run == 2:  # the next week reported and confirmed
                for ref, actuals in histories.items():
                    version = store.provider_version(ref)
                    store.save_submission(ref, "week-after", actuals[lines * weeks :], {}, version)
            phases.append(
                _print_run(counted, run, partial(council.pay, at=run_at), council.approve)
            )
    _record_runs(providers, lines, weeks, phases)


def _record_runs(
    providers: int, lines: int, weeks: int, phases: list[tuple[dict[str, int], dict[str, int]]]
) -> None:
    from carepay.domain.flags import LOOKBACK_WEEKS

    (first, first_approved), (second, second_approved) = phases
    window = providers * lines * (LOOKBACK_WEEKS + 1)
    FIGURES.record(
        "run reads",
        f"{providers} providers of {lines} lines: the first run reads {first['items read']:,} "
        f"items for {providers * lines * weeks:,} line-weeks of history; the next week's run "
        f"{second['items read']:,}",
        f"the new week and the {LOOKBACK_WEEKS} weeks before it that the care-monitoring flags "
        f"look back on: {window:,} line-weeks",
        met(
            second["items read"] <= 1.1 * window,
            "the next week's run reads those weeks, not the history before them",
        ),
    )

    def requests(counted: dict[str, int]) -> str:
        return ", ".join(
            f"{op} {n}" for op, n in sorted(counted.items()) if not op.startswith("items ")
        )

    FIGURES.record(
        "run requests",
        f"calculate: {requests(first)}; approve: {requests(first_approved)}; the next week's: "
        f"{requests(second)}; approve: {requests(second_approved)}",
        "—",
        met(not any("Scan" in phase for pair in phases for phase in pair)),
    )


def _count_dynamodb(dynamodb: Any) -> dict[str, int]:
    """Requests by operation, and the items read and written (`items read`, `items written`),
    from now on."""
    counted: dict[str, int] = {}

    def count_call(event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        counted[operation] = counted.get(operation, 0) + 1

    def count_written(event_name: str, params: dict[str, Any], **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        written = {"PutItem": 1, "UpdateItem": 1, "DeleteItem": 1}.get(operation, 0)
        written += len(params.get("TransactItems", ()))
        written += sum(len(requests) for requests in params.get("RequestItems", {}).values())
        if operation != "BatchGetItem":
            counted["items written"] = counted.get("items written", 0) + written

    def count_items(parsed: dict[str, Any], **_: Any) -> None:
        read = parsed.get("Count", 1 if "Item" in parsed else 0)
        read += sum(len(items) for items in parsed.get("Responses", {}).values())
        counted["items read"] = counted.get("items read", 0) + read

    dynamodb.meta.events.register("before-call.dynamodb", count_call)
    dynamodb.meta.events.register("before-parameter-build.dynamodb", count_written)
    dynamodb.meta.events.register("after-call.dynamodb", count_items)
    return counted


def _print_run(
    counted: dict[str, int], run: int, calculate: Callable[[], Any], approve: Callable[..., Any]
) -> tuple[dict[str, int], dict[str, int]]:
    """The requests a run's calculation made, then its approval's, each by operation."""
    counted.clear()
    started = time.perf_counter()
    draft = calculate()
    calculated, seconds = dict(counted), time.perf_counter() - started
    print(f"run {run}, calculate: {json.dumps(dict(sorted(calculated.items())))}")
    print(f"  {seconds:.1f} s on moto; scans: {calculated.get('Scan', 0)}")
    counted.clear()
    started = time.perf_counter()
    approve(draft["run_id"], "bench")
    print(f"run {run}, approve:   {json.dumps(dict(sorted(counted.items())))}")
    print(f"  {time.perf_counter() - started:.1f} s on moto; scans: {counted.get('Scan', 0)}")
    return calculated, dict(counted)


def main() -> None:
    if sys.argv[1:2] == ["--memory-child"]:
        memory_child(sys.argv[2], sys.argv[3])
        return
    if sys.argv[1:2] == ["--read-child"]:
        read_child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    if sys.argv[1:2] == ["--kernel-child"]:
        kernel_child(int(sys.argv[2]), int(sys.argv[3]))
        return
    quick, readme = "--quick" in sys.argv, "--readme" in sys.argv
    if quick and readme:
        sys.exit("--readme writes the README's table from a whole run, not a --quick one")
    print(
        "carepay bench",
        "(quick)" if quick else "",
        f"· Python {sys.version.split()[0]} · {os.cpu_count()} cores",
    )
    started = time.perf_counter()
    ingest_throughput([1_000, 10_000] if quick else [10_000, 100_000], 3 if quick else 5)
    dynamodb_requests(2_000 if quick else 10_000)
    reuploads(2_000, 3 if quick else 10)
    peak_memory(*((20_000, 1) if quick else (100_000, 5)))
    workbooks(2_000, 10_000)
    registers(400)
    item_parsing(5)
    payment_kernel(1_000, [1, 10] if quick else [1, 10, 100, 400])
    payment_run_requests(*((3, 20, 40) if quick else (5, 40, 52)))
    cold_starts(3 if quick else 7)
    table = FIGURES.table(_made_by(quick, (time.perf_counter() - started) / 60))
    print(f"\n## The README's table, from this run\n\n{table}")
    if readme:
        README.write_text(written_into(README.read_text(), table))
        print(f"\nwritten into {README.name}")


def _made_by(quick: bool, minutes: float) -> str:
    """Which run made the table: the commit (the README itself aside: it is what the run
    writes), the day, the machine, and how fast it was going."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!README.md"],
        cwd=ROOT, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return (
        f"From one `make bench{'' if quick else '-readme'}` run at `{commit or 'unknown'}`"
        f"{' with uncommitted changes' if changed else ''}, {datetime.now(tz=LONDON):%Y-%m-%d}, Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} cores, {minutes:.0f} minutes. "
        f"How fast the machine went in this run: calamine read the xlsx file's "
        f"{CALAMINE_BARE_READ[-1]}, bare."
    )


if __name__ == "__main__":
    main()
