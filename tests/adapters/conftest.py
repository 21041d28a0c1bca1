"""The data table alone, as template.yaml defines it, in moto: no stack, no functions.

The adapters and the services above them are tested here at the speed of a table; the deployed
template is left to the end-to-end tests, for the wiring.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from carepay.adapters.aws import client, forget_clients
from carepay.adapters.dynamodb.stores import PaymentStore, SubmissionStore
from carepay.adapters.dynamodb.table import Table
from carepay_local.template import load_template

ROOT = Path(__file__).resolve().parents[2]


def create_table(logical_id: str, name: str) -> None:
    """Create a table with the template's own key schema for it."""
    properties = load_template(ROOT / "template.yaml")["Resources"][logical_id]["Properties"]
    client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=properties["AttributeDefinitions"],
        KeySchema=properties["KeySchema"],
    )


@pytest.fixture
def table_name() -> Iterator[str]:
    with mock_aws():
        forget_clients()
        create_table("DataTable", "carepay-data")
        yield "carepay-data"
    forget_clients()


@pytest.fixture
def table(table_name: str) -> Table:
    return Table(table_name)


@pytest.fixture
def submissions(table_name: str) -> SubmissionStore:
    return SubmissionStore(table_name)


@pytest.fixture
def payments(table_name: str) -> PaymentStore:
    return PaymentStore(table_name)
