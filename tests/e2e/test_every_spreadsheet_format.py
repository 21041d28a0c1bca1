"""The same claim saved as CSV, xlsx, xlsm, xls and ods gives the same feedback and the same actuals.

The workbook samples were saved from the CSV sample by LibreOffice (title row above the header,
real date cells); they are committed so the tests need no office suite.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from moto import mock_aws

from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from tests.e2e.conftest import MONDAY_AFTER, SAMPLES, row_codes, stored_week

CLAIM = "P001-claim-w-c-2026-11-09"


def expected_codes(council: CarepayClient) -> dict[int, tuple[str, list[str]]]:
    csv_feedback = council.upload(
        "P001", f"{CLAIM}.csv", (SAMPLES / f"{CLAIM}.csv").read_bytes(), at=MONDAY_AFTER
    )
    # The workbooks carry one title row above the header, so their rows sit one lower.
    return {row + 1: codes for row, codes in row_codes(csv_feedback).items()}


@pytest.mark.parametrize("extension", ["xlsx", "xlsm", "xls", "ods"])
def test_a_claim_gives_the_same_result_in_every_format(
    council: CarepayClient, store: SubmissionStore, extension: str
) -> None:
    expected = expected_codes(council)
    from_csv = stored_week(store, "P001")
    workbook = (SAMPLES / f"{CLAIM}.{extension}").read_bytes()
    feedback = council.upload("P001", f"{CLAIM}.{extension}", workbook, at=MONDAY_AFTER)
    assert row_codes(feedback) == expected
    assert (feedback["accepted"], feedback["rejected"]) == (9, 3)
    assert {f["code"] for f in feedback["file_findings"]} == {"V9"}
    assert {
        line: state.actuals.actual_quarters
        for line, state in stored_week(store, "P001").items()
        if state.actuals
    } == {line: state.actuals.actual_quarters for line, state in from_csv.items() if state.actuals}


def test_a_production_stack_ignores_a_simulated_upload_time() -> None:
    with mock_aws():
        cloud = LocalCloud(parameters={"TrialMode": "false"}).deploy()
        council = CarepayClient(pump=cloud.pump, timeout_seconds=20)
        council.import_care_packages(SAMPLES / "care-packages.csv")
        long_ago = datetime(2026, 11, 16, 9, 30).astimezone()
        before = datetime.now().astimezone()
        feedback = council.upload(
            "P001", f"{CLAIM}.csv", (SAMPLES / f"{CLAIM}.csv").read_bytes(), at=long_ago
        )
    assert cloud.functions["IngestActualsFunction"].environment["TRIAL_MODE"] == "false"
    uploaded_at = datetime.fromisoformat(feedback["uploaded_at"])
    assert uploaded_at >= before.replace(microsecond=0)  # S3's clock, not the --at time
