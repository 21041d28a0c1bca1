"""A provider's state version, and the commit that advances it: the protocol every decision
about a provider's line-weeks goes through.

A decision (an upload's actuals, a run's payment) is made on state read at a version, and
committed by one transaction that applies it and advances the version, only if the version is
still the one read. So two decisions made on the same state cannot both commit: the second is
refused (ConcurrentChange) and is made again on the new state; a change already applied is
refused as AlreadyCommitted.

Beside the version, the provider's CHANGES item says where its history can still change
(carepay.domain.payment_run.OpenWeeks): every write a run's calculation depends on leaves a mark
there (in the same transaction as an upload's commit), and an approved payment sets what it
settled and removes the marks its calculation saw (in the payment's commit).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.keys import CHANGES, STATE, provider_key
from carepay.adapters.dynamodb.table import Table, n, s
from carepay.domain.payment_run import OpenWeeks, change_mark
from carepay.ports.errors import AlreadyCommitted, ConcurrentChange

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef


class ProviderState:
    def __init__(self, table: Table) -> None:
        self.table = table

    def version(self, provider_ref: str) -> int:
        """The provider's state version: every commit that changes actuals or locks advances it."""
        item = self.table.get(provider_key(provider_ref), STATE)
        return int(item["version"]["N"]) if item else 0

    def commit(
        self,
        change: TransactWriteItemTypeDef,
        provider_ref: str,
        expected_version: int,
        *,
        finishing_payment: bool = False,
        together_with: Sequence[TransactWriteItemTypeDef] = (),
    ) -> None:
        """Apply `change` and advance the provider's state version, if it is still the one read.

        While an approved run is writing a provider's paid line-weeks (`paying` is set on the
        state), nothing else commits for that provider: a submission is checked again once the
        lock is complete, so it cannot slip between the paid items and the lock (V7).
        """
        dynamodb = client("dynamodb")
        condition = "version = :read"
        if expected_version == 0:
            condition = "(attribute_not_exists(version) OR version = :read)"
        if not finishing_payment:
            condition += " AND attribute_not_exists(paying)"
        advance: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self.table.name,
                "Key": {"PK": s(provider_key(provider_ref)), "SK": s(STATE)},
                "UpdateExpression": "SET version = :next"
                + (" REMOVE paying" if finishing_payment else ""),
                "ConditionExpression": condition,
                "ExpressionAttributeValues": {
                    ":next": n(expected_version + 1),
                    ":read": n(expected_version),
                },
            }
        }
        try:
            dynamodb.transact_write_items(TransactItems=[change, advance, *together_with])
        except dynamodb.exceptions.TransactionCanceledException as cancelled:
            reasons = [r.get("Code") for r in cancelled.response.get("CancellationReasons", [])]
            if reasons[:1] == ["ConditionalCheckFailed"]:
                raise AlreadyCommitted(provider_ref) from cancelled
            raise ConcurrentChange(provider_ref) from cancelled

    def begin_paying(self, provider_ref: str, run_id: str) -> None:
        """Mark the provider as being paid by `run_id`: no submission commits until the payment
        does (it advances the version, so a submission read before it is refused too)."""
        client("dynamodb").update_item(
            TableName=self.table.name,
            Key={"PK": s(provider_key(provider_ref)), "SK": s(STATE)},
            UpdateExpression="SET paying = :run ADD version :one",
            ExpressionAttributeValues={":run": s(run_id), ":one": n(1)},
        )

    def stop_paying(self, provider_ref: str) -> None:
        client("dynamodb").update_item(
            TableName=self.table.name,
            Key={"PK": s(provider_key(provider_ref)), "SK": s(STATE)},
            UpdateExpression="REMOVE paying",
        )

    # -- where the history can still change ------------------------------------------------------
    def open_weeks(self, provider_ref: str) -> OpenWeeks:
        item = self.table.get(provider_key(provider_ref), CHANGES) or {}
        settled = item.get("settled_before", {}).get("S")
        return OpenWeeks(
            date.fromisoformat(settled) if settled else None,
            frozenset(item.get("marks", {}).get("SS", [])),
        )

    def mark(self, provider_ref: str, earliest_week: date) -> TransactWriteItemTypeDef:
        """A transaction's update leaving a write's mark (OpenWeeks)."""
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": {"PK": s(provider_key(provider_ref)), "SK": s(CHANGES)},
                "UpdateExpression": "ADD marks :mark",
                "ExpressionAttributeValues": {
                    ":mark": {"SS": [change_mark(earliest_week, secrets.token_hex(6))]}
                },
            }
        }

    def mark_now(self, provider_ref: str, earliest_week: date) -> None:
        """Leave a write's mark on its own: after the write, so a run that sees the mark reads
        what the write wrote."""
        client("dynamodb").update_item(**self.mark(provider_ref, earliest_week)["Update"])

    def settle(
        self, provider_ref: str, settled_before: date, seen_marks: frozenset[str]
    ) -> TransactWriteItemTypeDef:
        """A transaction's update recording what an approved payment settled: its weeks before
        `settled_before`, and the changes its calculation saw."""
        update = "SET settled_before = :settled"
        values: dict[str, AttributeValueTypeDef] = {":settled": s(settled_before.isoformat())}
        if seen_marks:
            update += " DELETE marks :seen"
            values[":seen"] = {"SS": sorted(seen_marks)}
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": {"PK": s(provider_key(provider_ref)), "SK": s(CHANGES)},
                "UpdateExpression": update,
                "ExpressionAttributeValues": values,
            }
        }
