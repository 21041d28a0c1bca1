"""The services on their real adapters (DynamoDB, S3) in moto, without deploying the template:
each file arrives as S3 would announce it, and is handed straight to the service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from moto import mock_aws
from pydantic import BaseModel

from carepay.adapters.aws import client, forget_clients
from carepay.adapters.documents import S3Documents
from carepay.adapters.dynamodb.plans import PlanTable
from carepay.adapters.dynamodb.stores import PaymentStore, SubmissionStore
from carepay.adapters.dynamodb.table import Table
from carepay.domain.weeks import LONDON
from carepay.ports.files import FileArrived
from carepay.services.care_packages import CarePackageImportService
from carepay.services.submissions import SubmissionService
from tests.adapters.conftest import create_table

SAMPLES = Path(__file__).resolve().parents[2] / "spreadsheets" / "samples"
INBOUND, OUTBOUND, TABLE = "carepay-inbound", "carepay-outbound", "carepay-data"
MONDAY_AFTER = datetime(2026, 11, 16, 9, 30, tzinfo=LONDON)


class Council:
    """What the council's side of the stack does with a file: store it, announce it."""

    def __init__(self) -> None:
        self.documents = S3Documents(INBOUND, OUTBOUND)

    def arrives(self, key: str, content: bytes, at: datetime = MONDAY_AFTER) -> FileArrived:
        stored = client("s3").put_object(Bucket=INBOUND, Key=key, Body=content)
        return FileArrived(
            bucket=INBOUND, key=key, etag=stored["ETag"], size=len(content), event_time=at
        )

    def outbound(self, key: str) -> bytes:
        found = self.documents.read_outbound(key)
        assert found is not None, f"nothing at {key}"
        return found


@pytest.fixture
def council() -> Iterator[Council]:
    with mock_aws():
        forget_clients()
        create_table("DataTable", TABLE)
        for bucket in (INBOUND, OUTBOUND):
            client("s3").create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
            )
        council = Council()
        packages = (SAMPLES / "care-packages.csv").read_bytes()
        imports = CarePackageImportService(PlanTable(Table(TABLE)), council.documents)
        report = imports.handle(council.arrives("care-packages/care-packages.csv", packages))
        assert (report.imported, report.rejected) == (17, 0)
        yield council
    forget_clients()


@pytest.fixture
def submissions(council: Council) -> SubmissionService:
    return SubmissionService(SubmissionStore(TABLE), council.documents, "Example Council", False)


@pytest.fixture
def store(council: Council) -> SubmissionStore:
    return SubmissionStore(TABLE)


@pytest.fixture
def payments_store(council: Council) -> PaymentStore:
    return PaymentStore(TABLE)


class Sent:
    """The Messages port as a list: what a service queued, to deliver by hand."""

    def __init__(self) -> None:
        self.messages: list[BaseModel] = []

    def send_all(self, queue_url: str, messages: list[BaseModel]) -> None:
        self.messages += messages

    def take(self) -> list[BaseModel]:
        taken, self.messages = self.messages, []
        return taken
