"""A provider's submission, from file to stored actuals and feedback.

Two kinds arrive on the submissions queue: an actuals upload (uploads/{provider}/...) and a
confirmation request (confirmations/{provider}/...). Both are judged at the time the provider
sent them, touch only the provider named in the key, and are safe to receive twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from carepay.domain.actuals import (
    LineWeekActuals,
    RejectedReport,
    RowOutcome,
    ValidationContext,
    parse_week_date,
    rejected_reports,
    validate_rows,
)
from carepay.domain.confirmation import WeekConfirmation, confirm_week
from carepay.domain.findings import Finding, Severity
from carepay.domain.flags import F4_WEEKS, LOOKBACK_WEEKS, provider_flags
from carepay.domain.register_rows import validate_register_rows
from carepay.domain.rows import SheetRow
from carepay.domain.weeks import LONDON, confirmation_deadline
from carepay.ports.errors import AlreadyCommitted, ConcurrentChange
from carepay.ports.files import Documents, FileArrived
from carepay.ports.messages import Messages, PortalTask
from carepay.ports.stores import ActualsStore
from carepay.services.collector import cycle_collection_paused
from carepay.services.notices import received_at
from carepay.services.results import SubmissionSummary
from carepay.spreadsheets.feedback import (
    REGISTER_ROWS,
    FindingOut,
    RowFeedback,
    SubmissionFeedback,
    WeekConfirmationOut,
)
from carepay.spreadsheets.reading import (
    MAX_FILE_BYTES,
    Table,
    UnreadableFile,
    read_tables,
    too_large,
)
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD, REGISTER_UPLOAD

UPLOADS = "uploads/"
# {yyyymmddThhmmss}-{6 hex}- before a sent file's name (the portal adds "portal-" too)
SENT_STAMP = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{6}-(?:portal-)?")
CONFIRMATIONS = "confirmations/"
FEEDBACK = "feedback/"
# Each attempt's feedback, written before its commit (which names it) and published to FEEDBACK
# after: what a provider reads there always describes what was committed.
STAGED_FEEDBACK = "feedback-staged/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNKNOWN_PROVIDER = "unknown-provider"
PORTAL_UPLOADER = "uploaded-by"  # metadata of a file sent from the portal's page (its sub)
# Checking a submission again after another one of the same provider committed first; past this
# the message goes back to the queue.
CHECKS_BEFORE_GIVING_UP = 5
X3_LOOKBACK = timedelta(weeks=6)
# A week confirmed late can complete a pattern with weeks confirmed after it.
FLAG_LOOKAHEAD = timedelta(weeks=F4_WEEKS)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmissionKey:
    kind: str  # upload | confirmation
    provider_ref: str
    name: str
    key: str

    @classmethod
    def parse(cls, key: str) -> SubmissionKey:
        kind = "upload" if key.startswith(UPLOADS) else "confirmation"
        _, _, rest = key.partition("/")
        provider_ref, _, name = rest.partition("/")
        if not name:  # a file dropped straight under uploads/: no provider to act for
            return cls(kind, "", rest, key)
        return cls(kind, provider_ref, name, key)

    @property
    def shown_name(self) -> str:
        """The file's name as the provider gave it: without the stamp the portal or the
        command line put before it to keep each send apart (the key keeps it)."""
        return SENT_STAMP.sub("", self.name.rsplit("/", 1)[-1]) or self.name

    def feedback_key(self, extension: str, *, staged_as: str = "") -> str:
        stem = self.name.rsplit(".", 1)[0] if "." in self.name else self.name
        folder = _key_part(self.provider_ref or UNKNOWN_PROVIDER)
        if staged_as:
            return f"{STAGED_FEEDBACK}{folder}/{staged_as}.feedback.{extension}"
        return f"{FEEDBACK}{folder}/{_key_part(stem)}.feedback.{extension}"


def _key_part(text: str, most_bytes: int = 200) -> str:
    """A provider's file name as part of an outbound key: no '.' or '..' segments, no empty
    ones, and short enough that the key stays within S3's 1,024 bytes (a hash keeps it unique)."""
    part = "/".join(segment for segment in text.split("/") if segment not in ("", ".", ".."))
    encoded = (part or "file").encode()
    if len(encoded) <= most_bytes:
        return part or "file"
    kept = encoded[: most_bytes - 13].decode(errors="ignore")
    return f"{kept}-{hashlib.sha256(encoded).hexdigest()[:12]}"


