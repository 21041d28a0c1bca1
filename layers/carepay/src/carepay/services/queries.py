"""Queries between providers and the council: raised and replied to in the portal, answered and
resolved by the council (carepay queries …). Whoever acts, the query is read, changed by the
domain's rules and stored only if nobody changed it meanwhile."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from carepay.domain.queries import Query, QueryStatus, open_query
from carepay.ports.portal import QueryStore


class UnknownQuery(LookupError):
    pass


def new_query_id(now: datetime) -> str:
    """Short enough to read out on the phone, sortable by when it was raised."""
    return f"Q{now:%Y%m%d}-{secrets.token_hex(3).upper()}"


class QueryService:
    def __init__(self, store: QueryStore) -> None:
        self.store = store

    def raise_query(
        self, provider_ref: str, by: str, kind: str, about: str, text: str, now: datetime
    ) -> Query:
        query = open_query(new_query_id(now), provider_ref, kind, about, by, text, now)
        self.store.add(query)
        return query

    def reply(self, provider_ref: str, query_id: str, by: str, text: str, now: datetime) -> Query:
        return self._change(query_id, lambda q: q.replied(by, text, now), provider_ref)

    def answer(self, query_id: str, by: str, text: str, now: datetime) -> Query:
        return self._change(query_id, lambda q: q.answered(by, text, now))

    def resolve(self, query_id: str, by: str, note: str, now: datetime) -> Query:
        return self._change(query_id, lambda q: q.resolved(by, note, now))

    def of_provider(self, provider_ref: str) -> list[Query]:
        return sorted(self.store.queries_of(provider_ref), key=lambda q: q.opened_at, reverse=True)

    def every(self, status: QueryStatus | None = None) -> list[Query]:
        found = [q for q in self.store.every_query() if status is None or q.status == status]
        return sorted(found, key=lambda q: q.opened_at)

    def show(self, query_id: str, provider_ref: str | None = None) -> Query:
        query = self.store.query(query_id)
        if query is None or (provider_ref is not None and query.provider_ref != provider_ref):
            raise UnknownQuery(query_id)
        return query

    def _change(
        self, query_id: str, change: Callable[[Query], Query], provider_ref: str | None = None
    ) -> Query:
        before = self.show(query_id, provider_ref)
        after = change(before)
        self.store.replace(before, after)
        return after
