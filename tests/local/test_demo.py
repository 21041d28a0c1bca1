"""`make demo` as a newcomer runs it: the whole flow on the embedded local cloud, leaving the
files to look at, a provider's week done through the portal, and the emails in OUT/mail/."""

from __future__ import annotations

import io
import shutil
import subprocess
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from rich.console import Console

from carepay.spreadsheets.bacs import read_payment_file
from carepay_local.demo import run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo, run once for this file's tests: the folder it left and what it printed."""
    out = tmp_path_factory.mktemp("demo")
    printed = io.StringIO()
    run_demo(out, Console(file=printed, width=150))
    return out, printed.getvalue()


def test_the_demo_does_a_week_through_the_portal_and_leaves_its_files_and_emails(
    demo: tuple[Path, str],
) -> None:
    tmp_path, output = demo
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


# What carepay writes for people to read; uploads/ and sheets/ hold what the demo's providers made.
WRITTEN_FOR_READERS = ("workbooks", "registers", "feedback", "remittances", "finance", "flags")


def test_every_workbook_the_demo_leaves_prints_whole_a_page_a_sheet(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    """Each printed as LibreOffice prints it to PDF: a page for each sheet (the demo's are short,
    so a page more means a sheet split, by its columns or its rows), nothing shown as ###, and
    every heading and text of the first rows whole on paper, never cut by the next column."""
    out, _ = demo
    workbooks = sorted(p for folder in WRITTEN_FOR_READERS for p in (out / folder).rglob("*.xlsx"))
    assert len(workbooks) > 20
    for workbook in workbooks:
        shutil.copy(workbook, tmp_path / f"{workbook.parent.name}-{workbook.name}")
    printed = print_to_pdf(sorted(tmp_path.glob("*.xlsx")), tmp_path)
    for source, pdf in printed:
        sheets = [s for s in load_workbook(source).worksheets if s.sheet_state == "visible"]
        pages = ["".join(page.extract_text().split()) for page in PdfReader(pdf).pages]
        assert len(pages) == len(sheets), (source.name, len(pages), [s.title for s in sheets])
        for number, page in enumerate(pages, start=1):  # whose it is, and which page of how many
            assert f"Page{number}of{len(pages)}" in page and "ExampleCouncil" in page, source.name
            assert whose(source) in page, (source.name, number)
        on_paper = "".join(pages)
        assert "###" not in on_paper, source.name
        cut = [
            (sheet.title, cell.coordinate, cell.value)
            for sheet in sheets
            for row in sheet.iter_rows(max_row=40)
            for cell in row
            if isinstance(cell.value, str) and not cell.value.startswith("=")
            and "".join(cell.value.split()) not in on_paper
        ]  # fmt: skip
        assert not cut, (source.name, cut[:5])


def print_to_pdf(sources: list[Path], folder: Path) -> list[tuple[Path, Path]]:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (make test installs it as root)")
    subprocess.run(
        [office, f"-env:UserInstallation=file://{folder}/profile", "--headless", "--calc",
         "--convert-to", "pdf", "--outdir", str(folder / "pdf"), *map(str, sources)],
        capture_output=True, timeout=600, check=True,
    )  # fmt: skip
    return [(source, folder / "pdf" / f"{source.stem}.pdf") for source in sources]


def whose(copied: Path) -> str:
    """What every page of a workbook names: the provider, or the run (finance) or week (flags)."""
    folder, _, name = copied.name.partition("-")
    if folder.startswith("R2"):  # finance/R20261118-0600/summary.xlsx
        return copied.name[:14]
    return {"flags": "w/c"}.get(folder, name[:4])
