"""Day-care registers through the deployed template: E15 from the register a day centre uploads
to the payment and remittance, the non-payment weeks, and the week submitted as planned."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from carepay.domain.weeks import LONDON
from carepay_local.client import CarepayClient
from tests.e2e.test_payment_runs import monday_after, remittance_rows, wednesday_after

E15_WEEK = date(2025, 3, 3)
PACKAGES = (
    "Provider Ref,Provider Name,Line Ref,SS Ref,Service Type,Service Level,Unit,"
    "Planned Quantity,Days,Unit Rate,Start Date,End Date,Status,Sort Code,Account Number,"
    "Account Name\n"
    "P400,Meadow Day Centre,L401,SS400,Day Care,AM Session,session,3,Mon Wed Fri,30.00,"
    "2025-01-06,,,30-00-00,12345678,Meadow Day Centre\n"
    "P400,Meadow Day Centre,L402,SS400,Day Care,Transport,journey,6,Mon Wed Fri,6.00,"
    "2025-01-06,,,30-00-00,12345678,Meadow Day Centre\n"
    "P400,Meadow Day Centre,L403,SS400,Day Care,PM Session,session,2,Tue Thu,30.00,"
    "2025-01-06,,,30-00-00,12345678,Meadow Day Centre\n"
    "P400,Meadow Day Centre,L404,SS400,Day Care,1:1 Support,hour,3,Tue,18.00,"
    "2025-01-06,,,30-00-00,12345678,Meadow Day Centre\n"
)
REGISTER = "Line Ref,SS Ref,Service Level,Week Commencing,Mon,Tue,Wed,Thu,Fri,All Week,Comments,Submit\n"


@pytest.fixture
def day_centre(council: CarepayClient, tmp_path: Path) -> CarepayClient:
    packages = tmp_path / "day-centre.csv"
    packages.write_text(PACKAGES)
    report = council.import_care_packages(packages)
    assert report["rejected"] == 0, report["rejected_rows"]
    return council


def register(*rows: str) -> bytes:
    return (REGISTER + "".join(f"{row}\n" for row in rows)).encode()


def test_e15_a_register_is_checked_day_by_day_and_its_week_paid_228_pounds(
    day_centre: CarepayClient,
) -> None:
    uploaded = monday_after(E15_WEEK)
    first = day_centre.upload(
        "P400",
        "register-w-c-2025-03-03.csv",
        register(
            "L401,SS400,AM Session,03/03/2025,A,,N,A,,,Swapped Friday for Thursday,",
            "L402,SS400,Transport,03/03/2025,A,,X,,A,,,",
            "L403,SS400,PM Session,03/03/2025,,W,,A,A,,,",
            "L404,SS400,1:1 Support,03/03/2025,,A,,,,,,",
        ),
        at=uploaded,
    )
    outcomes = {row["line_ref"]: row for row in first["rows"]}
    assert all(row["sheet"] == "register" for row in first["rows"])
    assert [e["code"] for e in outcomes["L403"]["errors"]] == ["R2"]
    assert "3 paid days (A, N, W) against 2 planned" in outcomes["L403"]["errors"][0]["message"]
    assert (first["accepted"], first["rejected"]) == (3, 1)
    corrected = day_centre.upload(
        "P400",
        "register-corrected.csv",
        register("L403,SS400,PM Session,03/03/2025,,W,,A,,,,Y"),
        at=uploaded + timedelta(hours=1),
    )
    assert corrected["rejected"] == 0
    assert [c["status"] for c in corrected["confirmations"]] == ["confirmed"]
    run = day_centre.approve(day_centre.pay(at=wednesday_after(E15_WEEK))["run_id"], "finance")
    p400 = next(p for p in run["providers"] if p["provider_ref"] == "P400")
    assert p400["payment_pence"] == 22800
    rows = {
        r["line_ref"]: r
        for r in remittance_rows(day_centre, "P400", run["run_id"])
        if r["section"] == "week"
    }
    assert {ref: r["net_amount"] for ref, r in rows.items()} == {
        "L401": "90.00",
        "L402": "24.00",
        "L403": "60.00",
        "L404": "54.00",
    }
    assert rows["L401"]["reason"] == "register: 2 attended, 1 with notice"
    assert rows["L402"]["reason"] == "register: 2 attended, 1 non-payment"
