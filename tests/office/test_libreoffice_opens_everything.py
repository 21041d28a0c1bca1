"""A real spreadsheet client opens every workbook carepay writes: LibreOffice, headless.

`make test` installs LibreOffice (Debian's libreoffice-calc-nogui) when it is missing; on a
machine where it cannot, these tests are skipped, and say so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from fractions import Fraction
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from carepay.domain.actuals import ValidationContext, validate_rows
from carepay.domain.care_packages import read_care_packages
from carepay.domain.finance import BankDetails
from carepay.domain.payment_run import AdjustmentReason, LineStatus, RunLine
from carepay.domain.runs import ProviderResult, RunStatus
from carepay.domain.service_lines import ProviderPlan
from carepay.domain.weeks import LONDON
from carepay.spreadsheets.claim_workbook import (
    CLAIM_SHEET,
    NEEDS_A_COMMENT,
    CouncilNotice,
)
from carepay.spreadsheets.claim_xlsx import write_claim_workbook
from carepay.spreadsheets.feedback import (
    FindingOut,
    RowFeedback,
    SubmissionFeedback,
)
from carepay.spreadsheets.feedback_xlsx import write_feedback_workbook
from carepay.spreadsheets.finance_xlsx import write_summary_workbook
from carepay.spreadsheets.reading import read_table, read_tables
from carepay.spreadsheets.register_xlsx import TOO_MANY
from carepay.spreadsheets.remittance import RemittanceHeader
from carepay.spreadsheets.remittance_xlsx import write_remittance_workbook
from carepay.spreadsheets.schemas import ACTUALS_UPLOAD, CARE_PACKAGES, REGISTER_UPLOAD
from carepay_local.demo import fill_in_claim_workbook
from tests.spreadsheets.test_register_workbook import E15_PLAN, workbook_for

SAMPLES = Path(__file__).resolve().parents[2] / "spreadsheets" / "samples"
WEEK = date(2026, 11, 9)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (make test installs it as root)"
)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder to work in, holding a LibreOffice profile of this test run's own."""
    return tmp_path_factory.mktemp("office")


