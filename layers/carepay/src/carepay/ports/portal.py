"""The provider portal's ports: who may sign in (the user directory, Amazon Cognito), and for
which providers each person may act (carepay's own table, read by the token's `sub`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel

from carepay.domain.queries import Query


class UserDirectory(Protocol):
    """People who may sign in, known by email address."""

    def invite(self, email: str) -> tuple[str, bool]:
        """The person's `sub`, inviting them first (a temporary password by email) if they are
        new; True when this call invited them."""
        ...

    def disable(self, email: str) -> None: ...
    def enable(self, email: str) -> None: ...


class PortalAccessStore(Protocol):
    def grant(self, email: str, sub: str, provider_ref: str, on: date) -> None: ...
    def revoke(self, email: str, provider_ref: str) -> bool:
        """False when the person was never invited (there was nothing to take away)."""
        ...

    def providers_of(self, sub: str) -> list[str]:
        """The providers the signed-in person (by `sub`) may act for: the only authority."""
        ...

    def providers_of_email(self, email: str) -> list[str]: ...
    def unlocked(self, email: str, on: date) -> None:
        """Enabled again by the council: not locked, and seen `on` (the 90 days start again)."""
        ...

    def access_of(self, sub: str) -> PortalAccess:
        """The person's email and providers, in one read (every portal request makes it)."""
        ...


@dataclass(frozen=True)
class PortalAccess:
    email: str  # "" when the person may act for no provider (never invited, or removed)
    provider_refs: tuple[str, ...]


class SignedUpload(BaseModel):
    """A presigned POST: the browser sends the file straight to S3 with these form fields,
    whose signed policy pins the key, the size and the content type."""

    url: str
    fields: dict[str, str]
    key: str
    expires_at: datetime


class StoredFile(BaseModel):
    key: str
    size: int
    last_modified: datetime


class PortalFiles(Protocol):
    """A provider's files as the portal reaches them: short-lived links to the outbound bucket's
    objects, presigned uploads to the inbound one, and requests written there."""

    def download_link(self, key: str, file_name: str, seconds: int) -> str: ...
    def upload_form(
        self, key: str, content_type: str, most_bytes: int, metadata: dict[str, str], seconds: int
    ) -> SignedUpload: ...
    def outbound_files(self, prefix: str) -> list[StoredFile]: ...
    def read_outbound(self, key: str) -> bytes | None: ...
    def put_inbound(self, key: str, body: bytes, metadata: dict[str, str]) -> None: ...
    def upload_origin(self) -> str:
        """Where the browser sends uploads (scheme and host), for the page's security policy."""
        ...


@dataclass(frozen=True)
class AuditEntry:
    """Who did what, when, for which provider (every portal action, allowed or refused)."""

    provider_ref: str
    sub: str
    email: str
    action: str
    detail: str
    at: datetime


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...
    def entries(self, provider_ref: str) -> list[AuditEntry]: ...


class QueryStore(Protocol):
    """Queries, kept whole: every message, never deleted."""

    def add(self, query: Query) -> None: ...
    def replace(self, before: Query, after: Query) -> None:
        """Store `after` only if the query is still `before` (else ConcurrentChange)."""
        ...

    def query(self, query_id: str) -> Query | None: ...
    def queries_of(self, provider_ref: str) -> list[Query]: ...
    def every_query(self) -> list[Query]: ...


@dataclass(frozen=True)
class Attachment:
    file_name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Email:
    """One email, as the mailer sends it: plain text, to people known only by address."""

    to: tuple[str, ...]
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...


@dataclass(frozen=True)
class PortalPerson:
    email: str
    sub: str
    wants_optional_emails: bool  # False once they opt out (invitations and reminders still go)
    last_seen: date | None  # the day of their last portal request (None: never signed in)
    invited_on: date | None
    enabled: bool


class PortalPeople(Protocol):
    """The portal's people as the tasks see them: whom to email for a provider, who may be
    locked for not signing in."""

    def person(self, email: str) -> PortalPerson | None: ...
    def people_of(self, provider_ref: str) -> list[PortalPerson]: ...
    def everyone(self) -> list[PortalPerson]: ...
    def seen(self, email: str, on: date) -> None: ...
    def set_optional_emails(self, email: str, wanted: bool) -> None: ...
    def mark_locked(self, email: str, on: date) -> None: ...
