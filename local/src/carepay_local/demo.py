"""`carepay demo`: a week of claims from three providers, through the whole flow, on an embedded stack.

The story (week commencing Monday 9 November 2026; every step at a simulated time):
  Acme Home Care (P001)     uploads an xlsx claim covering E1–E9, a names column and an unknown
                            person; fixes the two rejected rows and confirms (E10 for SS1010).
  Bradford Day Services (P002) uploads a semicolon CSV with frustrated hours at day care (E9),
                            corrects it, and confirms after Tuesday's deadline (late).
  Riverside Care Home (P003) does its week in the provider portal (its API, as the page
                            uses it): downloads the claim workbook, fills it in with an extra
                            on 1:1 residential support (X4) across a mid-week rate uplift,
                            uploads it straight to S3, is refused confirmation while that row
                            stands (V10), corrects it and confirms; later it downloads its
                            remittance and raises a payment query, which the council answers.
  Meadow Day Centre (P004)  works from a weekly register (carepay_local.demo_day_centre): a
                            swap, an absence of each kind, an excess corrected, a
                            care-monitoring flag, and its non-payment week refused.
Every email carepay sends (claims ready, reminders, finance's list at the deadline, rejected
rows, remittances, the answered query) is read back from SES and left in OUT/mail/.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.domain.actuals import parse_week_date
from carepay.domain.money import format_pounds, quarters_to_decimal
from carepay.domain.payment import line_week_payment
from carepay.domain.weeks import LONDON
from carepay.services.claim_workbooks import claim_workbook_key
from carepay.spreadsheets.claim_workbook import CLAIM_SHEET
from carepay.spreadsheets.layout import TEXT_THAT_WOULD_RUN
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud, project_root, quiet_local_cloud
from carepay_local.demo_day_centre import DayCentreStory
from carepay_local.iam import RECORDER
from carepay_local.mail import sent_mail, write_eml
from carepay_local.portal_visit import PortalVisit
from carepay_local.printing import print_run, print_submission

WEEK = date(2026, 11, 9)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def csv_to_xlsx(content: bytes) -> bytes:
    """The sample claim as a provider's Excel file: real date cells and numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Claim"
    sheet.append(["Acme Home Care: weekly claim"])  # a title row above the header
    for number, row in enumerate(csv.reader(io.StringIO(content.decode("utf-8")))):
        if number == 0:
            sheet.append(row)
            continue
        values: list[object] = []
        for position, cell in enumerate(row):
            if position == 3 and cell:
                values.append(parse_week_date(cell))  # a real date cell, as Excel stores it
            else:
                try:
                    values.append(
                        float(cell) if cell and not cell.startswith("SS") else cell or None
                    )
                except ValueError:
                    values.append(cell)
        sheet.append(values)
        for written in sheet[sheet.max_row]:
            if isinstance(written.value, str) and written.value.startswith(TEXT_THAT_WOULD_RUN):
                written.data_type = "s"  # typed text in the CSV stays text in the workbook
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill_in_claim_workbook(
    xlsx: bytes, entries: dict[str, dict[str, str | float]], *, declare: bool = False
) -> bytes:
    """Fill in a claim workbook as a provider would: only unlocked cells, by SS Ref and column.

    Raises PermissionError for a locked cell, as Excel would refuse the edit.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(xlsx))
    sheet = workbook[CLAIM_SHEET]
    header = next(r for r in range(1, 20) if sheet.cell(row=r, column=1).value == "Line Ref")
    columns = {sheet.cell(row=header, column=c).value: c for c in range(1, sheet.max_column + 1)}
    rows = {
        sheet.cell(row=r, column=columns["SS Ref"]).value: r
        for r in range(header + 1, sheet.max_row + 1)
    }
    for ss_ref, values in entries.items():
        for column, value in values.items():
            cell = sheet.cell(row=rows[ss_ref], column=columns[column])
            if cell.protection.locked:
                raise PermissionError(f"{column} of {ss_ref} is locked")
            cell.value = value
    if declare:
        sheet["D3"] = "Y"
    filled = io.BytesIO()
    workbook.save(filled)
    return filled.getvalue()


def run_demo(out_dir: Path, console: Console) -> None:
    from moto import mock_aws

    out_dir.mkdir(parents=True, exist_ok=True)
    with mock_aws(), quiet_local_cloud():
        console.rule(
            "[bold]carepay demo[/bold]: template.yaml deployed into an embedded local cloud"
        )
        cloud = LocalCloud(
            extra_function_env={
                "POWERTOOLS_LOG_LEVEL": "ERROR",
                "POWERTOOLS_METRICS_DISABLED": "true",
            }
        )
        cloud.deploy()
        story = _Story(console, cloud, out_dir)
        story.council_imports()
        story.day_centre.earlier_weeks()
        story.monday_workbooks()
        story.claims()
        _print_week(console, SubmissionStore(cloud.outputs["DataTableName"]))
        story.save_feedback()
        story.payment_runs()
        story.save_mail()
        console.rule()
        console.print(
            f"Feedback workbooks and JSON are in [bold]{out_dir / 'feedback'}/[/bold]; "
            f"the files uploaded are in {out_dir / 'uploads'}/; remittances in "
            f"[bold]{out_dir / 'remittances'}/[/bold]; ledgers, payment files, summaries and "
            f"charging extracts in [bold]{out_dir / 'finance'}/[/bold]; the day centre's register "
            f"in [bold]{out_dir / 'registers'}/[/bold] and the care-monitoring flags in "
            f"[bold]{out_dir / 'flags'}/[/bold]; emails in [bold]{out_dir / 'mail'}/[/bold]."
        )
        _say_whether_every_call_was_allowed(console, cloud)


class _Story:
    """Three weeks of one council, step by step: the week commencing 09/11/2026 claimed,
    confirmed and paid, put right by a second run; what each provider was told kept."""

    def __init__(self, console: Console, cloud: LocalCloud, out_dir: Path) -> None:
        self.console = console
        self.cloud = cloud
        self.out_dir = out_dir
        self.samples = project_root() / "spreadsheets" / "samples"
        self.council = CarepayClient(pump=cloud.pump)
        self.told: list[tuple[str, dict[str, Any]]] = []  # (file or step, its feedback)
        self.day_centre = DayCentreStory(console, self.council, self.samples, out_dir)

    def council_imports(self) -> None:
        self.console.rule("The council imports its care packages")
        packages = self.samples / "care-packages.csv"
        report = self.council.import_care_packages(packages, at=at(15, 22))
        self.console.print(
            f"{report['imported']} service line versions for {', '.join(report['providers'])}; "
            f"{report['rejected']} rejected."
        )
        approvals_file = self.samples / "approvals-E6.csv"
        approvals = self.council.import_approvals(approvals_file, at=at(15, 22, 30))
        self.console.print(
            f"Social work's approvals file: {approvals['imported']} approval (2 h extra for "
            "SS1006 in w/c 09/11/2026, E6)."
        )
        self.day_centre.imports()
        people = self.council.import_portal_users(self.samples / "portal-users.csv", at=at(15, 23))
        self.console.print(
            f"The portal-users file: {len(people['invited'])} people invited to the provider "
            "portal, one for each provider."
        )

    def monday_workbooks(self) -> None:
        self.console.rule("Monday 06:00: the schedule writes each provider's claim workbook")
        self.cloud.fire_schedule("WeeklyClaimWorkbooks", at(16, 6))
        workbooks_dir = self.out_dir / "workbooks"
        workbooks_dir.mkdir(exist_ok=True)
        for provider in ("P001", "P002", "P003"):
            for extension in ("xlsx", "csv"):
                key = claim_workbook_key(provider, WEEK, extension)
                (workbooks_dir / Path(key).name.replace("claim", provider)).write_bytes(
                    self.council.read_outbound(key)
                )
        self.day_centre.save_monday_register(workbooks_dir)
        self.console.print(
            f"Claim workbooks (xlsx and ContrOCC CSV) for P001, P002, P003, and P004's register "
            f"(its workbook's Register sheet, and CSV) in {workbooks_dir}/."
        )

    def send(self, provider: str, name: str, content: bytes, moment: datetime, story: str) -> None:
        self.console.rule(f"{provider}: {story}")
        (self.out_dir / "uploads").mkdir(exist_ok=True)
        (self.out_dir / "uploads" / name).write_bytes(content)
        feedback = self.council.upload(provider, name, content, at=moment)
        print_submission(self.console, feedback)
        self.told.append((name, feedback))

    def confirm(self, provider: str, moment: datetime, story: str) -> None:
        self.console.rule(f"{provider}: {story}")
        confirmation = self.council.confirm(provider, WEEK, at=moment)
        print_submission(self.console, confirmation)
        self.told.append((f"{provider}-confirmation", confirmation))

    def claims(self) -> None:
        """The week's claims in the order they happened, with the schedules that fire between."""
        self.reminders(at(16, 9), "Monday 09:00: reminders to every provider yet to confirm")
        self.home_care_claims()
        self.day_centre_claim()
        self.day_centre.register_week()
        self.reminders(at(17, 9), "Tuesday 09:00: reminders to the providers still to confirm")
        self.care_home_in_the_portal()
        self.day_centre_corrects_and_confirms_late()

    def reminders(self, moment: datetime, story: str) -> None:
        self.console.rule(story)
        before = len(sent_mail(self.cloud.account))
        self.cloud.fire_schedule("ConfirmationReminders", moment)
        self.console.print(f"{len(sent_mail(self.cloud.account)) - before} reminder emails sent.")

    def home_care_claims(self) -> None:
        claim = (self.samples / "P001-claim-w-c-2026-11-09.csv").read_bytes()
        self.send(
            "P001",
            "P001-claim-w-c-2026-11-09.xlsx",
            csv_to_xlsx(claim),
            at(16, 9, 30),
            "Monday 09:30, Acme uploads its claim (E1–E8, a names column, an unknown person)",
        )
        self.send(
            "P001",
            "P001-corrections.csv",
            (self.samples / "P001-corrections-w-c-2026-11-09.csv").read_bytes(),
            at(16, 14),
            "Monday 14:00, Acme fixes the two rejected rows and confirms (E10 for SS1010)",
        )

    def day_centre_claim(self) -> None:
        self.send(
            "P002",
            "P002-claim.csv",
            (self.samples / "P002-claim-w-c-2026-11-09.csv").read_bytes(),
            at(16, 10, 15),
            "Monday 10:15, the day centre claims frustrated hours (E9)",
        )

    def day_centre_corrects_and_confirms_late(self) -> None:
        self.send(
            "P002",
            "P002-corrections.csv",
            (self.samples / "P002-corrections-w-c-2026-11-09.csv").read_bytes(),
            at(17, 16, 55),
            "Tuesday 16:55, the day centre corrects the row (a cp1252 CSV)",
        )
        self.console.rule(
            "Tuesday 17:05: finance is sent the providers unconfirmed at the deadline"
        )
        self.cloud.fire_schedule("UnconfirmedAtDeadline", at(17, 17, 5))
        self.console.print("  " + sent_mail(self.cloud.account)[-1]["Subject"])
        self.confirm(
            "P002",
            at(17, 18, 10),
            "Tuesday 18:10, the day centre confirms — after the 17:00 deadline",
        )

    def care_home_in_the_portal(self) -> None:
        """Riverside's week, done by its manager in the provider portal."""
        self.console.rule(
            "P003: Tuesday 11:00, Riverside's manager signs in to the provider portal"
        )
        portal = PortalVisit(self.cloud, "manager@riverside-carehome.example")
        week = f"/api/providers/P003/weeks/{WEEK}"
        with portal.at(at(17, 11)):
            shown = portal.get(week)
            self.console.print(f"The week: {shown['status']}. {shown['next_step']}")
            name, workbook = portal.download(f"{week}/claim")
            with_an_extra: dict[str, str | float] = {
                "Weekly Actual Quantity": 12,
                "Weekly Extra Quantity": 2,
                "Comments": "Extra support during a family visit",
            }
            filled = fill_in_claim_workbook(workbook, {"SS3001": with_an_extra})
            self.portal_upload(portal, name, filled, "downloads the claim, fills in an extra (X4)")
        with portal.at(at(17, 16, 30)):
            self.portal_confirm(portal, "ticks the declaration and presses Save, confirm and lock")
        with portal.at(at(17, 16, 40)):
            corrected: dict[str, dict[str, str | float]] = {
                "SS3001": {"Weekly Actual Quantity": 10}
            }
            fixed = fill_in_claim_workbook(workbook, corrected)
            self.portal_upload(
                portal, f"corrected-{name}", fixed, "corrects SS3001 (10 h, no extra)"
            )
            self.portal_confirm(portal, "confirms the week")
            self.console.print(f"The week now: {portal.get(week)['status']}.")

    def portal_upload(self, portal: PortalVisit, name: str, content: bytes, story: str) -> None:
        self.console.rule(f"P003 in the portal: {story}")
        (self.out_dir / "uploads").mkdir(exist_ok=True)
        (self.out_dir / "uploads" / f"P003-{name}").write_bytes(content)
        feedback = portal.upload("P003", name, content)["feedback"]
        print_submission(self.console, feedback)
        self.told.append((f"P003-{Path(name).stem}", feedback))

    def portal_confirm(self, portal: PortalVisit, story: str) -> None:
        self.console.rule(f"P003 in the portal: {story}")
        feedback = portal.confirm("P003", str(WEEK))["feedback"]
        print_submission(self.console, feedback)
        self.told.append((f"P003-confirmation-{len(self.told)}", feedback))

    def save_feedback(self) -> None:
        feedback_dir = self.out_dir / "feedback"
        feedback_dir.mkdir(exist_ok=True)
        for name, feedback in [*self.told, *self.day_centre.told]:
            stem = Path(name).stem
            (feedback_dir / f"{stem}.feedback.json").write_text(
                json.dumps(feedback, indent=1, default=str)
            )
            if feedback["kind"] == "upload" and not feedback["file_rejected"]:
                (feedback_dir / f"{stem}.feedback.xlsx").write_bytes(
                    self.council.feedback_workbook(feedback)
                )

    def payment_runs(self) -> None:
        """Two weekly runs: a late week withheld then paid, a held extra released by an
        approval, a line backdated and another cancelled after they were paid."""
        first = self.first_run()
        self.changes_after_payment()
        sheet_id = _google_sheet_week(self.console, self.cloud, self.council)
        self.day_centre.non_payment_week()
        self.console.rule("Monday 23/11: the other providers confirm the week commencing 16/11")
        for provider, moment in (("P001", at(23, 9)), ("P003", at(24, 16, 55))):
            self.council.confirm(provider, date(2026, 11, 16), at=moment)
        self.console.print("P001 on Monday, P003 at 16:55 on Tuesday (in time).")
        self.console.rule("Wednesday 25/11 06:00: the second run, then approval")
        self.cloud.fire_schedule("WeeklyPaymentRun", at(25, 6))
        second = self.council.runs()[-1]
        second = self.council.approve(second["run_id"], "Finance officer", at=at(25, 10))
        print_run(self.console, second)
        self.cloud.pump()  # the remittance tab for the provider on Google Sheets
        sheets_dir = self.out_dir / "sheets"
        sheets_dir.mkdir(exist_ok=True)
        sheet_copy = sheets_dir / "P002-google-sheet.xlsx"
        sheet_copy.write_bytes(_sheet_as_workbook(self.cloud, sheet_id))
        self.console.print(
            f"Bradford's Google Sheet now has tabs "
            f"{', '.join(self.cloud.google.titles(sheet_id))}; a copy is in {sheet_copy}."
        )
        for run in (first, second):
            self.save_run_files(run)
        self.day_centre.save_register_and_flags()
        self.payment_query(first["run_id"])

    def payment_query(self, run_id: str) -> None:
        self.console.rule("Thursday 26/11: Riverside asks about its first remittance in the portal")
        portal = PortalVisit(self.cloud, "manager@riverside-carehome.example")
        files = portal.get("/api/providers/P003/files")["files"]
        remittance = next(f for f in files if f["name"] == f"{run_id}.xlsx")
        name, _ = portal.download(f"/api/providers/P003/download?key={remittance['key']}")
        asked = {
            "kind": "Payment query",
            "about": f"remittance {run_id}",
            "text": "Why was SS3001's extra not paid?",
        }
        with portal.at(at(26, 9)):
            query = portal.post("/api/providers/P003/queries", asked)
        self.console.print(f"Downloaded {name}; raised {query['query_id']}: {asked['text']}")
        self.council.answer_query(
            query["query_id"],
            "Finance officer",
            "The extra was corrected out on 17/11.",
            at(26, 11),
        )
        (answered,) = portal.get("/api/providers/P003/queries")["queries"]
        self.console.print(
            f"The council answers: {answered['messages'][-1]['text']} ({answered['status']})"
        )

    def save_mail(self) -> None:
        sent = sent_mail(self.cloud.account)
        written = write_eml(sent, self.out_dir / "mail")
        self.console.rule(f"The emails carepay sent: {len(written)}, in {self.out_dir / 'mail'}/")
        for message in sent:
            self.console.print(f"  to {message['To']}: {message['Subject']}")

    def first_run(self) -> dict[str, Any]:
        self.console.rule(
            "Wednesday 18/11 06:00: the schedule calculates the week's payment run (a draft)"
        )
        self.cloud.fire_schedule("WeeklyPaymentRun", at(18, 6))
        [first] = self.council.runs()
        print_run(self.console, first)
        self.console.print(
            "P002 confirmed after Tuesday's deadline: its week is withheld, paid by the next "
            "run. SS1005's extra (E5) is held until approved."
        )
        self.console.rule("Wednesday 18/11 10:00: finance approves the run")
        first = self.council.approve(first["run_id"], "Finance officer", at=at(18, 10))
        print_run(self.console, first)
        return first

    def changes_after_payment(self) -> None:
        self.console.rule("Thursday 19/11: the council changes two packages after they were paid")
        changes = self.council.import_care_packages(
            self.samples / "care-packages-changes-2026-11-19.csv", at=at(19, 9)
        )
        self.console.print(
            f"{changes['imported']} line versions: SS1011's 3 h line replaced by 5 h backdated "
            "to 09/11 (L1012 → L1013), and Bradford's L2002 cancelled."
        )
        cancelled = self.samples / "care-packages-cancel-L3001.csv"
        imported = self.council.import_care_packages(cancelled, at=at(19, 9, 5))["imported"]
        self.console.print(f"{imported} more: Riverside's L3001 cancelled (never delivered).")
        approvals = self.council.import_approvals(
            self.samples / "approvals-after-first-run.csv", at=at(19, 11)
        )
        self.console.print(
            f"Social work approves SS1005's 2 h extra: {approvals['imported']} approval."
        )
        feedback = self.council.upload(
            "P001",
            "P001-backdated-line.csv",
            (self.samples / "P001-backdated-line-w-c-2026-11-09.csv").read_bytes(),
            at=at(19, 14),
        )
        print_submission(self.console, feedback)

    def save_run_files(self, run: dict[str, Any]) -> None:
        """Each provider's remittance, and finance's files, as the run wrote them."""
        remittances = self.out_dir / "remittances"
        remittances.mkdir(exist_ok=True)
        for provider in run["providers"]:
            remittance = self.council.remittance(provider["provider_ref"], run["run_id"])
            if remittance is None:
                continue  # nothing happened for the provider in this run
            xlsx, remittance_csv = remittance
            stem = f"{provider['provider_ref']}-{run['run_id']}"
            (remittances / f"{stem}.xlsx").write_bytes(xlsx)
            (remittances / f"{stem}.csv").write_bytes(remittance_csv)
        finance_dir = self.out_dir / "finance" / run["run_id"]
        finance_dir.mkdir(parents=True, exist_ok=True)
        for name, content in self.council.finance_files(run["run_id"]).items():
            (finance_dir / name).write_bytes(content)


