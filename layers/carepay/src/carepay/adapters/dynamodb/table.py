"""The data table as every store uses it: queries, reads and batched writes of attribute maps.

Items are written as low-level attribute maps: boto3's resource-layer serialisation costs more
CPU per item than the whole validation of a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from carepay.adapters.aws import client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        KeysAndAttributesTypeDef,
        TransactWriteItemTypeDef,
        WriteRequestTypeDef,
    )

Item = dict[str, "AttributeValueTypeDef"]
BATCH_SIZE = 25
GET_BATCH_SIZE = 100


class StoreError(RuntimeError):
    """Storage failed; the message is retried from the queue and nothing half-written is visible."""


def s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def n(value: int | Decimal) -> AttributeValueTypeDef:
    return {"N": str(value)}


class Table:
    """One DynamoDB table, keys PK / SK; every read is strongly consistent."""

    def __init__(self, name: str) -> None:
        self.name = name

    def query(self, pk: str, low: str, high: str, projection: str | None = None) -> Iterator[Item]:
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": s(pk), ":low": s(low), ":high": s(high)},
            # Decisions are made on what these reads return and committed only if the version
            # read before them is unchanged: an eventually consistent read could miss a commit
            # made just before that version was read.
            "ConsistentRead": True,
        }
        if projection:
            request["ProjectionExpression"] = projection
        paginator = client("dynamodb").get_paginator("query")
        for page in paginator.paginate(**request):
            yield from page.get("Items", [])

    def get(self, pk: str, sk: str) -> Item | None:
        response = client("dynamodb").get_item(
            TableName=self.name, Key={"PK": s(pk), "SK": s(sk)}, ConsistentRead=True
        )
        return response.get("Item")

    def get_many(self, keys: Iterable[tuple[str, str]], projection: str) -> Iterator[Item]:
        """The items of these keys that exist, in batches, each strongly consistent."""
        wanted: list[Item] = [{"PK": s(pk), "SK": s(sk)} for pk, sk in dict.fromkeys(keys)]
        for start in range(0, len(wanted), GET_BATCH_SIZE):
            pending = wanted[start : start + GET_BATCH_SIZE]
            for _attempt in range(8):
                request: KeysAndAttributesTypeDef = {
                    "Keys": pending,
                    "ConsistentRead": True,
                    "ProjectionExpression": projection,
                }
                response = client("dynamodb").batch_get_item(RequestItems={self.name: request})
                yield from response.get("Responses", {}).get(self.name, [])
                unread = response.get("UnprocessedKeys", {}).get(self.name)
                pending = unread["Keys"] if unread else []
                if not pending:
                    break
            else:
                raise StoreError(f"DynamoDB left {len(pending)} keys unread after retries")

    def put_new(self, item: Item) -> TransactWriteItemTypeDef:
        """A transaction's put of an item that must not exist yet (a marker: written once)."""
        return {
            "Put": {
                "TableName": self.name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def put(self, item: Item) -> None:
        client("dynamodb").put_item(TableName=self.name, Item=item)

    def batch_write(self, items: Iterable[Item], *, delete: bool = False) -> None:
        batch: list[WriteRequestTypeDef] = []
        for item in items:
            if delete:
                batch.append({"DeleteRequest": {"Key": {"PK": item["PK"], "SK": item["SK"]}}})
            else:
                batch.append({"PutRequest": {"Item": item}})
            if len(batch) == BATCH_SIZE:
                self._send_batch(batch)
                batch = []
        if batch:
            self._send_batch(batch)

    def _send_batch(self, batch: Sequence[WriteRequestTypeDef]) -> None:
        pending = list(batch)
        for _attempt in range(8):
            response = client("dynamodb").batch_write_item(RequestItems={self.name: pending})
            unprocessed = response.get("UnprocessedItems", {}).get(self.name, [])
            pending = cast("list[WriteRequestTypeDef]", unprocessed)
            if not pending:
                return
        raise StoreError(f"DynamoDB left {len(pending)} items unprocessed after retries")