def feedback_keys_for(inbound_key: str) -> tuple[str, str]:
    """Where the feedback for an inbound file is written: (json, xlsx)."""
    submission = SubmissionKey.parse(inbound_key)
    return submission.feedback_key("json"), submission.feedback_key("xlsx")


class SubmissionService:
    def __init__(
        self,
        store: ActualsStore,
        documents: Documents,
        council_name: str,
        trial_mode: bool,
        council_contact: str = "your council's provider payments team",
        messages: Messages | None = None,
        portal_tasks_queue_url: str = "",
    ) -> None:
        self.messages = messages
        self.portal_tasks_queue_url = portal_tasks_queue_url  # rejected rows are emailed
        self.store = store
        self.documents = documents
        self.council_name = council_name
        self.trial_mode = trial_mode
        self.council_contact = council_contact

    def handle(self, arrival: FileArrived) -> SubmissionSummary:
        """Process one arrived file; returns the summary stored with the upload's commit marker."""
        submission = SubmissionKey.parse(arrival.key)
        upload_id = arrival.arrival_id
        if not submission.provider_ref:
            return self._reject_file(
                submission,
                upload_id,
                arrival.event_time,
                f"{arrival.key} is not in a provider's folder: upload to "
                "uploads/{your provider reference}/ so carepay knows whose claim it is.",
            )
        if arrival.size > MAX_FILE_BYTES:  # answered from S3's event, without fetching it
            message = too_large(submission.shown_name, arrival.size)
            return self._reject_file(submission, upload_id, arrival.event_time, message)
        document = self.documents.read_inbound(arrival.key, arrival.version_id)
        uploaded_at = received_at(arrival, document.metadata, self.trial_mode)
        summary = self.submit(submission, upload_id, uploaded_at, document.content)
        in_the_portal = PORTAL_UPLOADER in document.metadata  # the page showed the rows already
        if summary.rejected and not (summary.duplicate or in_the_portal):
            provider_ref, source_key = submission.provider_ref, arrival.key
            self._email(
                PortalTask(task="rejected rows", provider_ref=provider_ref, source_key=source_key)
            )
        return summary

    def _email(self, task: PortalTask) -> None:
        if self.messages is not None and self.portal_tasks_queue_url:
            self.messages.send_all(self.portal_tasks_queue_url, [task])

    def submit(
        self, submission: SubmissionKey, upload_id: str, uploaded_at: datetime, content: bytes
    ) -> SubmissionSummary:
        """Check, store and explain one submission's content (a file, or a Google Sheet's rows)."""
        already = self._committed(submission, upload_id)
        if already is not None:
            # E13: the same delivery again changes nothing, but publishes the committed
            # feedback in case the first delivery stopped between its commit and publishing.
            self._publish_staged(submission, already)
            self._raise_flags(submission.provider_ref, already, uploaded_at)  # if it crashed
            return already.model_copy(update={"duplicate": True})
        for _ in range(CHECKS_BEFORE_GIVING_UP):
            # Read before anything else: the commit succeeds only if no other commit came between.
            version = self.store.provider_version(submission.provider_ref)
            try:
                if submission.kind == "confirmation":
                    summary = self._confirm(submission, upload_id, uploaded_at, content, version)
                else:
                    with cycle_collection_paused():
                        summary = self._ingest(submission, upload_id, uploaded_at, content, version)
                self._raise_flags(submission.provider_ref, summary, uploaded_at)
                return summary
            except ConcurrentChange:
                continue  # another submission of this provider committed first: check again
            except AlreadyCommitted:
                stored = self._committed(submission, upload_id)
                if stored is None:
                    raise  # refused as committed, yet no marker: let the queue try again
                self._publish_staged(submission, stored)
                return stored.model_copy(update={"duplicate": True})
        raise ConcurrentChange(
            f"{submission.key}: the provider's actuals kept changing while it was checked"
        )

    def _raise_flags(
        self, provider_ref: str, summary: SubmissionSummary, confirmed_at: datetime
    ) -> None:
        """F1–F4 from the stored line-weeks, once weeks are confirmed: a flag the confirmed
        weeks raise (or complete, when an earlier week is confirmed late) is kept once."""
        weeks = sorted(
            date.fromisoformat(c["week_commencing"])
            for c in summary.confirmations
            if str(c.get("status", "")).startswith("confirmed")
        )
        if not weeks:
            return
        plan = self.store.provider_plan(provider_ref)
        first = weeks[0] - timedelta(weeks=LOOKBACK_WEEKS)
        stored = self.store.stored_line_weeks(provider_ref, first, weeks[-1] + FLAG_LOOKAHEAD)
        line_weeks = [state.actuals for state in stored.values() if state.actuals is not None]
        raised = [flag for flag in provider_flags(plan, line_weeks) if flag.raised_for >= weeks[0]]
        if raised and self.store.save_flags(provider_ref, raised, confirmed_at):
            logger.info("flags raised", extra={"codes": sorted({f.code for f in raised})})

    def _committed(self, submission: SubmissionKey, upload_id: str) -> SubmissionSummary | None:
        stored = self.store.upload_summary(submission.provider_ref, upload_id)
        return SubmissionSummary.model_validate(stored) if stored is not None else None

    # -- actuals upload ------------------------------------------------------------------------
    def _read_rows(
        self, submission: SubmissionKey, upload_id: str, content: bytes
    ) -> list[tuple[Table, list[SheetRow]]] | str:
        """The file's tables (weekly actuals, a register, or a sheet of each) and their rows, or
        why the whole file is refused."""
        try:
            tables = read_tables(content, submission.shown_name, (ACTUALS_UPLOAD, REGISTER_UPLOAD))
            read = [(table, list(table.rows)) for table in tables]
        except UnreadableFile as unreadable:
            # The provider is told what to do; the technical cause is for whoever looks at logs.
            cause = repr(unreadable.__cause__) if unreadable.__cause__ else ""
            logger.info("file refused", extra={"key": submission.key, "cause": cause})
            return str(unreadable)
        except MemoryError:
            raise
        except Exception:  # anything else the file's bytes do to a reader: still an answer
            logger.exception("a file no reader expected", extra={"key": submission.key})
            return (
                f"carepay could not read {submission.shown_name}: something in it is not what a "
                "spreadsheet program saves. Save it again as .xlsx or .csv and upload that; if "
                f"this happens again, send the file to {self.council_contact} quoting "
                f"{upload_id}."
            )
        if not any(rows for _, rows in read):
            return (
                f"{submission.shown_name} has a header row but no rows of actuals: fill in the rows "
                "and upload again."
            )
        return read

    def _ingest(
        self,
        submission: SubmissionKey,
        upload_id: str,
        uploaded_at: datetime,
        content: bytes,
        version: int,
    ) -> SubmissionSummary:
        read = self._read_rows(submission, upload_id, content)
        if isinstance(read, str):  # refused whole: why, in a sentence the provider can act on
            return self._reject_file(submission, upload_id, uploaded_at, read, version)
        every_row = [row for _, rows in read for row in rows]
        context = self._context(submission.provider_ref, upload_id, uploaded_at, every_row)
        checked = [(table, rows, _checked(table, rows, context)) for table, rows in read]
        outcomes = [outcome for *_, found in checked for outcome in found]
        to_store = {
            (o.line_week.line_ref, o.line_week.week_commencing): o.line_week
            for o in outcomes
            if o.line_week is not None
        }
        declared = any(table.declared for table, _ in read)
        confirmations = _confirm_weeks_asked(outcomes, declared, context, to_store)
        feedback = SubmissionFeedback(
            kind="upload",
            provider_ref=context.provider_ref,
            provider_name=context.plan.provider_name,
            file=submission.shown_name,
            sheet=" and ".join(table.sheet_name for table, _ in read if table.sheet_name),
            source_key=submission.key,
            upload_id=upload_id,
            uploaded_at=uploaded_at.astimezone(LONDON),
            accepted=sum(1 for o in outcomes if o.accepted),
            rejected=sum(1 for o in outcomes if not o.accepted),
            file_findings=[_out(f) for table, _ in read for f in table.findings],
            confirmations=confirmations,
            rows=[_row_out(o, _sheet_of(table)) for table, _, found in checked for o in found],
        )
        feedback.next_step = _next_step(
            feedback, sorted({o.week for o in outcomes if o.accepted and o.week})
        )
        workbook = _feedback_workbook(feedback, checked, self.council_name)
        rejected = rejected_reports(outcomes, upload_id, submission.shown_name, uploaded_at)
        return self._commit(
            submission, feedback, list(to_store.values()), workbook, version, rejected
        )

    def _context(
        self, provider_ref: str, upload_id: str, uploaded_at: datetime, rows: Sequence[SheetRow]
    ) -> ValidationContext:
        """What the rows are checked against: the plan, and the stored state of their weeks."""
        weeks = _weeks_named(rows)
        stored = (
            self.store.stored_line_weeks(provider_ref, min(weeks) - X3_LOOKBACK, max(weeks))
            if weeks
            else {}
        )
        return ValidationContext(
            provider_ref=provider_ref,
            plan=self.store.provider_plan(provider_ref),
            uploaded_at=uploaded_at,
            upload_id=upload_id,
            stored=stored,
            approvals=self.store.approvals(provider_ref),
        )

    # -- confirmation request ------------------------------------------------------------------
    def _confirm(
        self,
        submission: SubmissionKey,
        upload_id: str,
        confirmed_at: datetime,
        content: bytes,
        version: int,
    ) -> SubmissionSummary:
        provider_ref = submission.provider_ref
        try:
            request = json.loads(content)
            week = parse_week_date(request["week_commencing"])
        except (ValueError, KeyError, TypeError):
            return self._reject_file(
                submission,
                upload_id,
                confirmed_at,
                'A confirmation is a JSON file such as {"week_commencing": "2025-01-06"}.',
                version,
            )
        plan = self.store.provider_plan(provider_ref)
        stored = self.store.stored_line_weeks(provider_ref, week, week)
        confirmation = confirm_week(provider_ref, week, plan, stored, confirmed_at, None, upload_id)
        outcome = _confirmation_out(confirmation)
        feedback = SubmissionFeedback(
            kind="confirmation",
            provider_ref=provider_ref,
            provider_name=plan.provider_name,
            file=submission.shown_name,
            source_key=submission.key,
            upload_id=upload_id,
            uploaded_at=confirmed_at.astimezone(LONDON),
            file_rejected=confirmation.refused,
            file_findings=[_out(f) for f in confirmation.findings if f.severity == Severity.ERROR],
            confirmations=[outcome],
            next_step=outcome.message,
        )
        return self._commit(submission, feedback, confirmation.confirmed, None, version)

    # -- shared --------------------------------------------------------------------------------
    def _reject_file(
        self,
        submission: SubmissionKey,
        upload_id: str,
        uploaded_at: datetime,
        message: str,
        version: int | None = None,
    ) -> SubmissionSummary:
        """The whole file is refused: feedback says why, and no actuals are stored."""
        feedback = SubmissionFeedback(
            kind=submission.kind,
            provider_ref=submission.provider_ref or UNKNOWN_PROVIDER,
            file=submission.shown_name,
            source_key=submission.key,
            upload_id=upload_id,
            uploaded_at=uploaded_at.astimezone(LONDON),
            file_rejected=True,
            file_findings=[FindingOut(code="FILE", message=message)],
            next_step=message,
        )
        if not submission.provider_ref or version is None:  # no provider: nothing to commit
            self._write_feedback(submission, feedback.json_bytes(), None)
            _log_decision(submission, feedback)
            return _summary(feedback, submission)
        return self._commit(submission, feedback, [], None, version)

    def _commit(
        self,
        submission: SubmissionKey,
        feedback: SubmissionFeedback,
        line_weeks: Sequence[LineWeekActuals],
        workbook: bytes | None,
        version: int,
        rejected: Sequence[RejectedReport] = (),
    ) -> SubmissionSummary:
        """Stage the feedback under this attempt, commit (naming it), then publish it: feedback
        never says what a failed or refused commit would have done."""
        staged_as = f"{feedback.upload_id}-{secrets.token_hex(4)}"
        feedback_json = feedback.json_bytes()
        self._write_feedback(submission, feedback_json, workbook, staged_as=staged_as)
        summary = _summary(feedback, submission).model_copy(
            update={"staged_as": staged_as, "staged_workbook": workbook is not None}
        )
        self.store.save_submission(
            submission.provider_ref,
            feedback.upload_id,
            line_weeks,
            summary.model_dump(mode="json"),
            version,
            rejected,
        )
        self._write_feedback(submission, feedback_json, workbook)
        _log_decision(submission, feedback)
        return summary

    def _publish_staged(self, submission: SubmissionKey, summary: SubmissionSummary) -> None:
        staged_as = summary.staged_as
        if not staged_as:
            return  # refused without a provider (nothing committed), or committed before staging
        published = [("json", "application/json")]
        if summary.staged_workbook:
            published.append(("xlsx", XLSX))
        for extension, content_type in published:
            staged = self.documents.read_outbound(
                submission.feedback_key(extension, staged_as=staged_as)
            )
            if staged is not None:
                self.documents.write_outbound(
                    submission.feedback_key(extension), staged, content_type
                )

    def _write_feedback(
        self,
        submission: SubmissionKey,
        feedback_json: bytes,
        workbook: bytes | None,
        *,
        staged_as: str = "",
    ) -> None:
        if workbook is not None:
            self.documents.write_outbound(
                submission.feedback_key("xlsx", staged_as=staged_as), workbook, XLSX
            )
        self.documents.write_outbound(
            submission.feedback_key("json", staged_as=staged_as),
            feedback_json,
            "application/json",
        )


