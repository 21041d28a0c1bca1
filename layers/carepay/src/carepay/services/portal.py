"""The provider portal: what a signed-in person at a provider sees and does.

Authority is carepay's own: the providers a person may act for are read from the table by the
token's `sub` on every call, never taken from the token or the request. A provider reference
that is not the person's is answered exactly as one that does not exist (NotFound), so the
portal never tells anyone which providers exist. Every action is audited, refused ones too.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime

from carepay.domain.portal_weeks import WeekStatus
from carepay.domain.queries import Query, QueryRefused
from carepay.domain.weeks import (
    financial_year_label,
    financial_year_start,
    london_date,
    week_commencing,
    weeks_of_year,
)
from carepay.ports.portal import (
    AuditEntry,
    AuditLog,
    PortalAccess,
    PortalAccessStore,
    PortalFiles,
    PortalPeople,
)
from carepay.ports.stores import PortalStore
from carepay.services.claim_workbooks import (
    ClaimWorkbookService,
    claim_workbook_key,
    register_csv_key,
)
from carepay.services.notices import SIMULATED_TIME_METADATA
from carepay.services.portal_progress import read_year_progress
from carepay.services.portal_views import (
    DownloadView,
    EmailSettingsView,
    FilesView,
    FileView,
    HomeView,
    MessageView,
    ProgressView,
    QueriesView,
    QueryView,
    ResultView,
    SentView,
    SupplierView,
    UploadFormView,
    WeekListView,
    WeekRow,
    WeekView,
)
from carepay.services.portal_week import week_view
from carepay.services.queries import QueryService, UnknownQuery
from carepay.services.submissions import PORTAL_UPLOADER, feedback_keys_for
from carepay.spreadsheets.claim_workbook import CouncilNotice
from carepay.spreadsheets.reading import MAX_FILE_BYTES

LINK_SECONDS = 300  # a download or upload link lives five minutes: long enough to use, no longer
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "xls": "application/vnd.ms-excel",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv",
}


class NotSignedUp(Exception):
    """The token is valid but names nobody who may act for a provider (removed, or never
    invited): answered as an unauthenticated request."""


class NotFound(Exception):
    """No such provider, week or file for this person: the same answer whichever it is."""


class Refused(Exception):
    """The request is understood but cannot be done; the message says what to do instead."""


class PortalService:
    def __init__(
        self,
        access: PortalAccessStore,
        people: PortalPeople,
        store: PortalStore,
        bucket: PortalFiles,
        audit: AuditLog,
        workbooks: ClaimWorkbookService,
        query_service: QueryService,
        notice: CouncilNotice,
        trial_mode: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        first_week: date | None = None,
    ) -> None:
        self.first_week = first_week  # the first week claimed through carepay
        self.clock = clock
        self.access = access
        self.people = people
        self.store = store
        self.bucket = bucket  # the buckets as the portal reaches them (presigned links)
        self.audit = audit
        self.workbooks = workbooks
        self.query_service = query_service
        self.notice = notice
        self.trial_mode = trial_mode

    # -- authority -----------------------------------------------------------------------------
    def _access(self, sub: str) -> PortalAccess:
        """Who this is, from carepay's table; seen today (the 90-day lock counts from it)."""
        access = self.access.access_of(sub)
        if not access.provider_refs:
            raise NotSignedUp(sub)
        self.people.seen(access.email, london_date(self.clock()))
        return access

    def _act(self, sub: str, provider_ref: str, action: str, detail: str) -> str:
        """The person's email, once the action is audited; NotFound if not theirs to act for."""
        access = self._access(sub)
        allowed = provider_ref in access.provider_refs
        entry_detail = detail if allowed else f"refused: not theirs ({detail})"
        # The audit says when it really happened, even on a trial stack's simulated time.
        at = self.clock()
        self.audit.record(AuditEntry(provider_ref, sub, access.email, action, entry_detail, at))
        if not allowed:
            raise NotFound(provider_ref)
        return access.email

    # -- screens -------------------------------------------------------------------------------
    def home(self, sub: str, now: datetime) -> HomeView:
        access = self._access(sub)
        return HomeView(
            council_name=self.notice.council_name,
            message=self.notice.message,
            message_level=self.notice.level,
            email=access.email,
            suppliers=[self._supplier(ref, now) for ref in sorted(access.provider_refs)],
        )

    def _supplier(self, provider_ref: str, now: datetime) -> SupplierView:
        year = financial_year_start(london_date(now))
        plan, progress = read_year_progress(self.store, provider_ref, year, now, self.first_week)
        to_confirm = [
            w.week_commencing
            for w in progress.weeks
            if w.status in (WeekStatus.LATE, WeekStatus.IN_PROGRESS)
        ]
        ended = [w.week_commencing for w in progress.weeks if w.status != WeekStatus.NOT_YET_DUE]
        act_on = to_confirm or ended[-1:]
        return SupplierView(
            provider_ref=provider_ref,
            provider_name=plan.provider_name,
            progress=ProgressView(
                year=financial_year_label(year),
                confirmed=progress.count(WeekStatus.CONFIRMED),
                in_progress=progress.count(WeekStatus.IN_PROGRESS),
                late=progress.count(WeekStatus.LATE),
                not_yet_due=progress.count(WeekStatus.NOT_YET_DUE),
            ),
            week_to_act_on=act_on[0] if act_on else None,
        )

    def weeks(self, sub: str, provider_ref: str, year: int, now: datetime) -> WeekListView:
        """A financial year's weeks: this one or last year (the history the portal keeps)."""
        self._act(sub, provider_ref, "list weeks", f"year {year}")
        this_year = financial_year_start(london_date(now))
        if year not in (this_year, this_year - 1):
            raise NotFound(f"year {year}")
        _, progress = read_year_progress(self.store, provider_ref, year, now, self.first_week)
        rows = [
            WeekRow(
                week_commencing=w.week_commencing, status=w.status, planned_lines=w.planned_lines
            )
            for w in progress.weeks
        ]
        return WeekListView(provider_ref=provider_ref, year=financial_year_label(year), weeks=rows)

    def week(self, sub: str, provider_ref: str, monday: date, now: datetime) -> WeekView:
        self._act(sub, provider_ref, "view week", f"w/c {monday}")
        _check_in_history(monday, now)
        return week_view(self.store, self.workbooks, provider_ref, monday, now, self.first_week)

    # -- files ---------------------------------------------------------------------------------
    def claim(
        self, sub: str, provider_ref: str, monday: date, extension: str, now: datetime
    ) -> DownloadView:
        """The week's workbook, its claim as CSV, or its register as CSV (`extension` xlsx, csv
        or register), written now so it shows today's plan, preview and what was submitted."""
        self._act(sub, provider_ref, "download claim", f"w/c {monday} .{extension}")
        _check_in_history(monday, now)
        if extension not in ("xlsx", "csv", "register"):
            raise NotFound(extension)
        written = self.workbooks.write(provider_ref, monday, now)
        key = (
            register_csv_key(provider_ref, monday)
            if extension == "register"
            else claim_workbook_key(provider_ref, monday, extension)
        )
        if key not in written.keys:
            raise NotFound(key)  # a register of a provider with none, or a claim CSV likewise
        return self._link(key)

    def download(self, sub: str, provider_ref: str, key: str, now: datetime) -> DownloadView:
        """One of the provider's own files: a claim, a feedback workbook or a remittance."""
        self._act(sub, provider_ref, "download", key)
        if key not in {f.key for f in self._files_of(provider_ref)}:
            raise NotFound(key)
        return self._link(key)

    def files(self, sub: str, provider_ref: str, now: datetime) -> FilesView:
        self._act(sub, provider_ref, "list files", "")
        return FilesView(provider_ref=provider_ref, files=self._files_of(provider_ref))

    def _files_of(self, provider_ref: str) -> list[FileView]:
        folders = {"outbox": "claim", "feedback": "feedback", "remittances": "remittance"}
        found = [
            FileView(
                key=stored.key,
                name=stored.key.rsplit("/", 1)[1],
                kind=kind,
                size=stored.size,
                last_modified=stored.last_modified,
            )
            for folder, kind in folders.items()
            for stored in self.bucket.outbound_files(f"{folder}/{provider_ref}/")
            if stored.key.endswith((".xlsx", ".csv"))
        ]
        return sorted(found, key=lambda f: f.last_modified, reverse=True)

    def _link(self, key: str) -> DownloadView:
        name = key.rsplit("/", 1)[1]
        url = self.bucket.download_link(key, name, LINK_SECONDS)
        return DownloadView(url=url, file_name=name, expires_in_seconds=LINK_SECONDS)

    # -- uploads and confirmations ---------------------------------------------------------------
    def upload_form(
        self, sub: str, provider_ref: str, file_name: str, now: datetime
    ) -> UploadFormView:
        """A presigned POST for one file, pinned to a key in the provider's own folder."""
        self._act(sub, provider_ref, "upload", file_name)
        extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
        if extension not in CONTENT_TYPES:
            raise Refused(
                f"{file_name} is not a spreadsheet carepay can read: choose the claim workbook "
                "(.xlsx) or a .xlsm, .xls, .ods or .csv file."
            )
        key = f"uploads/{provider_ref}/{_stamp(now)}-portal-{_safe_name(file_name)}"
        metadata = {PORTAL_UPLOADER: sub} | self._simulated(now)
        form = self.bucket.upload_form(
            key, CONTENT_TYPES[extension], MAX_FILE_BYTES, metadata, LINK_SECONDS
        )
        return UploadFormView(
            url=form.url,
            fields=form.fields,
            key=key,
            result=_result_path(provider_ref, key),
            most_bytes=MAX_FILE_BYTES,
        )

    def confirm(
        self, sub: str, provider_ref: str, monday: date, declared: bool, now: datetime
    ) -> SentView:
        """The declaration ticked and the button pressed: the week's confirmation, checked and
        stored by the same pipeline as a confirmation file (so the same rules and feedback)."""
        email = self._act(sub, provider_ref, "confirm", f"w/c {monday}")
        if monday != week_commencing(monday):
            raise NotFound(f"w/c {monday}")
        if self.first_week is not None and monday < self.first_week:
            raise Refused(
                f"The week commencing {monday:%d/%m/%Y} was claimed before the council used "
                "carepay: to change it, raise a query (Report an error)."
            )
        if not declared:
            raise Refused(
                "Tick the declaration first: it says the delivered hours and amendments are correct."
            )
        request = {"week_commencing": monday.isoformat(), "requested_by": f"portal: {email}"}
        key = f"confirmations/{provider_ref}/{_stamp(now)}-portal-week-{monday}.json"
        metadata = {PORTAL_UPLOADER: sub} | self._simulated(now)
        self.bucket.put_inbound(key, json.dumps(request).encode(), metadata)
        return SentView(key=key, result=_result_path(provider_ref, key))

    def result(self, sub: str, provider_ref: str, key: str, now: datetime) -> ResultView:
        """An upload's or confirmation's feedback, once the pipeline has written it."""
        self._act(sub, provider_ref, "view result", key)
        if not key.startswith((f"uploads/{provider_ref}/", f"confirmations/{provider_ref}/")):
            raise NotFound(key)
        json_key, workbook_key = feedback_keys_for(key)
        written = self.bucket.read_outbound(json_key)
        if written is None:
            return ResultView(ready=False, key=key)
        return ResultView(
            ready=True,
            key=key,
            feedback=json.loads(written),
            feedback_workbook=workbook_key,
        )

    # -- email settings --------------------------------------------------------------------------
    def email_settings(self, sub: str, wanted: bool | None = None) -> EmailSettingsView:
        """What optional emails the person gets; `wanted` changes it (their choice, for every
        provider they act for: invitations and reminders always come)."""
        email = self._access(sub).email
        if wanted is not None:
            self.people.set_optional_emails(email, wanted)
        person = self.people.person(email)
        chosen = person.wants_optional_emails if person else True
        return EmailSettingsView(email=email, optional_emails=chosen)

    # -- queries (Report an error, Payment query) ---------------------------------------------
    def queries(self, sub: str, provider_ref: str) -> QueriesView:
        self._act(sub, provider_ref, "list queries", "")
        views = [_query_view(q) for q in self.query_service.of_provider(provider_ref)]
        return QueriesView(provider_ref=provider_ref, queries=views)

    def raise_query(
        self, sub: str, provider_ref: str, kind: str, about: str, text: str, now: datetime
    ) -> QueryView:
        email = self._act(sub, provider_ref, "raise query", f"{kind}: {about}")
        try:
            query = self.query_service.raise_query(provider_ref, email, kind, about, text, now)
        except QueryRefused as refused:
            raise Refused(str(refused)) from None
        return _query_view(query)

    def reply(
        self, sub: str, provider_ref: str, query_id: str, text: str, now: datetime
    ) -> QueryView:
        email = self._act(sub, provider_ref, "reply to query", query_id)
        try:
            query = self.query_service.reply(provider_ref, query_id, email, text, now)
        except UnknownQuery:
            raise NotFound(query_id) from None
        except QueryRefused as refused:
            raise Refused(str(refused)) from None
        return _query_view(query)

    def upload_origin(self) -> str:
        return self.bucket.upload_origin()

    def _simulated(self, now: datetime) -> dict[str, str]:
        """On a trial stack the portal's simulated time goes with what it sends, as --at does."""
        return {SIMULATED_TIME_METADATA: now.isoformat()} if self.trial_mode else {}


def _query_view(query: Query) -> QueryView:
    return QueryView(
        query_id=query.query_id,
        kind=query.kind,
        about=query.about,
        status=query.status,
        opened_at=query.opened_at,
        messages=[
            MessageView(author="You" if m.author == "provider" else "Council", text=m.text, at=m.at)
            for m in query.messages
        ],
    )


def _year_span(year: int) -> tuple[date, date]:
    weeks = weeks_of_year(year)
    return weeks[0], weeks[-1]


def _check_in_history(monday: date, now: datetime) -> None:
    """The portal keeps this financial year and the last; a week outside them, or a date that is
    not a Monday, is not found."""
    this_year = financial_year_start(london_date(now))
    first, _ = _year_span(this_year - 1)
    _, last = _year_span(this_year + 1)
    if monday != week_commencing(monday) or not first <= monday <= last:
        raise NotFound(f"w/c {monday}")


def _result_path(provider_ref: str, key: str) -> str:
    return f"/api/providers/{provider_ref}/results?key={key}"


def _stamp(now: datetime) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


def _safe_name(file_name: str) -> str:
    """The file's own name, kept readable in the feedback, without path or odd characters."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .") or "claim"
    return cleaned[-120:]
