"""The standing corpus (tests/corpus/manifest.py) through the deployed template: every file
gets a true answer a care-home administrator can act on, and a file refused whole changes
nothing but its upload's own record."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from openpyxl import load_workbook

from carepay.adapters.aws import client
from carepay.domain.weeks import LONDON
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from tests.corpus.manifest import CASES, READ, REFUSED, Case, Read, Refused

CARE_PACKAGES = Path(__file__).resolve().parents[2] / "spreadsheets/samples/care-packages.csv"
MONDAY_AFTER = datetime(2026, 11, 16, 9, 30, tzinfo=LONDON)
# What an administrator can do about a refused file, and what they cannot be expected to read.
ACTIONS = re.compile(
    r"\b(upload|save|send|remove|delete|unhide|split|add|open|check|copy|put|enter|write|keep|"
    r"fill|correct|contact|choose|shorten|use|give|required|must)\b",
    re.I,
)
TECHNICAL = re.compile(r"Traceback|Error\b|Exception|errno|0x[0-9a-f]|\bzlib\b|\bCRC\b|\bNone\b")


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    """One stack for the whole corpus; each file read row by row starts from the plan alone
    (`isolated`), and a file refused whole must change nothing anyway."""
    with mock_aws():
        deployed = LocalCloud().deploy()
        yield deployed
        deployed.close()


@pytest.fixture(scope="module")
def council(cloud: LocalCloud) -> CarepayClient:
    carepay = CarepayClient(pump=cloud.pump, timeout_seconds=30)
    assert carepay.import_care_packages(CARE_PACKAGES)["rejected"] == 0
    return carepay


def items(cloud: LocalCloud) -> dict[tuple[str, str], dict[str, Any]]:
    pages = (
        client("dynamodb").get_paginator("scan").paginate(TableName=cloud.outputs["DataTableName"])
    )
    return {(i["PK"]["S"], i["SK"]["S"]): i for page in pages for i in page["Items"]}


def dead_letters(cloud: LocalCloud) -> int:
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=cloud.outputs["SubmissionsDeadLetterQueueUrl"],
        AttributeNames=["ApproximateNumberOfMessages"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def upload(council: CarepayClient, cloud: LocalCloud, case: Case) -> dict[str, Any]:
    """The case's answer, which must come from carepay, not from a failure."""
    feedback = council.upload("P001", case.filename, case.build(), at=MONDAY_AFTER)
    assert cloud.failed_invocations == [] and dead_letters(cloud) == 0
    return feedback


def test_the_corpus_holds_at_least_60_files_each_saying_what_it_tests() -> None:
    assert len(CASES) >= 60
    assert len({case.name for case in CASES}) == len(CASES)
    assert all(case.tests for case in CASES)


@pytest.mark.parametrize("case", REFUSED, ids=[case.name for case in REFUSED])
def test_a_file_refused_whole_says_what_to_do_and_stores_nothing_else(
    council: CarepayClient, cloud: LocalCloud, case: Case
) -> None:
    assert isinstance(case.expect, Refused)
    before = items(cloud)
    feedback = upload(council, cloud, case)
    assert feedback["file_rejected"] is True and feedback["rows"] == []
    [finding] = feedback["file_findings"]
    message = finding["message"]
    assert finding["code"] == "FILE" and case.expect.says in message, message
    assert ACTIONS.search(message) and not TECHNICAL.search(message), message
    changed = {key for key, item in items(cloud).items() if before.get(key) != item}
    assert {sk.split("#")[0] for _, sk in changed} <= {"UPLOAD", "STATE"}, changed


@pytest.mark.parametrize("case", READ, ids=[case.name for case in READ])
def test_a_file_read_row_by_row_gets_its_documented_answer_and_a_workbook(
    council: CarepayClient, cloud: LocalCloud, case: Case
) -> None:
    expect = case.expect
    assert isinstance(expect, Read)
    isolated(cloud)
    feedback = upload(council, cloud, case)
    assert feedback["file_rejected"] is False
    assert (feedback["accepted"], feedback["rejected"]) == (expect.accepted, expect.rejected)
    rows = {row["row"]: row for row in feedback["rows"]}
    for number, codes in expect.codes.items():
        found = [f["code"] for f in rows[number]["errors"] + rows[number]["warnings"]]
        assert found == codes, rows[number]
    for row in feedback["rows"]:
        for finding in row["errors"]:
            assert ACTIONS.search(finding["message"]), finding
    if expect.file_says:
        assert any(expect.file_says in f["message"] for f in feedback["file_findings"])
    cells = workbook_text(council.feedback_workbook(feedback))
    for text in expect.echoed:  # shown back as the text typed (as text: no cell is a formula)
        assert any(text.strip() in cell for cell in cells), text
    assert "Mavis" not in repr(feedback) + "".join(cells)


def isolated(cloud: LocalCloud) -> None:
    """Forget what earlier files of the corpus stored, so each is checked on the plan alone."""
    dynamodb = client("dynamodb")
    table = cloud.outputs["DataTableName"]
    for pk, sk in items(cloud):
        if pk == "PROVIDER#P001" and sk.startswith(("ACTUAL#", "UPLOAD#")):
            dynamodb.delete_item(TableName=table, Key={"PK": {"S": pk}, "SK": {"S": sk}})


def workbook_text(content: bytes) -> list[str]:
    """Every cell's text in the feedback workbook; no cell may hold a formula."""
    texts = []
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if cell.value is not None:
                    texts.append(str(cell.value))
    return texts
