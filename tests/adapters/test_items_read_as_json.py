"""Items carepay reads are the items botocore would have parsed (carepay.adapters.dynamodb.wire):
every attribute type carepay stores, through a query read page by page, a get and a batch get;
botocore never parses the items; and an error still reaches the caller as botocore's error."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.table import Item, Table

STORED: list[Item] = [
    {
        "PK": {"S": "PROVIDER#P001"},
        "SK": {"S": f"ACTUALS#2026-11-{9 + n:02d}#L100{n}"},
        "line_ref": {"S": f"L100{n}"},
        "comments": {"S": 'Fell ill 😷 — "hospital"\nback Friday'},
        "actual": {"N": "16"},
        "rate": {"N": "1912.5"},
        "late": {"BOOL": n % 2 == 0},
        "nothing": {"NULL": True},
        "marks": {"SS": ["2026-11-09#a", "2026-11-16#b"]},
        "weeks": {"NS": ["1", "2.5"]},
        "terms": {"L": [{"S": "L1"}, {"N": "3"}, {"M": {"held": {"BOOL": True}}}]},
        "result": {"M": {"settles": {"M": {"before": {"S": "2026-11-16"}}}, "n": {"N": "0"}}},
    }
    for n in range(5)
]


@pytest.fixture
def stored(table_name: str) -> str:
    for item in STORED:
        client("dynamodb").put_item(TableName=table_name, Item=item)
    return table_name


def set_sorted(item: Item) -> Item:
    """A set's members come back in any order."""
    return {name: {"SS": sorted(value["SS"])} if "SS" in value else value
            for name, value in item.items()}  # fmt: skip


def as_botocore_parses(table_name: str, operation: str, **request: Any) -> Any:
    """The same read through a client of botocore's own, without carepay's hook."""
    plain = boto3.session.Session().client("dynamodb", region_name="eu-west-2")
    return getattr(plain, operation)(TableName=table_name, **request)


def test_a_query_read_page_by_page_gives_botocores_items_and_reads_on(stored: str) -> None:
    pages = (
        client("dynamodb")
        .get_paginator("query")
        .paginate(
            TableName=stored,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "PROVIDER#P001"}},
            PaginationConfig={"PageSize": 2},
        )
    )
    read = [set_sorted(item) for page in pages for item in page["Items"]]
    expected = as_botocore_parses(
        stored, "query", KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "PROVIDER#P001"}},
    )["Items"]  # fmt: skip
    assert (
        read
        == [set_sorted(item) for item in expected]
        == sorted(STORED, key=lambda item: item["SK"]["S"])
    )


def test_a_get_and_a_batch_get_give_botocores_items(stored: str) -> None:
    table = Table(stored)
    key = {"PK": STORED[2]["PK"], "SK": STORED[2]["SK"]}
    assert (
        table.get("PROVIDER#P001", STORED[2]["SK"]["S"])
        == (as_botocore_parses(stored, "get_item", Key=key)["Item"])
    )
    keys = [("PROVIDER#P001", item["SK"]["S"]) for item in STORED]
    read = sorted(table.get_many(keys, "PK, SK, marks, terms"), key=lambda item: item["SK"]["S"])
    assert [set_sorted(item) for item in read] == [
        {name: item[name] for name in ("PK", "SK", "marks", "terms")} for item in STORED
    ]


def test_botocore_never_parses_the_items_of_a_read(stored: str) -> None:
    bodies: list[bytes] = []

    def body_botocore_parses(response_dict: dict[str, Any], **_: Any) -> None:
        bodies.append(response_dict["body"])

    events = client("dynamodb").meta.events
    events.register("before-parse.dynamodb.Query", body_botocore_parses)
    try:
        read = list(Table(stored).query("PROVIDER#P001", "ACTUALS#", "ACTUALS#~"))
    finally:
        events.unregister("before-parse.dynamodb.Query", body_botocore_parses)
    assert len(read) == 5
    assert bodies and all(b"Items" not in body and b"L1001" not in body for body in bodies)


def test_a_failed_read_is_botocores_error_as_ever(table_name: str) -> None:
    with pytest.raises(ClientError) as failed:
        client("dynamodb").get_item(
            TableName="no-such-table", Key={"PK": {"S": "x"}, "SK": {"S": "y"}}
        )
    assert failed.value.response["Error"]["Code"] == "ResourceNotFoundException"
