"""Queries: a provider's "Report an error" or "Payment query" about a week, a line or a
remittance (the seeds' two links), answered by the council. These are DOMAIN.md's disputes:
every message is kept, and a query's status only moves forward to resolved."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

MOST_CHARACTERS = 2000


class QueryKind(StrEnum):
    ERROR = "Report an error"
    PAYMENT = "Payment query"


class QueryStatus(StrEnum):
    OPEN = "open"  # waiting for the council
    ANSWERED = "answered"  # the council has replied; the provider may reply again
    RESOLVED = "resolved"  # closed: kept, never reopened


class QueryRefused(ValueError):
    """What was asked cannot be done to the query; the message says what to do instead."""


@dataclass(frozen=True)
class QueryMessage:
    author: Literal["provider", "council"]
    by: str  # the provider's portal email, or the council officer's name
    text: str
    at: datetime


@dataclass(frozen=True)
class Query:
    query_id: str
    provider_ref: str
    kind: QueryKind
    about: str  # "w/c 2026-11-09", "L1007 w/c 2026-11-09", "remittance R20261118-0600"
    status: QueryStatus
    messages: tuple[QueryMessage, ...]

    @property
    def opened_at(self) -> datetime:
        return self.messages[0].at

    def replied(self, by: str, text: str, at: datetime) -> Query:
        """The provider adds to their query: it waits for the council again."""
        self._still_open("replied to")
        message = QueryMessage("provider", by, _text(text), at)
        return replace(self, status=QueryStatus.OPEN, messages=(*self.messages, message))

    def answered(self, by: str, text: str, at: datetime) -> Query:
        self._still_open("answered")
        message = QueryMessage("council", by, _text(text), at)
        return replace(self, status=QueryStatus.ANSWERED, messages=(*self.messages, message))

    def resolved(self, by: str, note: str, at: datetime) -> Query:
        self._still_open("resolved again")
        closing = QueryMessage("council", by, note.strip() or "Resolved.", at)
        return replace(self, status=QueryStatus.RESOLVED, messages=(*self.messages, closing))

    def _still_open(self, done: str) -> None:
        if self.status == QueryStatus.RESOLVED:
            raise QueryRefused(
                f"Query {self.query_id} is already resolved and cannot be {done}: raise a new "
                "query if there is more to say."
            )


def open_query(
    query_id: str,
    provider_ref: str,
    kind: str,
    about: str,
    by: str,
    text: str,
    at: datetime,
) -> Query:
    try:
        known_kind = QueryKind(kind)
    except ValueError:
        choices = " or ".join(f"'{k.value}'" for k in QueryKind)
        raise QueryRefused(f"Choose {choices}.") from None
    if not about.strip():
        raise QueryRefused("Say what the query is about: a week, a line or a remittance.")
    first = QueryMessage("provider", by, _text(text), at)
    return Query(query_id, provider_ref, known_kind, about.strip(), QueryStatus.OPEN, (first,))


def _text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise QueryRefused("Write what the query is: the box is empty.")
    if len(cleaned) > MOST_CHARACTERS:
        raise QueryRefused(
            f"Keep it to {MOST_CHARACTERS} characters ({len(cleaned)} now): send the rest in a "
            "reply."
        )
    return cleaned