def convert(office: Path, name: str, content: bytes, to: str) -> Path:
    source = office / name
    source.write_bytes(content)
    target_dir = office / to.split(":")[0]
    result = subprocess.run(
        [SOFFICE or "soffice", f"-env:UserInstallation=file://{office}/profile", "--headless",
         "--calc", "--convert-to", to, "--outdir", str(target_dir), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    converted = target_dir / (source.stem + "." + to.split(":")[0])
    assert result.returncode == 0 and converted.is_file(), result.stdout + result.stderr
    return converted


def plan(provider_ref: str) -> ProviderPlan:
    table = read_table(
        (SAMPLES / "care-packages.csv").read_bytes(), "care-packages.csv", CARE_PACKAGES
    )
    return ProviderPlan(provider_ref, read_care_packages(table.rows).versions)


def claim_workbook(provider_ref: str) -> bytes:
    provider_plan = plan(provider_ref)
    lines = list(provider_plan.lines_for_week(WEEK).values())
    notice = CouncilNotice("Example Council", message="=Closed on Friday", level="warning")
    return write_claim_workbook(provider_ref, provider_plan.provider_name, WEEK, lines, notice)


def feedback_workbook() -> bytes:
    content = (SAMPLES / "P001-claim-w-c-2026-11-09.csv").read_bytes()
    table = read_table(content, "claim.csv", ACTUALS_UPLOAD)
    rows = list(table.rows)
    context = ValidationContext("P001", plan("P001"), datetime(2026, 11, 16, 9, 30, tzinfo=LONDON))
    outcomes = validate_rows(rows, context)
    feedback = SubmissionFeedback(
        kind="upload", provider_ref="P001", file="claim.csv", source_key="uploads/P001/claim.csv",
        upload_id="u1", uploaded_at=context.uploaded_at, accepted=9, rejected=3,
        next_step="3 rows were rejected.",
        rows=[
            RowFeedback(
                row=o.row_number, status=o.status,
                errors=[FindingOut(code=f.code, message=f.message) for f in o.errors],
                exceptions=[FindingOut(code=f.code, message=f.message) for f in o.exceptions],
            )
            for o in outcomes
        ],
    )  # fmt: skip
    return write_feedback_workbook(
        feedback, table.columns, [(r.row_number, r.cells) for r in rows], "Example Council"
    )


@pytest.mark.parametrize(
    "name", ["claim-P001.xlsx", "claim-P002.xlsx", "claim-P003.xlsx", "feedback-P001.xlsx"]
)
def test_every_workbook_opens_and_prints_to_pdf(office: Path, name: str) -> None:
    content = feedback_workbook() if name.startswith("feedback") else claim_workbook(name[6:10])
    pdf = convert(office, name, content, "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000


def test_the_totals_recalculate_to_what_the_provider_entered(office: Path) -> None:
    filled = fill_in_claim_workbook(
        claim_workbook("P001"),
        {
            "SS1001": {
                "Weekly Actual Quantity": 2,
                "Weekly Frustrated Quantity": 3,
                "Comments": "Hospital",
            },
            "SS1004": {
                "Weekly Actual Quantity": 4,
                "Weekly Missed Quantity": 1,
                "Comments": "Ill carer",
            },
        },
    )
    recalculated = load_workbook(convert(office, "filled.xlsx", filled, "xlsx"), data_only=True)[
        CLAIM_SHEET
    ]
    header = next(r for r in range(1, 20) if recalculated.cell(row=r, column=1).value == "Line Ref")
    totals = {
        recalculated.cell(row=header, column=c).value: recalculated.cell(
            row=header - 1, column=c
        ).value
        for c in range(5, 11)
    }
    assert totals["Weekly Planned Quantity"] == 60.25
    assert totals["Weekly Actual Quantity"] == 60.25 - 3 - 1
    assert (totals["Weekly Frustrated Quantity"], totals["Weekly Missed Quantity"]) == (3, 1)


def test_a_claim_saved_by_libreoffice_reads_back_as_the_provider_left_it(office: Path) -> None:
    filled = fill_in_claim_workbook(
        claim_workbook("P001"),
        {"SS1003": {"Weekly Actual Quantity": 4.75, "Comments": "Left early"}},
        declare=True,
    )
    saved = convert(office, "saved.xlsx", filled, "xlsx").read_bytes()
    original, resaved = (read_table(c, "claim.xlsx", ACTUALS_UPLOAD) for c in (filled, saved))
    assert resaved.declared and original.declared
    as_read = [
        [(r.cells["line_ref"], r.cells["actual"], r.cells.get("comments")) for r in t.rows]
        for t in (original, resaved)
    ]
    assert as_read[0] == as_read[1]
    assert ("L1003", 4.75, "Left early") in as_read[1]


def test_the_check_column_recalculates_to_say_which_rows_still_need_a_comment(office: Path) -> None:
    filled = fill_in_claim_workbook(
        claim_workbook("P001"),
        {
            "SS1001": {
                "Weekly Actual Quantity": 2,
                "Weekly Frustrated Quantity": 3,
                "Comments": "Hospital",
            },
            "SS1005": {"Weekly Actual Quantity": 4},  # differs from plan, no comment yet
        },
    )
    sheet = load_workbook(convert(office, "checked.xlsx", filled, "xlsx"), data_only=True)[
        CLAIM_SHEET
    ]
    header = next(r for r in range(1, 20) if sheet.cell(row=r, column=1).value == "Line Ref")
    check = next(c for c in range(1, 20) if sheet.cell(row=header, column=c).value == "Check")
    said = {
        sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=check).value or ""
        for r in range(header + 1, header + 13)
    }
    assert said["SS1005"] == NEEDS_A_COMMENT
    assert said["SS1001"] == "" and said["SS1009"] == ""
    assert [ss for ss, text in said.items() if text] == ["SS1005"]


# -- what finance and providers get from a payment run -----------------------------------------
def run_results() -> list[ProviderResult]:
    def line(provider: str, ref: str, week: date, due: int, before: int, **kind: Any) -> RunLine:
        return RunLine(
            provider, ref, f"SS-{ref}", week, 20, 20, 0, 0, 20, Fraction(due // 5),
            due, before, kind.get("status", LineStatus.PAID), kind.get("hold", ""),
            kind.get("reason"), False,
        )  # fmt: skip

    bank = BankDetails("200000", "55779911", "Acme Home Care")
    acme = [
        line("P001", "L1", WEEK, 10000, 0),
        line("P001", "L2", WEEK, 13326, 0),
        line("P001", "L3", WEEK, 0, 0, status=LineStatus.HELD, hold="X2"),
        line("P001", "L4", WEEK - timedelta(weeks=1), 0, 2000, reason=AdjustmentReason.CANCELLED),
    ]
    bradford = [line("P002", "L9", WEEK, 7000, 0)]
    return [
        ProviderResult("P001", "Acme Home Care", acme, bank=bank, exceptions={"X2": 1}),
        ProviderResult("P002", "Bradford Day Services", bradford, bank=bank),
    ]


RUN_AT = datetime(2026, 11, 18, 6, 0, tzinfo=LONDON)


def test_a_remittance_prints_and_its_week_totals_recalculate_to_the_lines(office: Path) -> None:
    header = RemittanceHeader("Example Council", "R20261118-0600", RUN_AT, date(2026, 11, 20))
    content = write_remittance_workbook(header, run_results()[0])
    assert convert(office, "remittance.pdf.xlsx", content, "pdf").stat().st_size > 5_000
    sheet = load_workbook(convert(office, "remittance.xlsx", content, "xlsx"), data_only=True)[
        "Remittance"
    ]
    week_totals = [
        [sheet.cell(row=r, column=c).value for c in (9, 10, 11)]
        for r in range(1, sheet.max_row + 1)
        if sheet.cell(row=r, column=8).value == "Week total"
    ]
    # this run's week; the recoup of an earlier week; the held line
    assert week_totals == [[233.26, 0, 233.26], [0, 20, -20], [0, 0, 0]]


def test_the_summary_chart_draws_one_bar_per_provider_in_proportion_to_the_payment(
    office: Path,
) -> None:
    results = run_results()
    header = RemittanceHeader("Example Council", "R20261118-0600", RUN_AT, date(2026, 11, 20))
    content = write_summary_workbook(header, RunStatus.DRAFT, results)
    pdf = convert(office, "summary.xlsx", content, "pdf").read_bytes()
    bars = bar_widths(pdf, SERIES_COLOUR)
    payments = [r.settlement.payment_pence for r in results]
    assert len(bars) == len(payments) == 2
    # LibreOffice draws the first category at the bottom; compare the ratio either way round.
    assert sorted(bars)[1] / sorted(bars)[0] == pytest.approx(max(payments) / min(payments), 0.01)


SERIES_COLOUR = b"0.3098039215 0.5058823529 0.7411764705 rg"  # Excel's first series, #4F81BD


def bar_widths(pdf: bytes, colour: bytes) -> list[float]:
    """Widths of the rectangles filled in the chart's series colour, from the PDF's drawing."""
    widths: list[float] = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            drawing = zlib.decompress(stream.group(1))
        except zlib.error:
            continue  # a font or an image, not a page
        start = drawing.find(colour)
        if start < 0:
            continue
        for x0, x1 in re.findall(
            rb"([\d.]+) [\d.]+ m\n[\d.]+ [\d.]+ l ([\d.]+) [\d.]+ l [\d.]+ [\d.]+ l",
            drawing[start : drawing.find(b"BT", start)],
        ):
            widths.append(float(x1) - float(x0))
    return widths


def test_a_register_prints_and_its_check_flags_an_excess_when_recalculated(office: Path) -> None:
    content = workbook_for(E15_PLAN)
    assert convert(office, "register-print.xlsx", content, "pdf").stat().st_size > 5_000
    workbook = load_workbook(BytesIO(content))
    sheet = workbook["Register"]
    header = {cell.value: cell.column_letter for cell in sheet[5]}
    rows = {sheet[f"A{row}"].value: row for row in range(6, 10)}
    sheet[f"{header['Fri']}{rows['L403']}"] = "A"  # PM Session Tue Thu: a third day (R2)
    sheet[f"{header['All Week']}{rows['L404']}"] = "n"  # absent all week, with notice
    buffer = BytesIO()
    workbook.save(buffer)
    recalculated = load_workbook(
        convert(office, "register-filled.xlsx", buffer.getvalue(), "xlsx"), data_only=True
    )["Register"]
    paid = {ref: recalculated[f"{header['Paid Days']}{row}"].value for ref, row in rows.items()}
    check = {ref: recalculated[f"{header['Check']}{row}"].value for ref, row in rows.items()}
    assert paid == {"L401": 3, "L402": 3, "L403": 3, "L404": 1}
    assert check["L403"] == TOO_MANY and not any(check[r] for r in ("L401", "L402", "L404"))


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_a_register_saved_as_ods_or_xls_is_read_as_a_register(office: Path, kind: str) -> None:
    saved = convert(office, f"register-{kind}.xlsx", workbook_for(E15_PLAN), kind).read_bytes()
    tables = read_tables(saved, f"register.{kind}", (ACTUALS_UPLOAD, REGISTER_UPLOAD))
    assert [table.schema for table in tables] == [REGISTER_UPLOAD.name]
    rows = list(tables[0].rows)
    mondays = {row.text("line_ref"): row.text("day_0") for row in rows}
    assert mondays == {"L401": "A", "L402": "A", "L403": "", "L404": ""}
    assert tables[0].declared is False


def printed_pages(office: Path, name: str, content: bytes) -> list[str]:
    """Each page's text, as LibreOffice prints the workbook to PDF."""
    from pypdf import PdfReader

    reader = PdfReader(convert(office, name, content, "pdf"))
    return [" ".join(page.extract_text().split()) for page in reader.pages]  # wrapping undone


def many_claim_lines() -> bytes:
    """A claim long enough for several pages: its header row must be on each of them."""
    versions = read_care_packages(
        read_table((SAMPLES / "care-packages.csv").read_bytes(), "c.csv", CARE_PACKAGES).rows
    ).versions
    template = next(v for v in versions if v.provider_ref == "P001")
    many = [
        template.model_copy(update={"line_ref": f"L{n:04d}", "ss_ref": f"SS{n:04d}"})
        for n in range(120)
    ]
    lines = list(ProviderPlan("P001", many).lines_for_week(WEEK).values())
    return write_claim_workbook(
        "P001", "Acme Home Care", WEEK, lines, CouncilNotice("Example Council")
    )


@pytest.mark.parametrize(
    ("name", "workbook", "on_every_page"),
    [
        ("long-claim", many_claim_lines, "Weekly Actual Quantity"),
        ("register", lambda: workbook_for(E15_PLAN), "Paid Days"),
        ("feedback", feedback_workbook, "Example Council: feedback on claim.csv"),
        ("remittance", lambda: write_remittance_workbook(
            RemittanceHeader("Example Council", "R20261118-0600", RUN_AT, date(2026, 11, 20)),
            run_results()[0]), "Remittance number"),
        ("summary", lambda: write_summary_workbook(
            RemittanceHeader("Example Council", "R20261118-0600", RUN_AT, date(2026, 11, 20)),
            RunStatus.DRAFT, run_results()), "payment run R20261118-0600"),
    ],
)  # fmt: skip
def test_every_page_printed_says_whose_it_is_its_page_of_how_many_and_repeats_its_headings(
    office: Path, name: str, workbook: Callable[[], bytes], on_every_page: str
) -> None:
    pages = printed_pages(office, f"{name}-pages.xlsx", workbook())
    assert pages
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text, (name, number, text[:200])
        assert "Example Council" in text
        assert on_every_page in text, (name, number)


@pytest.mark.parametrize(
    ("name", "workbook", "first", "last"),
    [
        ("claim-width", many_claim_lines, "Line Ref", "Check"),
        ("register-width", lambda: workbook_for(E15_PLAN), "Line Ref", "Check"),
    ],
)
def test_a_sheet_is_printed_whole_width_on_every_page_never_split_across_pages(
    office: Path, name: str, workbook: Callable[[], bytes], first: str, last: str
) -> None:
    """Its first and last column headings on every page of it: no column went to a page of
    its own, and the heading row is repeated."""
    pages = [page for page in printed_pages(office, f"{name}.xlsx", workbook()) if first in page]
    assert pages
    assert all(last in page for page in pages)


def test_a_remittance_of_a_few_weeks_prints_on_one_page(office: Path) -> None:
    header = RemittanceHeader("Example Council", "R20261118-0600", RUN_AT, date(2026, 11, 20))
    pages = printed_pages(
        office, "one-page.xlsx", write_remittance_workbook(header, run_results()[0])
    )
    assert len(pages) == 1 and "Page 1 of 1" in pages[0]
