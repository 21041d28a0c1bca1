"""Who may act for which provider in the portal: three items per person–provider pair, each
written or deleted together, so every read below sees the pair or none of it.

  PORTAL#{sub}        PROVIDER#{provider}  read on every portal request: the only authority
  PROVIDER#{provider} USER#{email}         the provider's portal users (reminders, emails)
  USERS               USER#{email}         every person ever invited, with their sub
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import TYPE_CHECKING, Any

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
from carepay.ports.portal import PortalAccess, PortalPerson

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


class PortalAccessTable:
    """Implements PortalAccessStore (carepay.ports.portal)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def grant(self, email: str, sub: str, provider_ref: str, on: date) -> None:
        pairs: list[Item] = [
            {"PK": s(portal_user_key(sub)), "SK": s(provider_key(provider_ref)), "email": s(email)},
            {"PK": s(provider_key(provider_ref)), "SK": s(user_key(email)), "sub": s(sub)},
        ]
        writes: list[TransactWriteItemTypeDef] = [
            {"Put": {"TableName": self.table.name, "Item": item}} for item in pairs
        ]
        # The person's own item is updated, not replaced: it keeps when they were last seen
        # and what emails they chose.
        writes.append(
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": {"PK": s(USERS), "SK": s(user_key(email))},
                    "UpdateExpression": "SET #sub = :sub, invited_on = if_not_exists(invited_on, :on)",
                    "ExpressionAttributeNames": {"#sub": "sub"},
                    "ExpressionAttributeValues": {":sub": s(sub), ":on": s(on.isoformat())},
                }
            }
        )
        client("dynamodb").transact_write_items(TransactItems=writes)

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

    # -- the people themselves (PortalPeople) ------------------------------------------------
    def people_of(self, provider_ref: str) -> list[PortalPerson]:
        items = self.table.query(provider_key(provider_ref), *every("USER#"), "SK")
        found = [self.person(item["SK"]["S"].removeprefix("USER#")) for item in items]
        return [person for person in found if person is not None]

    def everyone(self) -> list[PortalPerson]:
        return [_person_of(item) for item in self.table.query(USERS, *every("USER#"))]

    def seen(self, email: str, on: date) -> None:
        """Once a day at most: the condition leaves a person seen today as they are."""
        self._update(
            email,
            "SET last_seen = :on REMOVE locked_on",
            {":on": s(on.isoformat())},
            "attribute_exists(PK) AND (attribute_not_exists(last_seen) OR last_seen < :on)",
        )

    def set_optional_emails(self, email: str, wanted: bool) -> None:
        self._update(email, "SET optional_emails = :wanted", {":wanted": {"BOOL": wanted}})

    def mark_locked(self, email: str, on: date) -> None:
        self._update(email, "SET locked_on = :on", {":on": s(on.isoformat())})

    def unlocked(self, email: str, on: date) -> None:
        """The council unlocked them: seen today, so the daily lock waits another 90 days."""
        self._update(email, "SET last_seen = :on REMOVE locked_on", {":on": s(on.isoformat())})

    def _update(
        self, email: str, expression: str, values: dict[str, Any], condition: str = ""
    ) -> None:
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "Key": {"PK": s(USERS), "SK": s(user_key(email))},
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }
        if condition:
            request["ConditionExpression"] = condition
        dynamodb = client("dynamodb")
        # Refused only by the condition: already seen today, or not a person carepay knows.
        with suppress(dynamodb.exceptions.ConditionalCheckFailedException):
            dynamodb.update_item(**request)

    def person(self, email: str) -> PortalPerson | None:
        item = self.table.get(USERS, user_key(email))
        return _person_of(item) if item else None

    def _sub_of(self, email: str) -> str | None:
        item = self.table.get(USERS, user_key(email))
        return item["sub"]["S"] if item else None


def _person_of(item: Item) -> PortalPerson:
    def day(name: str) -> date | None:
        return date.fromisoformat(item[name]["S"]) if name in item else None

    return PortalPerson(
        email=item["SK"]["S"].removeprefix("USER#"),
        sub=item["sub"]["S"],
        wants_optional_emails=item.get("optional_emails", {"BOOL": True}).get("BOOL", True),
        last_seen=day("last_seen"),
        invited_on=day("invited_on"),
        enabled="locked_on" not in item,
    )