def _log_decision(submission: SubmissionKey, feedback: SubmissionFeedback) -> None:
    """What was decided, for whoever follows a file in the logs: counts and codes, never a
    name (a refusal's sentence names the file, which the provider named)."""
    refusal = feedback.file_findings[0].message if feedback.file_rejected else ""
    logger.info(
        f"{feedback.kind} {'refused' if feedback.file_rejected else 'committed'}",
        extra={
            "provider_ref": submission.provider_ref,
            "upload_id": feedback.upload_id,
            "accepted": feedback.accepted,
            "rejected": feedback.rejected,
            "row_codes": sorted({f.code for row in feedback.rows for f in row.errors}),
            "weeks": {str(c.week_commencing): c.status for c in feedback.confirmations},
            "reason": refusal.replace(submission.shown_name, "the file"),
        },
    )


def _confirm_weeks_asked(
    outcomes: Sequence[RowOutcome],
    declared: bool,
    context: ValidationContext,
    to_store: dict[tuple[str, date], LineWeekActuals],
) -> list[WeekConfirmationOut]:
    """Confirm the weeks the file asks to (Confirm = Y, or a declaration), adding what each
    confirmation stores to `to_store`; a week with a rejected row in this file is not confirmed."""
    confirmations = []
    weeks_with_rejections = {o.week for o in outcomes if not o.accepted}
    wanted = {o.week for o in outcomes if o.week and (o.wants_confirmation or declared)}
    for week in sorted(wanted):
        if week in weeks_with_rejections:
            confirmations.append(
                WeekConfirmationOut(
                    week_commencing=week,
                    status="not confirmed",
                    message="Some rows of this week were rejected, so the week is not yet "
                    "confirmed: correct them and upload again with Confirm (in a register, "
                    "Submit) set to Y.",
                )
            )
            continue
        submitted_now = {lw.line_ref: lw for (_, w), lw in to_store.items() if w == week}
        confirmation = confirm_week(
            context.provider_ref,
            week,
            context.plan,
            context.stored,
            context.uploaded_at,
            submitted_now,
            context.upload_id,
        )
        for line_week in confirmation.confirmed:
            to_store[(line_week.line_ref, week)] = line_week
        confirmations.append(_confirmation_out(confirmation))
    return confirmations


