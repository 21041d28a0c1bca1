"""DynamoDB's items read as JSON, not through botocore's model.

botocore parses a response by walking DynamoDB's model value by value: ~10,000 items a second
here, ten times slower than `json.loads` of the same bytes, and most of a payment run's time.
For the attribute types carepay stores (S, N, BOOL, NULL, SS, L, M: never binary, whose wire
form is base64 where botocore gives bytes) the wire JSON already is what botocore returns. So
the items of a successful read are lifted out of the body before botocore parses it, through
the hook botocore gives for that (`before-parse`), and it parses the rest (the keys to read on
from, capacity, unprocessed keys) as ever. tests/adapters/test_items_read_as_json.py holds the
two equal.
"""

from __future__ import annotations

import json
from typing import Any

READS = ("Query", "GetItem", "BatchGetItem")
_ITEMS = ("Items", "Item", "Responses")  # Query's, GetItem's and BatchGetItem's


def register(dynamodb_client: Any) -> None:
    for operation in READS:
        dynamodb_client.meta.events.register(
            f"before-parse.dynamodb.{operation}", items_parsed_as_json
        )


def items_parsed_as_json(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    """Take the items of a successful read out of the body botocore will parse, parsed as JSON;
    botocore adds them back to what it parses (an error is left to botocore whole)."""
    body = response_dict.get("body")
    if response_dict.get("status_code") != 200 or not body:
        return
    document = json.loads(body)
    items = {name: document.pop(name) for name in _ITEMS if name in document}
    if items:
        customized_response_dict.update(items)
        response_dict["body"] = json.dumps(document).encode()