def _say_whether_every_call_was_allowed(console: Console, cloud: LocalCloud) -> None:
    refused = [d for d in RECORDER.denied if d.function in cloud.functions]
    for denial in refused:  # the template's roles, as AWS would apply them: none expected
        console.print(
            f"[red]{denial.function} was refused {denial.permission.action} on "
            f"{denial.permission.resource}: its role in template.yaml does not allow it.[/red]"
        )
    if not refused:
        console.print("Every AWS call of the week was allowed by its function's own role.")


def _google_sheet_week(console: Console, cloud: LocalCloud, council: CarepayClient) -> str:
    """Bradford moves to a Google Sheet for the week commencing 16/11."""
    from carepay.spreadsheets.claim_sheet import FIRST_LINE_ROW, HEADER
    from carepay_local.apps_script import signed_notice

    week = date(2026, 11, 16)
    console.rule("Monday 23/11: Bradford Day Services claims in a Google Sheet instead")
    sheet_id = cloud.google.create("Bradford Day Services: carepay claims")
    council.link_sheet("P002", sheet_id)
    prepared = council.prepare_sheet("P002", week)
    tab = prepared["tab"]
    console.print(
        f"The council links Bradford's sheet and writes the tab '{tab}' (plan locked, "
        "drop-downs, a Confirm checkbox) and an Instructions tab."
    )

    def cell(heading: str) -> str:
        return f"{chr(ord('A') + HEADER.index(heading))}{FIRST_LINE_ROW}"

    cloud.extra_function_env["CAREPAY_TRIAL_NOW"] = at(23, 10).isoformat()
    for heading, value in (
        ("Weekly Actual Quantity", 5),
        ("Weekly Missed Quantity", 1),
        ("Comments", "Centre closed early on Friday"),
        ("Missed Reason", "Notice given"),
        ("Confirm", True),
    ):
        cloud.google.type_in(sheet_id, tab, cell(heading), value)
    secret = client("secretsmanager").get_secret_value(
        SecretId=cloud.outputs["SheetsNoticeSecretArn"]
    )["SecretString"]
    body, headers = signed_notice(secret, sheet_id, tab, cell("Confirm"), at=at(23, 10))
    answer = cloud.post_to_function_url("SheetNoticesFunction", "/notices", body, headers)
    cloud.pump()
    del cloud.extra_function_env["CAREPAY_TRIAL_NOW"]
    rows = cloud.google.values(sheet_id, tab)
    status = HEADER.index("Status")
    console.print(
        f"10:00 the day centre fills in its row and ticks Confirm; the Apps Script's signed "
        f"notice is answered {answer['statusCode']}, the sheet is read once and checked."
    )
    console.print(f"  The sheet now says: [bold]{rows[1][0]}[/bold]")
    for row in rows[FIRST_LINE_ROW - 1 :]:
        console.print(f"  {row[0]} {row[1]}: {row[status]} {row[status + 1] or ''}".rstrip())
    return sheet_id


