"""`make demo` as a newcomer runs it: the whole flow on the embedded local cloud, leaving the
files to look at, a provider's week done through the portal, and the emails in OUT/mail/."""

from __future__ import annotations

import io
from email import message_from_bytes, policy
from pathlib import Path

from rich.console import Console

from carepay.spreadsheets.bacs import read_payment_file
from carepay_local.demo import run_demo


def test_the_demo_does_a_week_through_the_portal_and_leaves_its_files_and_emails(
    tmp_path: Path,
) -> None:
    printed = io.StringIO()
    run_demo(tmp_path, Console(file=printed, width=150))
    output = printed.getvalue()
    assert "P003 in the portal: confirms the week" in output
    assert "The week now: Confirmed." in output
    assert "Every AWS call of the week was allowed by its function's own role." in output
    assert_the_day_centres_week_went_from_register_to_remittance(tmp_path, output)
    mail = sorted((tmp_path / "mail").glob("*.eml"))
    subjects = [message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"] for p in mail]
    assert any("your claim for w/c 09/11/2026 is ready (P003" in s for s in subjects)
    assert any("unconfirmed at the deadline" in s for s in subjects)
    assert any("was answered (P003 Riverside Care Home)" in s for s in subjects)
    for folder in ("feedback", "remittances", "finance", "workbooks"):
        assert any((tmp_path / folder).iterdir()), folder
    # what finance sends to Bacs: labelled, balanced, and read back as a bureau would
    payment_file = read_payment_file(
        (tmp_path / "finance" / "R20261118-0600" / "payment-file.txt").read_bytes()
    )
    assert payment_file.labels is not None and payment_file.credit_total_pence > 0


def assert_the_day_centres_week_went_from_register_to_remittance(out: Path, output: str) -> None:
    assert "R2 3 paid days (A, N, W) against 2 planned" in output
    assert "Care-monitoring flag F4 on L4001 (SS4001): Fri missed 4 weeks running" in output
    assert "w/c 16/11/2026 is one of your non-payment weeks" in output
    register = (out / "registers" / "P004-register-w-c-2026-11-09.csv").read_text("utf-8-sig")
    assert (
        "L4001,SS4001,AM Session,09/11/2026,A,,A,A,,,Came Thursday instead of Friday,Y" in register
    )
    assert (out / "workbooks" / "P004-register-w-c-2026-11-09.csv").is_file()
    remittance = (out / "remittances" / "P004-R20261118-0600.csv").read_text()
    assert (
        "2026-11-09,SS4001,L4002,6.00,4.00,0.00,0.00,4.00,6.000,24.00,0.00,24.00,paid,"
        '"register: 2 attended, 1 non-payment"' in remittance
    )
    assert (out / "flags" / "flags-w-c-2026-11-09.xlsx").is_file()
    charging = (out / "finance" / "R20261118-0600" / "charging-2026-P08.csv").read_text()
    assert len(charging.splitlines()) > 1  # the period's people and what they are charged for
    feedback = " ".join(p.read_text() for p in (out / "feedback").glob("*.json"))
    assert "carepay confirm" not in feedback and "carepay upload" not in feedback
