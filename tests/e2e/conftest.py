"""A fresh deployment of template.yaml into moto for each test, and a council that has imported
the sample care packages."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.domain.actuals import StoredLineWeek
from carepay.domain.weeks import LONDON
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud

SAMPLES = Path(__file__).resolve().parents[2] / "spreadsheets" / "samples"
WEEK = date(2026, 11, 9)
MONDAY_AFTER = datetime(2026, 11, 16, 9, 30, tzinfo=LONDON)


@pytest.fixture
def cloud() -> Iterator[LocalCloud]:
    with mock_aws():
        deployed = LocalCloud().deploy()
        yield deployed
        deployed.close()


@pytest.fixture
def council(cloud: LocalCloud) -> CarepayClient:
    carepay = CarepayClient(pump=cloud.pump, timeout_seconds=20)
    report = carepay.import_care_packages(SAMPLES / "care-packages.csv")
    assert report["imported"] == 17 and report["rejected"] == 0
    return carepay


@pytest.fixture
def store(cloud: LocalCloud) -> SubmissionStore:
    return SubmissionStore(cloud.outputs["DataTableName"])


def stored_week(
    store: SubmissionStore, provider_ref: str, week: date = WEEK
) -> dict[str, StoredLineWeek]:
    return {
        line: state
        for (line, _), state in store.stored_line_weeks(provider_ref, week, week).items()
    }


def csv_bytes(header: list[str], *rows: list[object]) -> bytes:
    lines = [
        ",".join(header),
        *(",".join("" if v is None else str(v) for v in row) for row in rows),
    ]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(header: list[str], *rows: list[object]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def all_items(cloud: LocalCloud) -> list[dict[str, Any]]:
    table = cloud.outputs["DataTableName"]
    return list(client("dynamodb").scan(TableName=table)["Items"])


def row_codes(feedback: dict[str, Any]) -> dict[int, tuple[str, list[str]]]:
    return {
        row["row"]: (
            row["status"],
            [f["code"] for f in row["errors"] + row["exceptions"]],
        )
        for row in feedback["rows"]
    }


def pay(
    table_name: str, provider_ref: str, line_refs: list[str], run_id: str, week: date = WEEK
) -> None:
    """Lock line-weeks as an approved payment run does (the paid ledger and V7 lock)."""
    from fractions import Fraction

    from carepay.adapters.dynamodb.stores import PaymentStore
    from carepay.domain.payment_run import LineStatus, RunLine

    lines = [
        RunLine(
            provider_ref,
            line_ref,
            "",
            week,
            20,
            20,
            0,
            0,
            20,
            Fraction(2000),
            10000,
            0,
            LineStatus.PAID,
        )
        for line_ref in line_refs
    ]
    PaymentStore(table_name).save_payment(provider_ref, run_id, lines, 0)


WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


def tables_written(operation: str, params: dict[str, Any]) -> set[str]:
    if operation == "BatchWriteItem":
        return set(params.get("RequestItems", {}))
    if operation == "TransactWriteItems":
        return {next(iter(item.values()))["TableName"] for item in params.get("TransactItems", [])}
    return {params["TableName"]} if operation in WRITES else set()


@pytest.fixture
def writes_to(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], list[str]]:
    """The write calls any code (a function's too) makes to a DynamoDB table from now on."""
    from botocore.client import BaseClient

    made: list[tuple[str, set[str]]] = []
    real_call = BaseClient._make_api_call

    def recorded(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            made.append((operation, tables_written(operation, params)))
        return real_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    return lambda table: [operation for operation, tables in made if table in tables]