def _sheet_as_workbook(cloud: LocalCloud, sheet_id: str) -> bytes:
    """The fake Google Sheet's tabs, as a workbook to look at."""
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title in cloud.google.titles(sheet_id):
        sheet = workbook.create_sheet(title.replace("/", "-"))
        for row in cloud.google.values(sheet_id, title):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _print_week(console: Console, store: SubmissionStore) -> None:
    console.rule("What is stored for w/c 09/11/2026, and what each confirmed line-week would pay")
    table = Table()
    for column in (
        "Provider",
        "Line",
        "SS Ref",
        "Actual",
        "Frust.",
        "Missed",
        "Extra",
        "Confirmed",
        "Exceptions",
        "Payable",
        "Amount",
    ):
        table.add_column(column)
    for provider in ("P001", "P002", "P003"):
        plan = store.provider_plan(provider)
        approvals = store.approvals(provider)
        for (line_ref, _), state in sorted(store.stored_line_weeks(provider, WEEK, WEEK).items()):
            line_week = state.actuals
            line = plan.line_for_week(line_ref, WEEK)
            if line_week is None or line is None:
                continue
            payment = line_week_payment(line_week, line, approvals)
            confirmed = (
                "late" if line_week.late_confirmation else "yes" if line_week.confirmed else "no"
            )
            held = f" (held {payment.hold_reason})" if payment.held else ""
            table.add_row(
                provider,
                line_ref,
                line_week.ss_ref,
                *(
                    str(quarters_to_decimal(q))
                    for q in (
                        line_week.actual_quarters,
                        line_week.frustrated_quarters,
                        line_week.missed_quarters,
                        line_week.extra_quarters,
                    )
                ),
                confirmed,
                " ".join(f.code for f in line_week.exceptions),
                str(quarters_to_decimal(payment.payable_quarters)),
                format_pounds(payment.amount_pence) + held,
            )
    console.print(table)