def _weeks_named(rows: Sequence[SheetRow]) -> list[date]:
    """The weeks an upload talks about, so their stored state is read in one range query."""
    weeks = set()
    for named in {row.cells.get("date") for row in rows}:  # a file names a handful of dates
        try:
            day = parse_week_date(named)
        except (ValueError, TypeError):
            continue
        weeks.add(day - timedelta(days=day.weekday()))
    return sorted(weeks)


def _checked(
    table: Table, rows: Sequence[SheetRow], context: ValidationContext
) -> list[RowOutcome]:
    if table.schema == REGISTER_UPLOAD.name:
        return validate_register_rows(rows, context)
    return validate_rows(rows, context)


def _sheet_of(table: Table) -> str:
    return REGISTER_ROWS if table.schema == REGISTER_UPLOAD.name else ""


def _feedback_workbook(
    feedback: SubmissionFeedback,
    checked: Sequence[tuple[Table, Sequence[SheetRow], list[RowOutcome]]],
    council_name: str,
) -> bytes:
    # openpyxl only when a workbook is written: it is a fifth of the handler's import time.
    from carepay.spreadsheets.feedback_xlsx import write_feedback_workbook

    by_sheet = {
        _sheet_of(table): (table.columns, [(r.row_number, r.cells) for r in rows])
        for table, rows, _ in checked
    }
    claim_columns, claim_rows = by_sheet.get("", ([], []))
    return write_feedback_workbook(
        feedback, claim_columns, claim_rows, council_name, register=by_sheet.get(REGISTER_ROWS)
    )


