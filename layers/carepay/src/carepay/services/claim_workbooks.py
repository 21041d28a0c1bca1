"""The weekly claim workbooks: every provider's on Monday morning, or one on request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from carepay.domain.actuals import StoredLineWeek
from carepay.domain.confirmation import confirm_week
from carepay.domain.findings import Severity
from carepay.domain.money import quarters_to_decimal
from carepay.domain.payment_run import PaymentPreview, preview_week
from carepay.domain.service_lines import ProviderPlan, ServiceType
from carepay.domain.weeks import london_date, week_commencing, week_has_ended
from carepay.ports.files import Documents, FileArrived
from carepay.ports.messages import Messages, PortalTask, ScheduleFired
from carepay.ports.stores import PreviewStore
from carepay.services.notices import received_at
from carepay.services.results import WorkbookWritten
from carepay.spreadsheets.claim_workbook import CouncilNotice, write_claim_csv
from carepay.spreadsheets.claim_xlsx import write_claim_workbook
from carepay.spreadsheets.register_sheet import (
    RegisterRow,
    coming_non_payment_weeks,
    register_rows,
    write_register_csv,
)

OUTBOX = "outbox/"
REQUESTS = "workbook-requests/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def claim_workbook_key(provider_ref: str, monday: date, extension: str = "xlsx") -> str:
    return f"{OUTBOX}{provider_ref}/claim-w-c-{monday}.{extension}"


def register_csv_key(provider_ref: str, monday: date) -> str:
    return f"{OUTBOX}{provider_ref}/register-w-c-{monday}.csv"


def week_just_ended(moment: datetime) -> date:
    """The week a Monday-morning run prepares: the one that ended yesterday (London)."""
    return week_commencing(london_date(moment)) - timedelta(weeks=1)


class ClaimWorkbookService:
    def __init__(
        self,
        store: PreviewStore,
        documents: Documents,
        notice: CouncilNotice,
        trial_mode: bool = False,
        messages: Messages | None = None,
        portal_tasks_queue_url: str = "",
    ) -> None:
        self.messages = messages
        self.portal_tasks_queue_url = portal_tasks_queue_url  # each provider is emailed theirs
        self.store = store
        self.documents = documents
        self.notice = notice
        self.trial_mode = trial_mode  # a request may carry a simulated time (--at)

    def handle_schedule(self, fired: ScheduleFired) -> list[WorkbookWritten]:
        """The Monday schedule's message: every provider's workbook for the week just ended."""
        scheduled = fired.scheduled_time
        monday = week_just_ended(scheduled)
        written = [
            self.write(provider_ref, monday, scheduled) for provider_ref in self.store.providers()
        ]
        if self.messages is not None and self.portal_tasks_queue_url:
            emails = [
                PortalTask(task="claim ready", provider_ref=w.provider_ref, week_commencing=monday)
                for w in written
                if w.lines
            ]
            self.messages.send_all(self.portal_tasks_queue_url, emails)
        return written

    def handle_arrival(self, arrival: FileArrived) -> list[WorkbookWritten]:
        """A request file under workbook-requests/{provider}/: that provider's workbook only."""
        provider_ref, in_folder, _ = arrival.key.removeprefix(REQUESTS).partition("/")
        if not in_folder:
            return []  # not in a provider's folder: there is no provider to write for
        document = self.documents.read_inbound(arrival.key, arrival.version_id)
        request = json.loads(document.content)
        monday = date.fromisoformat(request["week_commencing"])
        moment = received_at(arrival, document.metadata, self.trial_mode)
        if request.get("preview"):
            self._write_preview(provider_ref, monday, arrival.key, moment)
            return []
        written = self.write(provider_ref, monday, moment)
        receipt = {**written.model_dump(mode="json"), "source_key": arrival.key}
        self.documents.write_outbound(
            claim_workbook_key(provider_ref, monday, "json"),
            json.dumps(receipt, indent=1).encode(),
            "application/json",
        )
        return [written]

    def preview(self, provider_ref: str, monday: date, now: datetime) -> PaymentPreview:
        """What the provider would be paid for the week if they confirmed it now."""
        plan = self.store.provider_plan(provider_ref)
        stored = self.store.stored_line_weeks(provider_ref, monday, monday)
        return self.preview_of(plan, stored, provider_ref, monday, now)

    def preview_of(
        self,
        plan: ProviderPlan,
        stored: Mapping[tuple[str, date], StoredLineWeek],
        provider_ref: str,
        monday: date,
        now: datetime,
    ) -> PaymentPreview:
        """The same, from the plan and the week's line-weeks a caller has already read."""
        confirmation = confirm_week(provider_ref, monday, plan, stored, now)
        already = [s.actuals for s in stored.values() if s.confirmed and s.actuals is not None]
        refusal = " ".join(f.message for f in confirmation.findings if f.severity is Severity.ERROR)
        return preview_week(
            plan,
            confirmation.confirmed,
            self.store.paid_ledger(provider_ref, monday, monday),  # that week's only
            self.store.approvals(provider_ref),
            now,
            refusal,
            already,
        )

    def write(
        self, provider_ref: str, monday: date, now: datetime | None = None
    ) -> WorkbookWritten:
        """The provider's workbook and CSV for the week, in the outbox: the claim for weekly
        lines, the register (and its own CSV) for Day Care lines.

        A workbook written once the week has ended has a 'Payment preview' sheet.
        """
        plan = self.store.provider_plan(provider_ref)
        lines = list(plan.lines_for_week(monday).values())
        now = now or datetime.now(UTC)
        preview = self.preview(provider_ref, monday, now) if week_has_ended(monday, now) else None
        register = self._register(plan, provider_ref, monday)
        workbook = write_claim_workbook(
            provider_ref, plan.provider_name, monday, lines, self.notice, preview, register,
            coming_non_payment_weeks(plan, monday) if plan.has_day_care else [], written_at=now,
        )  # fmt: skip
        files = [(claim_workbook_key(provider_ref, monday), workbook, XLSX)]
        claim_lines = [line for line in lines if line.service_type is not ServiceType.DAY_CARE]
        if claim_lines or not register:
            claim_csv = write_claim_csv(monday, claim_lines)
            files.append((claim_workbook_key(provider_ref, monday, "csv"), claim_csv, "text/csv"))
        if register:
            register_csv = write_register_csv(monday, register)
            files.append((register_csv_key(provider_ref, monday), register_csv, "text/csv"))
        for key, content, content_type in files:
            self.documents.write_outbound(key, content, content_type)
        return WorkbookWritten(
            provider_ref=provider_ref,
            week_commencing=monday,
            lines=len(lines),
            key=claim_workbook_key(provider_ref, monday),
            keys=[key for key, _, _ in files],
        )

    def _register(self, plan: ProviderPlan, provider_ref: str, monday: date) -> list[RegisterRow]:
        """A day centre's register rows: as planned, or as already reported that week."""
        if not plan.has_day_care:
            return []
        return register_rows(
            plan, monday, self.store.stored_line_weeks(provider_ref, monday, monday)
        )

    def _write_preview(self, provider_ref: str, monday: date, key: str, now: datetime) -> None:
        preview = self.preview(provider_ref, monday, now)
        result = {
            "source_key": key,
            "provider_ref": provider_ref,
            "week_commencing": monday.isoformat(),
            "message": preview.message,
            "total_pence": preview.total_pence,
            "lines": [
                {
                    "line_ref": line.line_ref,
                    "ss_ref": line.ss_ref,
                    "payable_quantity": str(quarters_to_decimal(line.payable_quarters)),
                    "amount_pence": line.net_pence,
                    "note": line.hold_reason
                    and f"{line.hold_reason}: held until the council approves it",
                }
                for line in preview.lines
            ],
        }
        self.documents.write_outbound(
            preview_key(provider_ref, monday),
            json.dumps(result, indent=1).encode(),
            "application/json",
        )


def preview_key(provider_ref: str, monday: date) -> str:
    return f"{OUTBOX}{provider_ref}/preview-w-c-{monday}.json"
