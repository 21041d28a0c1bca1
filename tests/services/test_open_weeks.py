"""A payment run reads only the weeks that can still change (carepay.domain.payment_run.OpenWeeks),
and pays exactly what reading the whole history would: on random histories of uploads, late and
missing confirmations, backdated care-package changes and approvals, run after run; and what a
run reads stays the same size however many weeks have been paid before it."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from carepay.adapters.dynamodb.stores import PaymentStore, SubmissionStore
from carepay.adapters.dynamodb.table import Item, Table
from carepay.domain.actuals import LineWeekActuals
from carepay.domain.approvals import ExtraApproval
from carepay.domain.payment_run import EVER, RunLine, calculate_provider, deadline_before
from carepay.domain.runs import PaymentRun, ProviderResult, result_from_dict
from carepay.domain.service_lines import ServiceLineVersion, ServiceType, Unit
from carepay.domain.weeks import LONDON
from carepay.ports.messages import ProviderTask
from carepay.services import payment_runs
from carepay.services.payment_runs import PaymentRunService, result_key
from tests.services.conftest import Council, Sent

LINES = [f"L{n}" for n in range(1001, 1011)]  # P001's 5-hour lines at £20 an hour
FIRST_MONDAY = date(2026, 4, 6)


class History:
    """Many weeks of P001's reports, the council's changes and finance's runs, written straight
    to the stores; each run calculated and approved through the service."""

    def __init__(self, council: Council, seed: int) -> None:
        self.council, self.random = council, random.Random(seed)
        self.submissions, self.payments = (
            SubmissionStore("carepay-data"),
            PaymentStore("carepay-data"),
        )
        self.sent = Sent()
        self.runs = PaymentRunService(
            self.payments, council.documents, self.sent, "q", "Example Council", None
        )
        self.uploads = 0

    def report(
        self,
        week: date,
        confirmed_at: datetime | None,
        line_refs: list[str] | None = None,
        most: int = 20,
    ) -> None:
        """Actuals for P001's lines in `week` (some of them, at random, unless `line_refs`), up
        to `most` quarter-hours, confirmed (or not) at `confirmed_at`."""
        self.uploads += 1
        line_weeks = [
            LineWeekActuals(
                "P001",
                line_ref,
                "SS" + line_ref[1:],
                week,
                20,
                self.random.randint(8, most),
                upload_id=f"u{self.uploads}",
                confirmed_at=confirmed_at,
            )
            for line_ref in line_refs or self.some_lines()
        ]
        version = self.submissions.provider_version("P001")
        self.submissions.save_submission("P001", f"u{self.uploads}", line_weeks, {}, version)

    def some_lines(self) -> list[str]:
        """Some of P001's lines, at random: those a report is for when none are named."""
        return self.random.sample(LINES, self.random.randint(1, 10))

    def backdate(self, line_ref: str, start: date, hours: int, rate: str) -> None:
        version = ServiceLineVersion(
            provider_ref="P001",
            provider_name="Acme Home Care",
            line_ref=line_ref,
            ss_ref="SS" + line_ref[1:],
            service_type=ServiceType.HOME_SUPPORT,
            service_level="Single-handed",
            unit=Unit.HOUR,
            planned_quantity=Decimal(hours),
            unit_rate=Decimal(rate),
            start_date=start,
        )
        self.payments.plans.save_care_packages(f"change-{start}-{line_ref}", [version], {})

    def run(self, run_at: datetime) -> tuple[ProviderResult, list[RunLine]]:
        """A run, calculated and approved; P001's result, and what the whole history gives."""
        run = self.runs.start(run_at, "schedule")
        self.deliver()
        plan = self.payments.provider_plan("P001")
        stored = self.payments.stored_line_weeks("P001", EVER, date.max)
        every_week = [state.actuals for state in stored.values() if state.actuals is not None]
        expected = calculate_provider(
            plan,
            every_week,
            self.payments.paid_ledger("P001"),
            self.payments.approvals("P001"),
            run_at,
        )
        result = json.loads(self.council.outbound(result_key(run.run_id, 1, "P001")))
        self.runs.approve(run.run_id, "finance officer", run_at + timedelta(hours=4))
        self.deliver()
        return result_from_dict(result), expected

    def deliver(self) -> None:
        for task in self.sent.take():
            assert isinstance(task, ProviderTask)
            self.runs.handle_task(task)


def wednesday(monday: date) -> datetime:
    """The run after the week's deadline: 06:00 on the Wednesday of the week after."""
    return datetime.combine(monday + timedelta(days=9), time(6), LONDON)


def in_time(monday: date) -> datetime:
    return deadline_before(wednesday(monday)) - timedelta(hours=1)


