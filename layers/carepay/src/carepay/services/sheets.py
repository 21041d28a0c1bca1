"""The Google Sheets channel: a provider's claim lives in a sheet the council shares with them.

  link / prepare (carepay sheets …) ──► the sheet gets a week's claim tab and Instructions
  the provider edits ──► Apps Script's signed notice ──► FIFO queue ──► sync:
      one values:batchGet of every claim tab → the same check-store-explain path as an upload
      (SubmissionService.submit) → one values:batchUpdate of Status / Errors / Exceptions
  every 10 minutes ──► poll: a sheet changed since it was last read is queued again
  an approved payment run ──► a Remittance tab

A sync trusts nothing from the notice but the spreadsheet id, and only for a linked sheet: the
provider is the one the sheet is linked to, and the rows are read from the sheet.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from carepay.domain.service_lines import ProviderPlan, ServiceType
from carepay.ports.errors import SheetNotShared, SheetsNotConfigured, SheetUnavailable, TabMissing
from carepay.ports.files import Documents, FileArrived
from carepay.ports.messages import SyncQueue
from carepay.ports.sheets import SheetLink, SheetLinkStore, Sheets
from carepay.ports.stores import PlanSource
from carepay.services.claim_workbooks import week_just_ended
from carepay.services.payment_runs import remittance_key
from carepay.services.results import (
    RemittanceTabOutcome,
    SheetRequestOutcome,
    SheetSynced,
    TabRead,
)
from carepay.services.submissions import SubmissionKey, SubmissionService
from carepay.spreadsheets.claim_sheet import (
    INSTRUCTIONS_TAB,
    REMITTANCE_HEADER_ROWS,
    SUMMARY_CELL,
    claim_tab_requests,
    claim_tab_title,
    claim_tab_values,
    instructions_values,
    quoted,
    read_range,
    register_tab_requests,
    register_tab_title,
    register_tab_values,
    remittance_tab_requests,
    remittance_tab_title,
    remittance_tab_values,
    sheet_rows_to_csv,
    status_write_back,
    tab_week,
)
from carepay.spreadsheets.register_sheet import register_rows

logger = logging.getLogger(__name__)
REQUESTS = "sheets-requests/"
PAID_TAB_NOTE = (
    "This week has been paid: the tab is kept for your records and is no longer read. If the "
    "payment is wrong, contact the council."
)
PREPARES_PER_POLL = 20


def request_result_key(inbound_key: str) -> str:
    name = inbound_key.removeprefix(REQUESTS).rsplit(".", 1)[0]
    return f"sheets/requests/{name}.json"


@dataclass(frozen=True)
class WeekTab:
    """A week's tab to add: its title, values, formatting requests (given its id and the
    gateway) and how many lines it has."""

    title: str
    values: list[list[Any]]
    requests: Callable[[int, Sheets], list[dict[str, Any]]]
    lines: int


class SheetRequestRefused(ValueError):
    """A link or prepare request that cannot be done; the message says what to do."""


class SheetsService:
    def __init__(
        self,
        links: SheetLinkStore,
        plans: PlanSource,
        submissions: SubmissionService,
        documents: Documents,
        gateway: Callable[[], Sheets],
        queue: SyncQueue,
        council_name: str,
        council_contact: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.links = links
        self.plans = plans
        self.submissions = submissions
        self.documents = documents
        self.gateway = gateway
        self.queue = queue
        self.council_name = council_name
        self.council_contact = council_contact
        self.clock = clock

    # -- requests from the council (carepay sheets link / prepare) -----------------------------
    def handle_arrival(self, arrival: FileArrived) -> SheetRequestOutcome:
        document = self.documents.read_inbound(arrival.key, arrival.version_id)
        try:
            request = json.loads(document.content)
            action, provider_ref = str(request["action"]), str(request["provider_ref"])
            if action == "link":
                outcome = self.link(provider_ref, str(request["spreadsheet_id"]))
            elif action == "prepare":
                outcome = self.prepare(provider_ref, date.fromisoformat(request["week_commencing"]))
            else:
                raise SheetRequestRefused(f"Unknown action {action!r}: use link or prepare.")
        except (
            ValueError,
            KeyError,
            TypeError,
            SheetRequestRefused,
            SheetNotShared,
            SheetsNotConfigured,
        ) as refused:
            outcome = SheetRequestOutcome(outcome="refused", message=str(refused))
        outcome = outcome.model_copy(update={"source_key": arrival.key})
        self._write_json(
            request_result_key(arrival.key), outcome.model_dump(mode="json", exclude_none=True)
        )
        return outcome

    def link(self, provider_ref: str, spreadsheet_id: str) -> SheetRequestOutcome:
        plan = self.plans.provider_plan(provider_ref)
        if not plan.line_refs:
            raise SheetRequestRefused(
                f"{provider_ref} has no service lines: import its care packages first."
            )
        titles = self.gateway().tab_titles(spreadsheet_id)  # refused here if not shared
        link = self.links.link(provider_ref, spreadsheet_id)
        return SheetRequestOutcome(
            outcome="linked",
            provider_ref=provider_ref,
            spreadsheet_id=spreadsheet_id,
            tabs=titles,
            message=f"{provider_ref}'s claims are now read from this sheet.",
            claim_tabs=link.claim_tabs,
        )

    def prepare(self, provider_ref: str, monday: date) -> SheetRequestOutcome:
        """Add the week's claim tab (weekly lines) and register tab (Day Care lines), and the
        Instructions tab the first time: two API calls."""
        link = self._linked_sheet(provider_ref, monday)
        plan = self.plans.provider_plan(provider_ref)
        tabs = self._week_tabs(plan, provider_ref, monday)
        if not tabs:
            raise SheetRequestRefused(
                f"{provider_ref} has no planned service lines in the week commencing "
                f"{monday:%d/%m/%Y}."
            )
        wanted = [tab for tab in tabs if tab.title not in link.claim_tabs]
        gateway = self.gateway() if wanted else None
        present = gateway.tab_titles(link.spreadsheet_id) if gateway else []
        # Written before but not recorded (a crash in between): recorded now, not written again.
        link.claim_tabs += [tab.title for tab in wanted if tab.title in present]
        wanted = [tab for tab in wanted if tab.title not in present]
        if gateway is None or not wanted:
            self.links.save(link)
            titles = " and ".join(tab.title for tab in tabs)
            return SheetRequestOutcome(
                outcome="already prepared", tab=titles, provider_ref=provider_ref
            )
        requests: list[dict[str, Any]] = []
        values: list[tuple[str, list[list[Any]]]] = []
        for tab in wanted:
            tab_id = _tab_id(link.spreadsheet_id, tab.title)
            requests += [_add_tab(tab_id, tab.title, index=0), *tab.requests(tab_id, gateway)]
            values.append((f"{quoted(tab.title)}!A1", tab.values))
        self._add_instructions(link, present, tabs, requests, values)
        gateway.update(link.spreadsheet_id, requests)
        gateway.write_values(link.spreadsheet_id, values)
        link.claim_tabs += [tab.title for tab in wanted]
        self.links.save(link)
        return SheetRequestOutcome(
            outcome="prepared",
            tab=" and ".join(tab.title for tab in wanted),
            provider_ref=provider_ref,
            lines=sum(tab.lines for tab in wanted),
            calls=dict(gateway.calls),
        )

    def _week_tabs(self, plan: ProviderPlan, provider_ref: str, monday: date) -> list[WeekTab]:
        """The week's claim tab for weekly lines and register tab for Day Care lines."""
        lines = list(plan.lines_for_week(monday).values())
        claim_lines = [line for line in lines if line.service_type is not ServiceType.DAY_CARE]
        register = register_rows(plan, monday, {}) if plan.has_day_care else []
        name, council = plan.provider_name, self.council_name
        tabs = []
        if claim_lines:
            tabs.append(
                WeekTab(
                    claim_tab_title(monday),
                    claim_tab_values(council, provider_ref, name, monday, claim_lines),
                    lambda tab_id, gateway: claim_tab_requests(
                        tab_id, claim_lines, gateway.service_account_email
                    ),
                    len(claim_lines),
                )
            )
        if register:
            tabs.append(
                WeekTab(
                    register_tab_title(monday),
                    register_tab_values(council, provider_ref, name, monday, register),
                    lambda tab_id, gateway: register_tab_requests(
                        tab_id, register, gateway.service_account_email
                    ),
                    len(register),
                )
            )
        return tabs

    def _add_instructions(
        self,
        link: SheetLink,
        present: list[str],
        tabs: list[WeekTab],
        requests: list[dict[str, Any]],
        values: list[tuple[str, list[list[Any]]]],
    ) -> None:
        """The Instructions tab, once: for the provider's kinds of line only."""
        if INSTRUCTIONS_TAB in present and INSTRUCTIONS_TAB not in link.other_tabs:
            link.other_tabs.append(INSTRUCTIONS_TAB)
        if INSTRUCTIONS_TAB in link.other_tabs:
            return
        requests.append(_add_tab(_tab_id(link.spreadsheet_id, INSTRUCTIONS_TAB), INSTRUCTIONS_TAB))
        registers = any(tab.title.startswith("register") for tab in tabs)
        claims = any(not tab.title.startswith("register") for tab in tabs)
        instructions = instructions_values(
            self.council_name, self.council_contact, claims=claims, registers=registers
        )
        values.append((f"{quoted(INSTRUCTIONS_TAB)}!A1", instructions))
        link.other_tabs.append(INSTRUCTIONS_TAB)

    def _linked_sheet(self, provider_ref: str, monday: date) -> SheetLink:
        if monday.weekday() != 0:
            raise SheetRequestRefused(f"{monday:%d/%m/%Y} is not a Monday.")
        link = self.links.sheet_of(provider_ref)
        if link is None:
            raise SheetRequestRefused(
                f"{provider_ref} has no linked sheet: carepay sheets link --provider "
                f"{provider_ref} --sheet SPREADSHEET_ID first."
            )
        return link

    # -- a sheet to read (from a notice, or the poller) ----------------------------------------
    def sync(self, spreadsheet_id: str) -> SheetSynced:
        link = self.links.sheet(spreadsheet_id)
        if link is None or not link.claim_tabs:
            return SheetSynced(outcome="ignored", reason="not a linked sheet with claim tabs")
        gateway = self.gateway()
        read_at = self.clock()
        try:
            contents = gateway.read(spreadsheet_id, [read_range(t) for t in link.claim_tabs])
        except TabMissing:
            # The provider deleted or renamed a week's tab: read the ones still there.
            present = set(gateway.tab_titles(spreadsheet_id))
            link.claim_tabs = [tab for tab in link.claim_tabs if tab in present]
            self.links.save(link)
            if not link.claim_tabs:
                return SheetSynced(outcome="ignored", reason="the sheet has no claim tabs left")
            contents = gateway.read(spreadsheet_id, [read_range(t) for t in link.claim_tabs])
        tabs = list(link.claim_tabs)
        write_back: list[tuple[str, list[list[Any]]]] = []
        summaries = {}
        for tab, rows in zip(tabs, contents, strict=True):
            content = sheet_rows_to_csv(rows)
            identity = f"{spreadsheet_id}/{tab}/".encode() + content
            submission = SubmissionKey(
                kind="upload",
                provider_ref=link.provider_ref,
                name=f"google-sheet-{_slug(tab)}.csv",
                key=f"sheets/{spreadsheet_id}/{tab}",
            )
            summary = self.submissions.submit(
                submission, hashlib.sha256(identity).hexdigest()[:20], read_at, content
            )
            summaries[tab] = summary
            feedback = self.documents.read_outbound(summary.feedback_key)
            if feedback is None:
                continue
            for a1, values in status_write_back(json.loads(feedback), read_at):
                write_back.append((f"{quoted(tab)}!{a1}", values))
        gateway.write_values(spreadsheet_id, write_back)
        # Drive's clock, not a trial stack's simulated one; after the write-back, so carepay's
        # own write is not taken for the provider's change.
        link.last_read = datetime.now(UTC)
        self.links.save(link)
        synced = SheetSynced(
            outcome="synced",
            provider_ref=link.provider_ref,
            tabs={
                tab: TabRead.model_validate(summary, from_attributes=True)
                for tab, summary in summaries.items()
            },
            calls=dict(gateway.calls),
        )
        logger.info(
            "sheet synced",
            extra={"spreadsheet_id": spreadsheet_id, **synced.model_dump(exclude_none=True)},
        )
        return synced

    def poll(self, now: datetime) -> list[str]:
        """Queue every linked sheet changed since carepay last read it (a lost notice only
        waits), and give sheets the tab of the week just ended (from Monday morning on)."""
        queued = []
        gateway = self.gateway()
        links = self.links.sheets()
        self._prepare_new_week(links, week_just_ended(now))
        for link in links:
            if not link.claim_tabs:
                continue
            try:
                modified = gateway.modified_at(link.spreadsheet_id)
            except SheetNotShared:
                continue  # unshared since it was linked: the link request said how to share it
            if link.last_read is None or modified > link.last_read:
                self.queue.request_sync(
                    link.spreadsheet_id, f"{link.spreadsheet_id}-{now:%Y%m%d%H%M}", "poll"
                )
                queued.append(link.spreadsheet_id)
        return queued

    def _prepare_new_week(self, links: list[SheetLink], monday: date) -> None:
        """At most PREPARES_PER_POLL sheets a poll: two writes each, within Google's quota of
        60 writes a minute; the rest get theirs at the next poll."""
        titles = {claim_tab_title(monday), register_tab_title(monday)}
        waiting = [link for link in links if not titles & set(link.claim_tabs)]
        for link in waiting[:PREPARES_PER_POLL]:
            try:
                self.prepare(link.provider_ref, monday)
            except (SheetRequestRefused, SheetNotShared, SheetUnavailable):
                continue  # no lines that week, unshared, or Google busy: the next poll tries

    # -- after an approved payment run ----------------------------------------------------------
    def remittance_tab(
        self, provider_ref: str, run_id: str, payment_date: date | None = None
    ) -> RemittanceTabOutcome:
        link = self.links.sheet_of(provider_ref)
        if link is None:
            return RemittanceTabOutcome(outcome="ignored", reason="no linked sheet")
        title = remittance_tab_title(run_id)
        if title in link.other_tabs:
            return RemittanceTabOutcome(outcome="already written", tab=title)
        remittance = self.documents.read_outbound(remittance_key(provider_ref, run_id, "csv"))
        if remittance is None:
            return RemittanceTabOutcome(
                outcome="ignored", reason="no remittance for this provider in the run"
            )
        heading = f"{self.council_name}: remittance advice for payment run {run_id}"
        tab_values = remittance_tab_values(remittance, heading, run_id, payment_date)
        tab_id = _tab_id(link.spreadsheet_id, title)
        gateway = self.gateway()
        gateway.update(
            link.spreadsheet_id,
            [
                _add_tab(tab_id, title),
                *remittance_tab_requests(tab_id, len(tab_values) - REMITTANCE_HEADER_ROWS),
            ],
        )
        retired = self._paid_claim_tabs(link)
        values: list[tuple[str, list[list[Any]]]] = [(f"{quoted(title)}!A1", tab_values)]
        values += [(f"{quoted(tab)}!{SUMMARY_CELL}", [[PAID_TAB_NOTE]]) for tab in retired]
        gateway.write_values(link.spreadsheet_id, values)
        link.other_tabs.append(title)
        # A week paid in full is locked (V7): its tab is no longer read, so syncs stay one
        # small read however many weeks the sheet holds.
        link.claim_tabs = [tab for tab in link.claim_tabs if tab not in retired]
        link.other_tabs += retired
        self.links.save(link)
        return RemittanceTabOutcome(
            outcome="written", tab=title, retired=retired, calls=dict(gateway.calls)
        )

    def _paid_claim_tabs(self, link: SheetLink) -> list[str]:
        """The claim tabs whose every planned line-week has been paid."""
        plan = self.plans.provider_plan(link.provider_ref)
        paid = []
        for tab in link.claim_tabs:
            monday = tab_week(tab)
            lines = plan.lines_for_week(monday)
            stored = self.plans.stored_line_weeks(link.provider_ref, monday, monday)
            if lines and all(
                (line_ref, monday) in stored and stored[(line_ref, monday)].paid
                for line_ref in lines
            ):
                paid.append(tab)
        return paid

    def _write_json(self, key: str, content: dict[str, Any]) -> None:
        self.documents.write_outbound(
            key, json.dumps(content, indent=1, default=str).encode(), "application/json"
        )


def _add_tab(tab_id: int, title: str, index: int | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"sheetId": tab_id, "title": title}
    if index is not None:
        properties["index"] = index
    return {"addSheet": {"properties": properties}}


def _tab_id(spreadsheet_id: str, title: str) -> int:
    """A stable tab id of carepay's choosing, so a tab and its formatting go in one call."""
    return zlib.crc32(f"{spreadsheet_id}/{title}".encode()) & 0x3FFFFFFF


def _slug(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", title).strip("-").lower()
