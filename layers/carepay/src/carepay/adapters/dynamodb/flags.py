"""Care-monitoring flags as raised: one item each in the FLAGS partition, by the week that
raised it, so operational teams list them by week without a scan."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.keys import FLAGS, HIGH, flag_key
from carepay.adapters.dynamodb.table import Item, Table, s
from carepay.domain.flags import Flag, RaisedFlag


class FlagsTable:
    """Implements FlagStore (carepay.ports.stores)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def save_flags(self, provider_ref: str, flags: Sequence[Flag], raised_at: datetime) -> int:
        """Keep each flag once: raised again (a redelivery, a later confirmation seeing the same
        episode), the first raising stands. Returns how many were new."""
        dynamodb = client("dynamodb")
        new = 0
        for flag in flags:
            try:
                dynamodb.put_item(
                    TableName=self.table.name,
                    Item=_flag_item(provider_ref, flag, raised_at),
                    ConditionExpression="attribute_not_exists(PK)",
                )
                new += 1
            except dynamodb.exceptions.ConditionalCheckFailedException:
                continue
        return new

    def flags(self, since: date) -> list[RaisedFlag]:
        """Every flag raised for a week from `since` on, oldest week first."""
        items = self.table.query(FLAGS, f"FLAG#{since}", f"FLAG#{HIGH}")
        return [_flag_from(item) for item in items]


def _flag_item(provider_ref: str, flag: Flag, raised_at: datetime) -> Item:
    return {
        "PK": s(FLAGS),
        "SK": s(flag_key(flag.raised_for, provider_ref, flag.line_ref, flag.code)),
        "provider_ref": s(provider_ref),
        "code": s(flag.code),
        "line_ref": s(flag.line_ref),
        "ss_ref": s(flag.ss_ref),
        "weeks": s(json.dumps([week.isoformat() for week in flag.weeks])),
        "seen": s(flag.seen),
        "action": s(flag.action),
        "raised_at": s(raised_at.isoformat()),
    }


def _flag_from(item: Item) -> RaisedFlag:
    flag = Flag(
        item["code"]["S"],
        item["line_ref"]["S"],
        item["ss_ref"]["S"],
        tuple(date.fromisoformat(week) for week in json.loads(item["weeks"]["S"])),
        item["seen"]["S"],
        item["action"]["S"],
    )
    return RaisedFlag(
        item["provider_ref"]["S"], flag, datetime.fromisoformat(item["raised_at"]["S"])
    )
