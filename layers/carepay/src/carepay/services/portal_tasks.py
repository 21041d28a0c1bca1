"""The portal's tasks queue: the emails carepay owes providers and finance, and the daily lock
of accounts nobody has used for 90 days (the council portal's rule)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from carepay.domain.portal_weeks import WeekStatus, week_status
from carepay.domain.service_lines import ProviderPlan
from carepay.domain.weeks import london_date
from carepay.ports.files import Documents
from carepay.ports.messages import PortalTask
from carepay.ports.portal import (
    Attachment,
    Email,
    Mailer,
    PortalPeople,
    PortalPerson,
    QueryStore,
    UserDirectory,
)
from carepay.ports.stores import PreviewStore
from carepay.services import portal_mail
from carepay.services.claim_workbooks import claim_workbook_key, week_just_ended
from carepay.services.payment_runs import remittance_key
from carepay.services.portal_mail import XLSX, Letterhead
from carepay.services.submissions import feedback_keys_for
from carepay.spreadsheets.feedback import SubmissionFeedback

UNUSED_FOR = timedelta(days=90)
logger = logging.getLogger(__name__)


class TaskDone(BaseModel):
    task: str
    emails_sent: int = 0
    locked: list[str] = []
    note: str = ""


class PortalTaskService:
    def __init__(
        self,
        people: PortalPeople,
        directory: UserDirectory,
        store: PreviewStore,
        documents: Documents,
        queries: QueryStore,
        mailer: Mailer | None,
        head: Letterhead,
        finance_email: str = "",
    ) -> None:
        self.people = people
        self.directory = directory
        self.store = store
        self.documents = documents
        self.queries = queries
        self.mailer = mailer  # None: no sending address set (MailFrom), so nothing is sent
        self.head = head
        self.finance_email = finance_email

    def handle(self, task: PortalTask, now: datetime) -> TaskDone:
        handlers: dict[str, Callable[[PortalTask, datetime], TaskDone]] = {
            "claim ready": self._claim_ready,
            "reminders": self._reminders,
            "unconfirmed at deadline": self._unconfirmed_at_deadline,
            "rejected rows": self._rejected_rows,
            "remittance": self._remittance,
            "query answered": self._query_answered,
            "lock unused accounts": self._lock_unused_accounts,
        }
        return handlers[task.task](task, now)

    # -- emails --------------------------------------------------------------------------------
    def _claim_ready(self, task: PortalTask, _: datetime) -> TaskDone:
        assert task.week_commencing is not None
        workbook = self.documents.read_outbound(
            claim_workbook_key(task.provider_ref, task.week_commencing)
        )
        attached = (Attachment(f"claim-w-c-{task.week_commencing}.xlsx", XLSX, workbook or b""),)
        words = portal_mail.claim_ready(
            self.head, self._named(task.provider_ref), task.week_commencing
        )
        kept = attached if workbook else ()
        return self._to_provider(
            task.task, task.provider_ref, words, optional=True, attachments=kept
        )

    def _reminders(self, task: PortalTask, now: datetime) -> TaskDone:
        moment = task.scheduled_time or now
        monday = week_just_ended(moment)
        final = london_date(moment).weekday() == 1  # Tuesday: the deadline is today
        sent = 0
        for provider_ref, named in self._with_week(monday, moment, WeekStatus.IN_PROGRESS):
            words = portal_mail.reminder(self.head, named, monday, final)
            sent += self._to_provider(task.task, provider_ref, words, optional=False).emails_sent
        return TaskDone(task=task.task, emails_sent=sent)

    def _unconfirmed_at_deadline(self, task: PortalTask, now: datetime) -> TaskDone:
        moment = task.scheduled_time or now
        monday = week_just_ended(moment)
        late = [named for _, named in self._with_week(monday, moment, WeekStatus.LATE)]
        if not self.finance_email:
            return TaskDone(task=task.task, note="no FinanceEmail set: the list was not sent")
        subject, text = portal_mail.unconfirmed_at_deadline(self.head, monday, late)
        return TaskDone(
            task=task.task, emails_sent=self._send((self.finance_email,), subject, text)
        )

    def _rejected_rows(self, task: PortalTask, _: datetime) -> TaskDone:
        written = self.documents.read_outbound(feedback_keys_for(task.source_key)[0])
        if written is None:
            return TaskDone(task=task.task, note="no feedback for the file")
        feedback = SubmissionFeedback.model_validate_json(written)
        words = portal_mail.rejected_rows(
            self.head, self._named(task.provider_ref), feedback.file, feedback.rejected
        )
        return self._to_provider(task.task, task.provider_ref, words, optional=True)

    def _remittance(self, task: PortalTask, _: datetime) -> TaskDone:
        advice = self.documents.read_outbound(
            remittance_key(task.provider_ref, task.run_id, "xlsx")
        )
        attached = (Attachment(f"remittance-{task.run_id}.xlsx", XLSX, advice),) if advice else ()
        words = portal_mail.remittance(self.head, self._named(task.provider_ref), task.run_id)
        return self._to_provider(
            task.task, task.provider_ref, words, optional=True, attachments=attached
        )

    def _query_answered(self, task: PortalTask, _: datetime) -> TaskDone:
        query = self.queries.query(task.query_id)
        if query is None:
            return TaskDone(task=task.task, note=f"no query {task.query_id}")
        provider = self._named(query.provider_ref)
        words = portal_mail.query_answered(self.head, provider, query.query_id)
        return self._to_provider(task.task, query.provider_ref, words, optional=True)

    def _to_provider(
        self,
        task: str,
        provider_ref: str,
        words: tuple[str, str],
        *,
        optional: bool,
        attachments: tuple[Attachment, ...] = (),
    ) -> TaskDone:
        """One email to each person of the provider (never one with everyone's address on)."""
        people = [
            person
            for person in self.people.people_of(provider_ref)
            if person.enabled and (person.wants_optional_emails or not optional)
        ]
        sent = sum(self._send((p.email,), *words, attachments) for p in people)
        return TaskDone(task=task, emails_sent=sent)

    def _send(
        self, to: tuple[str, ...], subject: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> int:
        if self.mailer is None:
            return 0
        self.mailer.send(Email(to, subject, text, attachments))
        return 1

    def _named(self, provider_ref: str) -> str:
        return _named(provider_ref, self.store.provider_plan(provider_ref))

    def _with_week(
        self, monday: date, moment: datetime, status: WeekStatus
    ) -> list[tuple[str, str]]:
        """The providers (reference, and as named in emails) whose week has this status, each
        plan read once."""
        found = []
        for ref in self.store.providers():
            plan = self.store.provider_plan(ref)
            stored = self.store.stored_line_weeks(ref, monday, monday)
            if week_status(plan, monday, stored, moment) == status:
                found.append((ref, _named(ref, plan)))
        return found

    # -- the daily lock ------------------------------------------------------------------------
    def _lock_unused_accounts(self, task: PortalTask, now: datetime) -> TaskDone:
        today = london_date(task.scheduled_time or now)
        locked = [p.email for p in self.people.everyone() if _unused(p, today)]
        for email in locked:
            self.directory.disable(email)
            self.people.mark_locked(email, today)
        if locked:  # counts only: an email address is a person's
            logger.info("portal accounts locked", extra={"locked": len(locked)})
        return TaskDone(task=task.task, locked=locked)


def _named(provider_ref: str, plan: ProviderPlan) -> str:
    """A provider as emails name it: P001 Acme Home Care."""
    return f"{provider_ref} {plan.provider_name}".strip()


def _unused(person: PortalPerson, today: date) -> bool:
    last = person.last_seen or person.invited_on
    return person.enabled and last is not None and today - last >= UNUSED_FOR