def a_week_of_changes(
    history: History, monday: date, weeks_so_far: int, held: list[RunLine]
) -> None:
    """What a week brings: this week's actuals (in time, late or never confirmed), now and then
    an older week's reported again, a backdated change, an approval of a line held before."""
    chance = history.random.random
    deadline = deadline_before(wednesday(monday))

    def confirmed() -> datetime | None:
        when = chance()
        return None if when < 0.15 else deadline + timedelta(hours=2 if when < 0.35 else -30)

    history.report(monday, confirmed(), most=22)  # above plan now and then: held (X2)
    if weeks_so_far and chance() < 0.6:
        back = monday - timedelta(weeks=history.random.randint(1, weeks_so_far))
        history.report(back, confirmed(), most=22)
    if weeks_so_far > 2 and chance() < 0.4:
        start = monday - timedelta(weeks=history.random.randint(1, weeks_so_far), days=-2)
        rate = history.random.choice(["21.50", "19.00", "22.00", "18.00"])
        history.backdate(history.random.choice(LINES), start, 5, rate)
    if held and chance() < 0.5:
        line = history.random.choice(held)
        approval = ExtraApproval(line.line_ref, line.week_commencing, 4)
        history.payments.plans.save_approval("P001", approval)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_run_reading_only_the_open_weeks_pays_what_the_whole_history_would(
    council: Council, seed: int
) -> None:
    history = History(council, seed)
    held: list[RunLine] = []
    for weeks_so_far in range(11):
        monday = FIRST_MONDAY + timedelta(weeks=weeks_so_far)
        a_week_of_changes(history, monday, weeks_so_far, held)
        result, expected = history.run(wednesday(monday))
        held = result.held_lines
        assert result.lines == expected, f"week {weeks_so_far + 1}, w/c {monday}"
        assert result.settles is not None and result.settles.settled_before is not None


def test_a_backdated_change_reaches_weeks_settled_long_ago(council: Council) -> None:
    history = History(council, 4)
    for weeks_so_far in range(6):
        monday = FIRST_MONDAY + timedelta(weeks=weeks_so_far)
        history.report(monday, in_time(monday), LINES)
        history.run(wednesday(monday))
    settled = history.payments.open_weeks("P001").settled_before
    assert settled == FIRST_MONDAY + timedelta(weeks=6)  # every week paid and still right
    history.backdate("L1001", FIRST_MONDAY, 5, "25.00")  # an uplift, from the first week
    result, expected = history.run(wednesday(FIRST_MONDAY + timedelta(weeks=6)))
    backdated = [line for line in result.lines if line.line_ref == "L1001"]
    assert result.lines == expected and len(backdated) == 6  # each paid week put right


def test_a_paid_week_reported_again_and_confirmed_late_is_put_right_by_the_run_after(
    council: Council,
) -> None:
    history = History(council, 7)
    first, second = FIRST_MONDAY, FIRST_MONDAY + timedelta(weeks=1)
    history.report(first, in_time(first), LINES)
    history.run(wednesday(first))
    history.report(second, in_time(second), LINES)
    history.report(first, deadline_before(wednesday(second)) + timedelta(hours=2), LINES)
    result, expected = history.run(wednesday(second))
    assert result.lines == expected and {line.week_commencing for line in result.lines} == {second}
    result, expected = history.run(wednesday(second + timedelta(weeks=1)))
    assert result.lines == expected
    assert {line.week_commencing for line in result.lines} == {first}  # changed amounts, if any
    assert result.lines, "the random quantities happened to repeat the first report's"


def test_a_change_made_while_a_run_waits_for_approval_is_read_by_the_next_run(
    council: Council,
) -> None:
    history = History(council, 5)
    monday = FIRST_MONDAY
    history.report(monday, in_time(monday))
    run = history.runs.start(wednesday(monday), "schedule")
    history.deliver()
    history.backdate("L1002", FIRST_MONDAY, 7, "20.00")  # after the calculation read the plan
    history.runs.approve(run.run_id, "finance officer", wednesday(monday) + timedelta(hours=4))
    history.deliver()
    assert history.payments.open_weeks("P001").first_week == FIRST_MONDAY  # its mark is kept
    result, expected = history.run(wednesday(monday + timedelta(weeks=1)))
    assert result.lines == expected


@pytest.fixture
def items_read(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Items the runs' calculations read, by kind: reports (ACTUAL), paid line-weeks (PAID) and
    the markers of the uploads they came from (UPLOAD)."""
    counted: dict[str, int] = {}
    query, get_many = Table.query, Table.get_many

    def counted_query(table: Table, pk: str, low: str, high: str, *rest: Any) -> Iterator[Item]:
        for item in query(table, pk, low, high, *rest):
            kind = low.split("#")[0]
            counted[kind] = counted.get(kind, 0) + 1
            yield item

    def counted_get_many(table: Table, keys: Any, projection: str) -> Iterator[Item]:
        for item in get_many(table, keys, projection):
            counted["UPLOAD"] = counted.get("UPLOAD", 0) + 1
            yield item

    calculate = PaymentRunService.calculate

    def counting(service: PaymentRunService, run: PaymentRun, provider_ref: str) -> ProviderResult:
        with monkeypatch.context() as reads:
            reads.setattr(Table, "query", counted_query)
            reads.setattr(Table, "get_many", counted_get_many)
            return calculate(service, run, provider_ref)

    monkeypatch.setattr(PaymentRunService, "calculate", counting)
    return counted


def test_what_a_run_reads_stays_the_same_however_many_weeks_were_paid_before(
    council: Council, items_read: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payment_runs, "LOOKBACK_WEEKS", 2)  # the flags' look-back, made short
    history = History(council, 6)
    read = []
    for weeks_so_far in range(8):
        monday = FIRST_MONDAY + timedelta(weeks=weeks_so_far)
        history.report(monday, in_time(monday), LINES)
        items_read.clear()
        history.run(wednesday(monday))
        read.append(tuple(items_read.get(kind, 0) for kind in ("ACTUAL", "PAID", "UPLOAD")))
    # Read by the 8th run: the reports of the week it pays and the 2 weeks looked back on, and
    # the markers of their uploads; nothing paid (none of it can change); as the 5th, not 8 weeks.
    assert read[4] == read[7] == (3 * len(LINES), 0, 3)