def _out(finding: Finding) -> FindingOut:
    return FindingOut(code=finding.code, message=finding.message, column=finding.column)


def _row_out(outcome: RowOutcome, sheet: str = "") -> RowFeedback:
    # A rejected row still names the line it was matched to, so the provider finds it.
    line = outcome.line_week or outcome.line
    return RowFeedback(
        row=outcome.row_number,
        sheet=sheet,
        status=outcome.status,
        line_ref=line.line_ref if line else None,
        week_commencing=outcome.week,
        errors=_outs(outcome.errors),
        warnings=_outs(outcome.warnings),
        exceptions=_outs(outcome.exceptions),
    )


def _outs(findings: Sequence[Finding]) -> tuple[FindingOut, ...]:
    return tuple(_out(f) for f in findings) if findings else ()  # most rows have none


def _confirmation_out(confirmation: WeekConfirmation) -> WeekConfirmationOut:
    week = confirmation.week_commencing
    as_planned = sum(1 for lw in confirmation.confirmed if lw.source == "confirmed as planned")
    if confirmation.refused:
        status = "refused"
        message = " ".join(f.message for f in confirmation.findings)
    elif not confirmation.confirmed:
        status = "already confirmed"
        message = (
            f"Every service line of the week commencing {week:%d/%m/%Y} was already confirmed."
        )
    else:
        status = "confirmed late" if confirmation.late else "confirmed"
        message = (
            f"{len(confirmation.confirmed)} service line(s) confirmed"
            + (
                f", {as_planned} of them as planned because no actuals were submitted"
                if as_planned
                else ""
            )
            + "."
        )
        message += "".join(" " + f.message for f in confirmation.findings)
    return WeekConfirmationOut(
        week_commencing=week,
        status=status,
        lines_confirmed=len(confirmation.confirmed),
        lines_confirmed_as_planned=as_planned,
        message=message,
    )


