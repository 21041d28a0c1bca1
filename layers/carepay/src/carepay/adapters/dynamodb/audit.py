"""The portal's audit record: every action, under the provider it was on (PROVIDER#… AUDIT#…)."""

from __future__ import annotations

from datetime import datetime

from carepay.adapters.dynamodb.keys import audit_key, every, provider_key
from carepay.adapters.dynamodb.table import Table, s
from carepay.ports.portal import AuditEntry


class AuditTable:
    """Implements AuditLog (carepay.ports.portal)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, entry: AuditEntry) -> None:
        self.table.put(
            {
                "PK": s(provider_key(entry.provider_ref)),
                "SK": s(audit_key(entry.at)),
                "sub": s(entry.sub),
                "email": s(entry.email),
                "action": s(entry.action),
                "detail": s(entry.detail),
                "at": s(entry.at.isoformat()),
            }
        )

    def entries(self, provider_ref: str) -> list[AuditEntry]:
        return [
            AuditEntry(
                provider_ref,
                item["sub"]["S"],
                item["email"]["S"],
                item["action"]["S"],
                item["detail"]["S"],
                datetime.fromisoformat(item["at"]["S"]),
            )
            for item in self.table.query(provider_key(provider_ref), *every("AUDIT#"))
        ]
