"""Notice nonces, in the idempotency table: its TTL removes them once notices are stale."""

from __future__ import annotations

from datetime import datetime

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.keys import nonce_key
from carepay.adapters.dynamodb.table import n, s


class Nonces:
    """Implements NonceStore (carepay.ports.stores)."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def claim(self, nonce: str, keep_until: datetime) -> bool:
        dynamodb = client("dynamodb")
        try:
            dynamodb.put_item(
                TableName=self.table_name,
                Item={"id": s(nonce_key(nonce)), "expiration": n(int(keep_until.timestamp()))},
                ConditionExpression="attribute_not_exists(id)",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True