def _next_step(feedback: SubmissionFeedback, accepted_weeks: list[date]) -> str:
    rejected_rows = [row for row in feedback.rows if row.status == "rejected"]
    locked = [row for row in rejected_rows if all(f.code == "V7" for f in row.errors)]
    if locked and len(locked) == len(rejected_rows):
        # Nothing uploaded can change a confirmed or paid week: sending it again would not help.
        return (
            f"{len(locked)} row(s) are for weeks already confirmed or paid, which are locked: "
            "nothing you upload changes them. If they are wrong, use Report an error in the "
            "provider portal or contact the council."
        )
    if feedback.rejected:
        rows = "1 row was" if feedback.rejected == 1 else f"{feedback.rejected} rows were"
        return (
            f"{rows} rejected: correct {'it' if feedback.rejected == 1 else 'them'} using the Errors "
            "column and upload again. Accepted rows are stored and need not be sent again."
        )
    confirmed = {
        c.week_commencing for c in feedback.confirmations if c.status.startswith("confirmed")
    }
    unconfirmed = [week for week in accepted_weeks if week not in confirmed]
    if not unconfirmed:
        return "Every row was accepted and the week is confirmed: there is nothing more to do."
    first = unconfirmed[0]
    deadline = confirmation_deadline(first)
    return (
        "Every row was accepted. Confirm the week commencing "
        f"{first:%d/%m/%Y} by 17:00 on {deadline:%A %d/%m/%Y} so it is paid in the next "
        "payment run: in the provider portal, open the week and choose Save, confirm and lock "
        "(or set Confirm to Y in the claim and upload it again)."
    )


def _summary(feedback: SubmissionFeedback, submission: SubmissionKey) -> SubmissionSummary:
    return SubmissionSummary(
        kind=feedback.kind,
        upload_id=feedback.upload_id,
        accepted=feedback.accepted,
        rejected=feedback.rejected,
        file_rejected=feedback.file_rejected,
        feedback_key=submission.feedback_key("json"),
        source_key=submission.key,
        confirmations=[c.model_dump(mode="json") for c in feedback.confirmations],
    )
