"""Queries in the table: each kept twice, written together, under its provider (the portal's
list) and under QUERIES (the council's), with every message; a change is stored only if the
query is still as it was read (its message count), so two answers never overwrite each other."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.keys import QUERIES, every, provider_key, query_key
from carepay.adapters.dynamodb.table import Item, Table, n, s
from carepay.domain.queries import Query, QueryKind, QueryMessage, QueryStatus
from carepay.ports.errors import ConcurrentChange


class QueryTable:
    """Implements QueryStore (carepay.ports.portal)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, query: Query) -> None:
        self._write(query, "attribute_not_exists(PK)", {})

    def replace(self, before: Query, after: Query) -> None:
        self._write(after, "message_count = :read", {":read": n(len(before.messages))})

    def query(self, query_id: str) -> Query | None:
        item = self.table.get(QUERIES, query_key(query_id))
        return _query_of(item) if item else None

    def queries_of(self, provider_ref: str) -> list[Query]:
        items = self.table.query(provider_key(provider_ref), *every("QUERY#"))
        return [_query_of(item) for item in items]

    def every_query(self) -> list[Query]:
        return [_query_of(item) for item in self.table.query(QUERIES, *every("QUERY#"))]

    def _write(self, query: Query, condition: str, values: dict[str, Any]) -> None:
        writes = [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": _item(query, partition),
                    "ConditionExpression": condition,
                    **({"ExpressionAttributeValues": values} if values else {}),
                }
            }
            for partition in (provider_key(query.provider_ref), QUERIES)
        ]
        try:
            client("dynamodb").transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                raise ConcurrentChange(f"query {query.query_id} changed meanwhile") from error
            raise


def _item(query: Query, partition: str) -> Item:
    messages = [
        {"author": m.author, "by": m.by, "text": m.text, "at": m.at.isoformat()}
        for m in query.messages
    ]
    return {
        "PK": s(partition),
        "SK": s(query_key(query.query_id)),
        "provider": s(query.provider_ref),
        "kind": s(query.kind.value),
        "about": s(query.about),
        "status": s(query.status.value),
        "messages": s(json.dumps(messages)),
        "message_count": n(len(query.messages)),
    }


def _query_of(item: Item) -> Query:
    messages = tuple(
        QueryMessage(m["author"], m["by"], m["text"], datetime.fromisoformat(m["at"]))
        for m in json.loads(item["messages"]["S"])
    )
    return Query(
        item["SK"]["S"].removeprefix("QUERY#"),
        item["provider"]["S"],
        QueryKind(item["kind"]["S"]),
        item["about"]["S"],
        QueryStatus(item["status"]["S"]),
        messages,
    )
