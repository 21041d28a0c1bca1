"""Payment runs: started by the schedule or by finance, calculated one provider per message,
approved by finance, then remitted and reported (DOMAIN.md, 'Around the payment').

  start / recalculate ──► one 'calculate' message per provider ──► each provider's result
        (the last provider to finish writes the draft's ledger and summary)
  approve ──► one 'approve' message per provider ──► paid ledger, lock, remittance
        (the last provider to finish writes the payment file, the charging extract and the
        final summary, and frees the slot for the next run)

Every step may be delivered twice: results are keyed by run, generation and provider, and the
count of providers done is a set.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any, Literal, NamedTuple

from carepay.domain.actuals import LineWeekActuals
from carepay.domain.finance import (
    BankDetails,
    ChargingPeriod,
    FinanceCoding,
    completed_periods,
    run_id_for,
)
from carepay.domain.flags import LOOKBACK_WEEKS
from carepay.domain.payment_run import (
    OpenWeeks,
    PaidBefore,
    calculate_provider,
    deadline_before,
    settled_before,
)
from carepay.domain.runs import (
    PaymentRun,
    ProviderResult,
    RunRefused,
    RunStatus,
    charging_lines,
    exceptions_by_type,
    flags_in_run,
    result_from_dict,
    result_to_dict,
    services_of,
    unconfirmed_line_refs,
)
from carepay.domain.weeks import LONDON, week_commencing
from carepay.domain.working_days import (
    PaymentDates,
    WorkingDays,
    payment_at_approval,
    planned_payment,
)
from carepay.ports.files import Documents, FileArrived
from carepay.ports.messages import (
    Messages,
    Phase,
    PortalTask,
    ProviderTask,
    RemittanceTabDue,
    ScheduleFired,
)
from carepay.ports.stores import PaymentRunStore
from carepay.services.collector import cycle_collection_paused
from carepay.services.notices import received_at
from carepay.services.results import RunRequestOutcome
from carepay.spreadsheets.bacs import Credit, Labels, write_payment_file
from carepay.spreadsheets.finance_reports import write_charging_csv, write_ledger_csv
from carepay.spreadsheets.remittance import RemittanceHeader, write_remittance_csv

logger = logging.getLogger(__name__)
REQUESTS = "payment-runs/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CALCULATE: Phase = "calculate"
APPROVE: Phase = "approve"
READERS = 16  # results read at once when a run finishes: a large council has thousands


class _History(NamedTuple):
    open: OpenWeeks
    actuals: list[LineWeekActuals]  # everything read
    open_actuals: list[LineWeekActuals]  # of the weeks that can still change
    paid_before: dict[tuple[str, date], PaidBefore]  # of the weeks that can still change


def run_key(run_id: str) -> str:
    return f"runs/{run_id}/run.json"


def result_key(run_id: str, generation: int, provider_ref: str) -> str:
    return f"runs/{run_id}/g{generation}/{provider_ref}.json"


def request_result_key(inbound_key: str) -> str:
    name = inbound_key.removeprefix(REQUESTS).rsplit(".", 1)[0]
    return f"runs/requests/{name}.json"


def remittance_key(provider_ref: str, run_id: str, extension: str) -> str:
    return f"remittances/{provider_ref}/{run_id}.{extension}"


def flags_key(week: date) -> str:
    return f"flags/flags-w-c-{week}.xlsx"


def finance_key(run_id: str, name: str) -> str:
    return f"finance/{run_id}/{name}"


class PaymentRunService:
    def __init__(
        self,
        store: PaymentRunStore,
        documents: Documents,
        messages: Messages,
        provider_queue_url: str,
        council_name: str,
        originator: BankDetails | None,
        trial_mode: bool = False,
        sheets_queue_url: str = "",
        portal_tasks_queue_url: str = "",
        working_days: WorkingDays | None = None,
        council_contact: str = "",
        portal_url: str = "",
        coding: FinanceCoding | None = None,
        service_user_number: str = "",
    ) -> None:
        # With it the payment file is labelled for submitting to Bacs directly; else bureau form.
        self.service_user_number = service_user_number
        self.coding = coding or FinanceCoding()  # cost centres and expense codes for the ledger
        self.council_contact = council_contact  # on every remittance: whom to ask
        self.portal_url = portal_url  # and where to raise a payment query
        self.portal_tasks_queue_url = portal_tasks_queue_url  # the remittance is emailed
        # Bank holidays and closure days: without a calendar, every weekday is a working day.
        self.working_days = working_days or WorkingDays()
        self.store = store
        self.documents = documents
        self.messages = messages
        self.provider_queue_url = provider_queue_url
        self.council_name = council_name
        self.originator = originator
        self.trial_mode = trial_mode
        self.sheets_queue_url = sheets_queue_url  # a provider on Google Sheets gets a tab too

    # -- requests: the schedule, or a file finance drops under payment-runs/ ------------------
    def handle_schedule(self, fired: ScheduleFired) -> RunRequestOutcome:
        scheduled = fired.scheduled_time
        outcome = self._attempt(lambda: self.start(scheduled, "schedule"))
        self._write_outcome(
            f"runs/requests/scheduled-{scheduled.astimezone(LONDON):%Y%m%d-%H%M}.json", outcome
        )
        return outcome

    def handle_arrival(self, arrival: FileArrived) -> RunRequestOutcome:
        document = self.documents.read_inbound(arrival.key, arrival.version_id)
        try:
            request = json.loads(document.content)
            action = str(request["action"])
        except (ValueError, KeyError, TypeError):
            request, action = {}, ""
        requested_by = str(request.get("requested_by", "")) or "unknown"
        moment = received_at(arrival, document.metadata, self.trial_mode)
        if action == "start":
            outcome = self._attempt(lambda: self.start(moment, requested_by))
        elif action == "recalculate":
            outcome = self._attempt(
                lambda: self.recalculate(str(request.get("run_id")), requested_by)
            )
        elif action == "approve":
            outcome = self._attempt(
                lambda: self.approve(str(request.get("run_id")), requested_by, moment)
            )
        elif action == "paid":
            outcome = self._attempt(lambda: self.mark_paid(str(request.get("run_id")), moment))
        else:
            outcome = RunRequestOutcome(
                outcome="refused",
                message='A run request is JSON with "action": "start", "recalculate", '
                '"approve" or "paid" (and "run_id" for the last three).',
            )
        outcome.source_key = arrival.key
        self._write_outcome(request_result_key(arrival.key), outcome)
        return outcome

    def _attempt(self, step: Callable[[], PaymentRun]) -> RunRequestOutcome:
        try:
            run = step()
        except RunRefused as refused:
            return RunRequestOutcome(outcome="refused", message=str(refused))
        return RunRequestOutcome(outcome="accepted", run_id=run.run_id, generation=run.generation)

    def _write_outcome(self, key: str, outcome: RunRequestOutcome) -> None:
        self._write_json(key, outcome.model_dump(mode="json", exclude_none=True))

    def start(self, run_at: datetime, requested_by: str) -> PaymentRun:
        self._mark_past_runs_paid(run_at)
        providers = sorted(self.store.providers())
        run = PaymentRun(
            run_id=run_id_for(run_at),
            run_at=run_at,
            status=RunStatus.CALCULATING,
            providers=providers,
            requested_by=requested_by,
            charging_periods=[p.slug for p in self._periods_due(run_at)],
        )
        try:
            self.store.open_run(run)
        except RunRefused:
            opened = self.store.run(run.run_id)
            if opened is None or (opened.status, opened.generation) != (run.status, run.generation):
                raise
            # This very start, delivered again after failing between opening the run and
            # handing out its providers: finish starting it (a provider counted twice counts once).
            run = opened
        self._publish(run)
        self._fan_out(run, CALCULATE)
        return run

    def recalculate(self, run_id: str, requested_by: str) -> PaymentRun:
        run = self._existing(run_id)
        if run.status not in (RunStatus.DRAFT, RunStatus.CALCULATING):
            run.refuse_approval()  # approved or approving: says so, and what to do instead
        recalculated = PaymentRun(
            run_id=run.run_id,
            run_at=run.run_at,
            status=RunStatus.CALCULATING,
            generation=run.generation + 1,
            providers=sorted(self.store.providers()),
            requested_by=requested_by,
            charging_periods=run.charging_periods,
        )
        if not self.store.change_run(recalculated, run.status, expected_generation=run.generation):
            raise RunRefused(f"Run {run_id} changed while it was being recalculated: try again.")
        self._publish(recalculated)
        self._fan_out(recalculated, CALCULATE)
        return recalculated

    def approve(self, run_id: str, approved_by: str, approved_at: datetime) -> PaymentRun:
        run = self._existing(run_id)
        run.refuse_approval()
        run.status = RunStatus.APPROVING
        run.approved_by = approved_by
        run.approved_at = approved_at
        approved_on = approved_at.astimezone(LONDON).date()
        dates = payment_at_approval(self._dates(run), approved_on, self.working_days)
        run.processing_day, run.payment_date = dates.processing_day, dates.payment_date
        if not self.store.change_run(run, RunStatus.DRAFT, expected_generation=run.generation):
            raise RunRefused(
                f"Run {run_id} changed while it was being approved (recalculated, or approved "
                f"by someone else): look at it again with carepay runs show {run_id}."
            )
        self._publish(run)
        self._fan_out(run, APPROVE)
        return run

    def mark_paid(self, run_id: str, at: datetime) -> PaymentRun:
        """An approved run is paid: the bank confirmed it, or its payment date has passed. Its
        summary and remittances say so; nothing else changes (its lines were paid at approval)."""
        run = self._existing(run_id)
        run.refuse_paid()
        run.status = RunStatus.PAID
        if not self.store.change_run(run, RunStatus.APPROVED):
            raise RunRefused(f"Run {run_id} changed while it was being marked paid: try again.")
        results = self._results(run)
        self._write_summary(run, results, RunStatus.PAID)
        for result in results:
            self._write_remittance(run, result)
        self._publish(run, results, self._published_files(run))
        logger.info("run paid", extra={"run_id": run_id, "at": at.isoformat()})
        return run

    def _mark_past_runs_paid(self, now: datetime) -> None:
        """Each week's run first marks the approved runs whose payment date has passed."""
        today = now.astimezone(LONDON).date()
        for run in self.store.runs():
            if run.status is RunStatus.APPROVED and self._dates(run).payment_date < today:
                self.mark_paid(run.run_id, now)

    def _existing(self, run_id: str) -> PaymentRun:
        run = self.store.run(run_id)
        if run is None:
            known = ", ".join(r.run_id for r in self.store.runs()[-5:]) or "none yet"
            raise RunRefused(f"There is no run {run_id} (latest runs: {known}).")
        return run

    def _periods_due(self, run_at: datetime) -> list[ChargingPeriod]:
        extracted = [
            ChargingPeriod.from_slug(slug)
            for past in self.store.runs()
            if past.status.approved
            for slug in past.charging_periods
        ]
        after = max(extracted).weeks()[-1] if extracted else None
        return completed_periods(after, deadline_before(run_at))

    def _fan_out(self, run: PaymentRun, phase: Phase) -> None:
        if not run.providers:
            self._finish(run, phase)
            return
        self.messages.send_all(
            self.provider_queue_url,
            [
                ProviderTask(
                    phase=phase, run_id=run.run_id, generation=run.generation, provider_ref=ref
                )
                for ref in run.providers
            ],
        )

    # -- one provider (the fan-out queue) ------------------------------------------------------
    def handle_task(self, task: ProviderTask) -> Literal["done", "stale"]:
        run = self.store.run(task.run_id)
        if run is None or run.generation != task.generation:
            return "stale"  # a recalculation superseded this message
        if task.phase == CALCULATE and run.status is RunStatus.CALCULATING:
            self.calculate(run, task.provider_ref)
        elif task.phase == APPROVE and run.status is RunStatus.APPROVING:
            self.pay(run, task.provider_ref)
        else:
            return "stale"
        done = self.store.provider_done(run.run_id, task.phase, run.generation, task.provider_ref)
        if done == len(run.providers):
            self._finish(run, task.phase)
        return "done"

    def calculate(self, run: PaymentRun, provider_ref: str) -> ProviderResult:
        with cycle_collection_paused():  # thousands of items and line-weeks, no cycles
            result = self._calculated(run, provider_ref)
        self._write_json(
            result_key(run.run_id, run.generation, provider_ref), result_to_dict(result)
        )
        logger.info(
            "provider calculated",
            extra={
                "run_id": run.run_id,
                "generation": run.generation,
                "provider_ref": provider_ref,
                "lines": len(result.lines),
                "net_pence": result.net_pence,
            },
        )
        return result

    def _calculated(self, run: PaymentRun, provider_ref: str) -> ProviderResult:
        cutoff = deadline_before(run.run_at)
        due_week = week_commencing(cutoff.date()) - timedelta(weeks=1)
        periods = [ChargingPeriod.from_slug(slug) for slug in run.charging_periods]
        history = self._history(provider_ref, due_week, periods)  # read first: see OpenWeeks
        plan = self.store.provider_plan(provider_ref)
        lines = calculate_provider(
            plan,
            history.open_actuals,
            history.paid_before,
            self.store.approvals(provider_ref),
            run.run_at,
        )
        name, bank = self.store.provider_profile(provider_ref)
        actuals = history.actuals
        return ProviderResult(
            provider_ref=provider_ref,
            provider_name=name,
            lines=lines,
            carried_in_pence=self.store.carried_balance(provider_ref),
            bank=bank,
            due_week=due_week,
            unconfirmed_lines=unconfirmed_line_refs(plan, actuals, due_week),
            exceptions=exceptions_by_type(actuals, lines),
            charging=charging_lines(plan, actuals, periods),
            flags=flags_in_run(plan, actuals, lines),
            services=services_of(plan, lines),
            settles=OpenWeeks(
                settled_before(history.open_actuals, lines, cutoff, history.open.first_week),
                history.open.marks,
            ),
        )

    def _history(
        self, provider_ref: str, due_week: date, periods: Sequence[ChargingPeriod]
    ) -> _History:
        """What a run reads of a provider's history: the weeks that can still change and, before
        them, what the flags look back on, the due week and the charging periods. The changes
        are read before anything they mark: a change is written before its mark."""
        open_weeks = self.store.open_weeks(provider_ref)
        first_week = open_weeks.first_week
        looked_back = first_week - timedelta(weeks=LOOKBACK_WEEKS)
        read_from = min([looked_back, due_week, *(period.weeks()[0] for period in periods)])
        actuals = self.store.line_weeks_from(provider_ref, read_from)
        return _History(
            open_weeks,
            actuals,
            [line_week for line_week in actuals if line_week.week_commencing >= first_week],
            self.store.paid_ledger(provider_ref, first_week),
        )

    def pay(self, run: PaymentRun, provider_ref: str) -> None:
        """Approve one provider's part: lines become paid and lock; the remittance is written."""
        result = self._result(run, provider_ref)
        newly_paid = self.store.save_payment(
            provider_ref,
            run.run_id,
            result.lines,
            result.settlement.carried_out_pence,
            result.settles,
        )
        logger.info(
            "provider paid" if newly_paid else "provider already paid",
            extra={
                "run_id": run.run_id,
                "provider_ref": provider_ref,
                "payment_pence": result.settlement.payment_pence,
                "carried_out_pence": result.settlement.carried_out_pence,
            },
        )
        if not self._write_remittance(run, result):
            return  # nothing happened for this provider: no remittance to send
        if self.sheets_queue_url:
            remitted = RemittanceTabDue(
                provider_ref=provider_ref,
                remittance_run=run.run_id,
                payment_date=self._dates(run).payment_date,
            )
            self.messages.send_all(self.sheets_queue_url, [remitted])
        if self.portal_tasks_queue_url and newly_paid:  # emailed once, however often redelivered
            email = PortalTask(task="remittance", provider_ref=provider_ref, run_id=run.run_id)
            self.messages.send_all(self.portal_tasks_queue_url, [email])

    # -- the last provider done ----------------------------------------------------------------
    def _finish(self, run: PaymentRun, phase: Phase) -> None:
        results = self._results(run)
        finished = RunStatus.DRAFT if phase == CALCULATE else RunStatus.APPROVED
        header = self._header(run)
        self.documents.write_outbound(
            finance_key(run.run_id, "ledger.csv"),
            write_ledger_csv(header, results, self.coding),
            "text/csv",
        )
        self._write_summary(run, results, finished)
        files = ["ledger.csv", "summary.xlsx"]
        self._write_flags(run, results)
        if finished is RunStatus.APPROVED:
            files += self._approved_files(run, results)
        before = run.status
        run.status = finished
        if finished is RunStatus.APPROVED:
            self.store.close_run(run)
        elif not self.store.change_run(run, before, expected_generation=run.generation):
            return  # recalculated meanwhile: that calculation finishes the draft
        self._publish(run, results, files)
        logger.info(
            f"run {finished.value}",
            extra={"run_id": run.run_id, "generation": run.generation, "files": files},
        )

    def _write_summary(
        self, run: PaymentRun, results: Sequence[ProviderResult], status: RunStatus
    ) -> None:
        # openpyxl only where a workbook is written: starting and approving runs never load it.
        from carepay.spreadsheets.finance_xlsx import write_summary_workbook

        self.documents.write_outbound(
            finance_key(run.run_id, "summary.xlsx"),
            write_summary_workbook(self._header(run), status, results, self.coding),
            XLSX,
        )

    def _write_remittance(self, run: PaymentRun, result: ProviderResult) -> bool:
        """The provider's remittance (xlsx and CSV), if anything happened for them in the run."""
        if not result.lines and not result.carried_in_pence:
            return False
        from carepay.spreadsheets.remittance_xlsx import write_remittance_workbook

        header = self._header(run)
        provider_ref = result.provider_ref
        self.documents.write_outbound(
            remittance_key(provider_ref, run.run_id, "xlsx"),
            write_remittance_workbook(header, result),
            XLSX,
        )
        self.documents.write_outbound(
            remittance_key(provider_ref, run.run_id, "csv"),
            write_remittance_csv(header, result),
            "text/csv",
        )
        return True

    def _published_files(self, run: PaymentRun) -> list[str]:
        """The finance files run.json already names (a paid run's are those of its approval)."""
        published = self.documents.read_outbound(run_key(run.run_id))
        keys = json.loads(published)["files"] if published else []
        return [str(key).rsplit("/", 1)[1] for key in keys]

    def _write_flags(self, run: PaymentRun, results: Sequence[ProviderResult]) -> None:
        """The week's care-monitoring flags for operational teams, beside (never in) the money."""
        due_weeks = [r.due_week for r in results if r.due_week is not None]
        if not due_weeks:
            return
        week = max(due_weeks)
        raised = [(r.provider_ref, flag) for r in results for flag in r.flags]
        from carepay.spreadsheets.finance_xlsx import write_flags_workbook

        self.documents.write_outbound(
            flags_key(week),
            write_flags_workbook(
                self.council_name,
                f"care-monitoring flags, run {run.run_id} (w/c {week:%d/%m/%Y})",
                raised,
                run.run_at,
            ),
            XLSX,
        )

    def _approved_files(self, run: PaymentRun, results: Sequence[ProviderResult]) -> list[str]:
        files = []
        for slug in run.charging_periods:
            name = f"charging-{slug}.csv"
            self.documents.write_outbound(
                finance_key(run.run_id, name), write_charging_csv(slug, results), "text/csv"
            )
            files.append(name)
        header = self._header(run)
        credits = [
            Credit(r.bank, r.settlement.payment_pence, header.remittance_number(r.provider_ref))
            for r in results
            if r.bank is not None and r.settlement.payment_pence > 0
        ]
        if credits and self.originator is not None:
            self.documents.write_outbound(
                finance_key(run.run_id, "payment-file.txt"),
                write_payment_file(
                    credits,
                    self.originator,
                    self._dates(run).processing_day,
                    run.run_id,
                    self._labels(run),
                ),
                "text/plain",
            )
            files.append("payment-file.txt")
        elif credits:
            self.documents.write_outbound(
                finance_key(run.run_id, "payment-file-not-written.txt"),
                b"No payment file: the council's own bank account is not configured. Set the "
                b"stack parameters CouncilSortCode, CouncilAccountNumber and CouncilAccountName,"
                b" then pay this run's credits from the summary's Providers sheet.\r\n",
                "text/plain",
            )
            files.append("payment-file-not-written.txt")
        return files

    def _labels(self, run: PaymentRun) -> Labels | None:
        if not self.service_user_number:
            return None
        written = (run.approved_at or run.run_at).astimezone(LONDON).date()
        return Labels.for_run(self.service_user_number, run.run_id, written)

    def _results(self, run: PaymentRun) -> list[ProviderResult]:
        with ThreadPoolExecutor(READERS) as pool:
            return list(pool.map(lambda ref: self._result(run, ref), run.providers))

    def _result(self, run: PaymentRun, provider_ref: str) -> ProviderResult:
        stored = self.documents.read_outbound(result_key(run.run_id, run.generation, provider_ref))
        if stored is None:
            raise RuntimeError(f"{provider_ref}'s result for run {run.run_id} is missing")
        return result_from_dict(json.loads(stored))

    def _header(self, run: PaymentRun) -> RemittanceHeader:
        return RemittanceHeader(
            self.council_name,
            run.run_id,
            run.run_at,
            self._dates(run).payment_date,
            paid=run.status is RunStatus.PAID,
            contact=self.council_contact,
            portal_url=self.portal_url,
        )

    def _dates(self, run: PaymentRun) -> PaymentDates:
        """The dates fixed at approval, or those the run plans until it is approved."""
        if run.payment_date is not None and run.processing_day is not None:
            return PaymentDates(run.processing_day, run.payment_date)
        return planned_payment(run.run_at.astimezone(LONDON).date(), self.working_days)

    def _publish(
        self,
        run: PaymentRun,
        results: Sequence[ProviderResult] = (),
        files: Sequence[str] = (),
    ) -> None:
        """runs/{run}/run.json: what `carepay runs show` prints and the CLI waits on."""
        providers = [
            {
                "provider_ref": r.provider_ref,
                "provider_name": r.provider_name,
                "lines": len(r.lines),
                "held": len(r.held_lines),
                "net_pence": r.settlement.net_pence,
                "carried_in_pence": r.settlement.carried_in_pence,
                "payment_pence": r.settlement.payment_pence,
                "carried_out_pence": r.settlement.carried_out_pence,
                "note": r.settlement.note.value,
            }
            for r in results
        ]
        self._write_json(
            run_key(run.run_id),
            {
                "run_id": run.run_id,
                "run_at": run.run_at.isoformat(),
                "status": run.status.value,
                "generation": run.generation,
                "payment_date": self._dates(run).payment_date.isoformat(),
                "processing_day": self._dates(run).processing_day.isoformat(),
                "requested_by": run.requested_by,
                "approved_by": run.approved_by,
                "approved_at": run.approved_at.isoformat() if run.approved_at else None,
                "charging_periods": run.charging_periods,
                "providers": providers,
                "totals": {
                    key: sum(int(p[key]) for p in providers)
                    for key in (
                        "net_pence",
                        "carried_in_pence",
                        "payment_pence",
                        "carried_out_pence",
                    )
                },
                "files": [finance_key(run.run_id, name) for name in files],
            },
        )

    def _write_json(self, key: str, content: dict[str, Any]) -> None:
        self.documents.write_outbound(
            key, json.dumps(content, indent=1, sort_keys=True).encode(), "application/json"
        )
