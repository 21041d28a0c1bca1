"""The weekly claim workbooks: every provider's on Monday morning, or one on request."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from carepay.domain.weeks import london_date, week_commencing
from carepay.services.notices import FileArrived
from carepay.services.ports import Documents, PlanStore
from carepay.spreadsheets.claim_workbook import CouncilNotice, write_claim_csv, write_claim_workbook

OUTBOX = "outbox/"
REQUESTS = "workbook-requests/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def claim_workbook_key(provider_ref: str, monday: date, extension: str = "xlsx") -> str:
    return f"{OUTBOX}{provider_ref}/claim-w-c-{monday}.{extension}"


def week_just_ended(moment: datetime) -> date:
    """The week a Monday-morning run prepares: the one that ended yesterday (London)."""
    return week_commencing(london_date(moment)) - timedelta(weeks=1)


class ClaimWorkbookService:
    def __init__(self, store: PlanStore, documents: Documents, notice: CouncilNotice) -> None:
        self.store = store
        self.documents = documents
        self.notice = notice

    def handle_request(self, body: str) -> list[dict[str, Any]]:
        """The Monday schedule's message: every provider's workbook for the week just ended."""
        scheduled = json.loads(body)["scheduled_time"].replace("Z", "+00:00")
        monday = week_just_ended(datetime.fromisoformat(scheduled))
        return [self.write(provider_ref, monday) for provider_ref in self.store.providers()]

    def handle_arrival(self, arrival: FileArrived) -> list[dict[str, Any]]:
        """A request file under workbook-requests/{provider}/: that provider's workbook only."""
        provider_ref, in_folder, _ = arrival.key.removeprefix(REQUESTS).partition("/")
        if not in_folder:
            return []  # not in a provider's folder: there is no provider to write for
        request = json.loads(self.documents.read_inbound(arrival.key, arrival.version_id).content)
        monday = date.fromisoformat(request["week_commencing"])
        written = self.write(provider_ref, monday)
        receipt = {**written, "source_key": arrival.key}
        self.documents.write_outbound(
            claim_workbook_key(provider_ref, monday, "json"),
            json.dumps(receipt, indent=1).encode(),
            "application/json",
        )
        return [written]

    def write(self, provider_ref: str, monday: date) -> dict[str, Any]:
        """The provider's claim workbook and CSV for the week, in the outbox."""
        plan = self.store.provider_plan(provider_ref)
        lines = list(plan.lines_for_week(monday).values())
        workbook = write_claim_workbook(
            provider_ref, plan.provider_name, monday, lines, self.notice
        )
        self.documents.write_outbound(claim_workbook_key(provider_ref, monday), workbook, XLSX)
        self.documents.write_outbound(
            claim_workbook_key(provider_ref, monday, "csv"),
            write_claim_csv(monday, lines),
            "text/csv",
        )
        return {
            "provider_ref": provider_ref,
            "week_commencing": monday.isoformat(),
            "lines": len(lines),
            "key": claim_workbook_key(provider_ref, monday),
        }
