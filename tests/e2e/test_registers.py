"""Day-care registers through the deployed template: E15 from the register a day centre uploads
to the payment and remittance, the non-payment weeks, and the week submitted as planned."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from carepay.domain.weeks import LONDON
from carepay_local.client import CarepayClient
from tests.e2e.test_payment_runs import monday_after, remittance_rows, wednesday_after

E15_WEEK = date(2025, 3, 3)
PACKAGES = (
    "Provider Ref,Provider Name,Line Ref,SS Ref,Service Type,Service Level,Unit,"
    "Planned Quantity,Days,Unit Rate,Start Date,End Date,Status,Sort Code,Account Number,"
    "Account Name\n"
    "P400,Meadow Day Centre,L401,SS400,Day Care,AM Session,session,3,Mon Wed Fri,30.00,"
    "2024-12-02,,,30-00-00,12345678,Meadow Day Centre\n"
    "P400,Meadow Day Centre,L402,SS400,Day Care,Transport,journey,6,Mon Wed Fri,6.00,"
    "2024-12-02,,,30-00-00,12345678,Meadow Day Centre\n"
    "P400,Meadow Day Centre,L403,SS400,Day Care,PM Session,session,2,Tue Thu,30.00,"
    "2024-12-02,,,30-00-00,12345678,Meadow Day Centre\n"
    "P400,Meadow Day Centre,L404,SS400,Day Care,1:1 Support,hour,3,Tue,18.00,"
    "2024-12-02,,,30-00-00,12345678,Meadow Day Centre\n"
)
REGISTER = (
    "Line Ref,SS Ref,Service Level,Week Commencing,Mon,Tue,Wed,Thu,Fri,All Week,Comments,Submit\n"
)


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


def nominations(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / f"non-payment-weeks-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text("Provider Ref,Financial Year,Week Commencing\n" + "\n".join(rows) + "\n")
    return path


def test_with_no_nomination_the_christmas_weeks_are_not_registered_or_paid(
    day_centre: CarepayClient,
) -> None:
    christmas = date(2025, 12, 22)
    feedback = day_centre.upload(
        "P400",
        "register-christmas.csv",
        register("L401,SS400,AM Session,22/12/2025,A,,A,,A,,,Y"),
        at=monday_after(christmas),
    )
    [row] = feedback["rows"]
    assert [e["code"] for e in row["errors"]] == ["NPW"]
    assert row["errors"][0]["message"].startswith(
        "w/c 22/12/2025 is one of your non-payment weeks: nothing is recorded or paid that week"
    )
    confirmed = day_centre.confirm("P400", christmas, at=monday_after(christmas))
    assert confirmed["file_rejected"] and confirmed["file_findings"][0]["code"] == "V2"
    new_year = christmas + timedelta(weeks=2)
    after = day_centre.confirm("P400", new_year, at=monday_after(new_year))
    assert after["confirmations"][0]["lines_confirmed"] == 4  # the week after New Year is paid


def test_nominated_weeks_replace_the_default_and_a_submitted_week_cannot_change(
    day_centre: CarepayClient, tmp_path: Path
) -> None:
    report = day_centre.import_non_payment_weeks(
        nominations(tmp_path, "P400,2024-25,03/03/2025", "P400,2024-25,10/03/2025"),
        at=datetime(2025, 2, 1, 9, tzinfo=LONDON),
    )
    assert report["nominations"] == {"P400 2024-25": ["2025-03-03", "2025-03-10"]}
    refused = day_centre.upload(
        "P400",
        "register.csv",
        register("L401,SS400,AM Session,03/03/2025,A,,A,,A,,,Y"),
        at=monday_after(E15_WEEK),
    )
    assert refused["rows"][0]["errors"][0]["code"] == "NPW"
    christmas = day_centre.upload(
        "P400",
        "register.csv",
        register("L401,SS400,AM Session,23/12/2024,A,,A,,A,,,Y"),
        at=monday_after(date(2024, 12, 23)),
    )
    assert christmas["rejected"] == 0  # no longer a non-payment week
    changed = day_centre.import_non_payment_weeks(
        nominations(tmp_path, "P400,2024-25,17/03/2025", "P400,2024-25,23/12/2024")
    )
    assert changed["imported"] == 0 and changed["refused"] == [
        "P400 2024-25: w/c 23/12/2024 is already submitted or paid, so the nomination is unchanged"
    ]
    bad = day_centre.import_non_payment_weeks(nominations(tmp_path, "P400,2024-25,18/03/2025"))
    assert (
        bad["rejected"] == 1 and "not a Monday" in bad["rejected_rows"][0]["errors"][0]["message"]
    )


def test_a_friday_missed_four_weeks_running_raises_one_flag_kept_and_listed_by_the_run(
    day_centre: CarepayClient,
) -> None:
    first = date(2025, 1, 6)
    weeks = [first + timedelta(weeks=n) for n in range(5)]
    for week in weeks:
        submitted = day_centre.upload(
            "P400",
            f"register-{week}.csv",
            register(f"L401,SS400,AM Session,{week:%d/%m/%Y},A,,A,,N,,Away on Fridays,Y"),
            at=monday_after(week),
        )
        assert submitted["rejected"] == 0
    [raised] = day_centre.flags(first)
    flag = raised.flag
    assert (raised.provider_ref, flag.code, flag.line_ref) == ("P400", "F4", "L401")
    assert flag.weeks == tuple(weeks[:4]) and flag.seen == "Fri missed 4 weeks running"
    assert flag.action == "pattern of absence"
    run = day_centre.pay(at=wednesday_after(weeks[-1]))
    summary = load_workbook(io.BytesIO(day_centre.finance_files(run["run_id"])["summary.xlsx"]))
    listed = [row for row in summary["Exceptions"].iter_rows(values_only=True) if row[1] == "F4"]
    assert listed == [
        ("P400", "F4", 4, "L401", "SS400", "w/c 06/01/2025 to 27/01/2025",
         "Fri missed 4 weeks running", "pattern of absence")
    ]  # fmt: skip
    workbook = load_workbook(
        io.BytesIO(day_centre.read_outbound("flags/flags-w-c-2025-02-03.xlsx"))
    )
    assert [row[:3] for row in workbook["Flags"].iter_rows(min_row=2, values_only=True)] == [
        ("P400", "F4", "L401")
    ]
    # The flag never changes a payment: Friday with notice is paid, and the other lines were
    # submitted as planned (£90 + £36 + £60 + £54 a week).
    assert p400_paid(run) == 5 * 24000


def p400_paid(run: dict[str, object]) -> int:
    providers = run["providers"]
    assert isinstance(providers, list)
    return int(next(p for p in providers if p["provider_ref"] == "P400")["net_pence"])
