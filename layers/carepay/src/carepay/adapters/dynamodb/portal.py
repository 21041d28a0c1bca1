"""Who may act for which provider in the portal: three items per person–provider pair, each
written or deleted together, so every read below sees the pair or none of it.

  PORTAL#{sub}        PROVIDER#{provider}  read on every portal request: the only authority
  PROVIDER#{provider} USER#{email}         the provider's portal users (reminders, emails)
  USERS               USER#{email}         every person ever invited, with their sub
"""

from __future__ import annotations

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.keys import (
    USERS,
    every,
    portal_user_key,
    provider_key,
    provider_of,
    user_key,
)
from carepay.adapters.dynamodb.table import Item, Table, s
from carepay.ports.portal import PortalAccess


class PortalAccessTable:
    """Implements PortalAccessStore (carepay.ports.portal)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def grant(self, email: str, sub: str, provider_ref: str) -> None:
        items: list[Item] = [
            {"PK": s(portal_user_key(sub)), "SK": s(provider_key(provider_ref)), "email": s(email)},
            {"PK": s(provider_key(provider_ref)), "SK": s(user_key(email)), "sub": s(sub)},
            {"PK": s(USERS), "SK": s(user_key(email)), "sub": s(sub)},
        ]
        client("dynamodb").transact_write_items(
            TransactItems=[{"Put": {"TableName": self.table.name, "Item": i}} for i in items]
        )

    def revoke(self, email: str, provider_ref: str) -> bool:
        sub = self._sub_of(email)
        if sub is None:
            return False  # never invited: there is nothing to take away
        keys = [
            (portal_user_key(sub), provider_key(provider_ref)),
            (provider_key(provider_ref), user_key(email)),
        ]
        client("dynamodb").transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": self.table.name, "Key": {"PK": s(pk), "SK": s(sk)}}}
                for pk, sk in keys
            ]
        )
        return True

    def providers_of(self, sub: str) -> list[str]:
        items = self.table.query(portal_user_key(sub), *every("PROVIDER#"), "SK")
        return [provider_of(item["SK"]["S"]) for item in items]

    def access_of(self, sub: str) -> PortalAccess:
        items = list(self.table.query(portal_user_key(sub), *every("PROVIDER#")))
        email = items[0]["email"]["S"] if items else ""
        return PortalAccess(email, tuple(provider_of(item["SK"]["S"]) for item in items))

    def providers_of_email(self, email: str) -> list[str]:
        sub = self._sub_of(email)
        return self.providers_of(sub) if sub is not None else []

    def _sub_of(self, email: str) -> str | None:
        item = self.table.get(USERS, user_key(email))
        return item["sub"]["S"] if item else None
