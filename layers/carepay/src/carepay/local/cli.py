"""carepay: the command line for the local stack, trials and replays.

Commands find the stack through its CloudFormation outputs, at AWS_ENDPOINT_URL when set (the
local stack of `carepay serve`), otherwise in the AWS account of the current credentials.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from carepay.domain.money import format_pounds
from carepay.domain.weeks import LONDON

if TYPE_CHECKING:
    from carepay.local.cloud import LocalCloud

app = typer.Typer(
    help="carepay: pay care providers from the weekly actuals they report in spreadsheets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
packages_app = typer.Typer(help="The council's care-package export.", no_args_is_help=True)
app.add_typer(packages_app, name="packages")
approvals_app = typer.Typer(
    help="Operational teams' approvals (extras, long hospital stays).", no_args_is_help=True
)
app.add_typer(approvals_app, name="approvals")
runs_app = typer.Typer(help="Payment runs: list, show, approve, recalculate.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")
sheets_app = typer.Typer(help="Providers who claim in a Google Sheet.", no_args_is_help=True)
app.add_typer(sheets_app, name="sheets")
# Piped output (make demo | tee, CI logs) gets a width that fits the tables, not the default 80.
console = Console(width=None if sys.stdout.isatty() else 150)

EXIT_ALL_ACCEPTED, EXIT_SOME_REJECTED, EXIT_REJECTED_WHOLE = 0, 1, 2  # 3: carepay failed

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="Simulated time (ISO, e.g. 2026-11-17T16:55); honoured only by a trial stack.",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON instead of a table.")
]
StackOption = Annotated[
    str, typer.Option("--stack", envvar="CAREPAY_STACK", help="CloudFormation stack name.")
]


def _parse_at(at: str | None) -> datetime | None:
    if at is None:
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        console.print(f"[red]--at {at!r} is not an ISO date-time such as 2026-11-17T16:55[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def _local_credentials() -> None:
    """A moto server accepts any credentials; give boto3 some so it does not look for real ones."""
    if os.environ.get("AWS_ENDPOINT_URL"):
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")


def _client(stack: str) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    from carepay.local.client import CarepayClient

    _local_credentials()
    try:
        return CarepayClient(stack)
    except (ClientError, BotoCoreError) as exc:
        where = os.environ.get("AWS_ENDPOINT_URL", "your AWS account")
        console.print(
            f"[red]No carepay stack '{stack}' at {where}: start one with `carepay serve` and "
            f"export AWS_ENDPOINT_URL, or deploy with sam deploy.[/red] ({exc})"
        )
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None


def _waited(action: Any) -> Any:
    from carepay.local.client import NotProcessed

    try:
        result = action()
    except NotProcessed as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None
    return result


def _monday(week: str) -> date:
    """--week as a date; a day other than Monday is refused here, before anything is sent."""
    try:
        monday = date.fromisoformat(week)
    except ValueError:
        console.print(f"[red]--week {week!r} is not a date such as 2026-11-09.[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None
    if monday.weekday() != 0:
        console.print(
            f"[red]{monday:%d/%m/%Y} is a {monday:%A}: name the week by its Monday.[/red]"
        )
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    return monday


def _read_file(path: Path) -> bytes:
    if not path.is_file():
        console.print(f"[red]{path} is not a file.[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    return path.read_bytes()


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port for the local AWS endpoint on 127.0.0.1.")] = 4566,
    notices_port: Annotated[
        int, typer.Option(help="Port for sheet notices (0: a free one, printed when ready).")
    ] = 0,
    verbose: Annotated[bool, typer.Option(help="Print every HTTP request it serves.")] = False,
) -> None:
    """Run the local stack: template.yaml in a moto server, events routed to the handlers.

    The stack lives in this process: stop it and everything stored is gone. Quiet while it
    works; a function that fails is printed with why.
    """
    import logging

    from moto.server import ThreadedMotoServer

    from carepay.local.cloud import LocalCloud, quiet_local_cloud, serve_function_url
    from carepay.local.iam import save_records

    endpoint = f"http://127.0.0.1:{port}"
    if not verbose:  # the queues are polled several times a second: one log line each
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    _local_credentials()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with quiet_local_cloud():
        cloud = LocalCloud().deploy()
    notices = serve_function_url(cloud, "SheetNoticesFunction", notices_port)
    google_host, google_port = (
        cloud.google_server.server_address[:2] if cloud.google_server else ("", 0)
    )
    print(
        f"Google Sheets: notices at http://127.0.0.1:{notices.server_address[1]}/notices, "
        f"the fake Google API at http://{google_host!s}:{google_port}",
        flush=True,
    )
    print(f"carepay local stack ready: export AWS_ENDPOINT_URL={endpoint}", flush=True)
    print("It lives in this process: Ctrl-C stops it, and what it stored is gone.", flush=True)
    try:
        _run_until_stopped(cloud, lambda: stopping)
    finally:
        notices.shutdown()
        cloud.close()
        server.stop()
        save_records(f"serve-{os.getpid()}")


def _run_until_stopped(cloud: LocalCloud, stopped: Callable[[], bool]) -> None:
    """Lambda's part: fire schedules by the clock, deliver queued messages, say what failed."""
    last_minute = None
    while not stopped():
        minute = datetime.now().astimezone().replace(second=0, microsecond=0)
        if minute != last_minute:  # schedules fire by the clock, once in their minute
            last_minute = minute
            cloud.fire_due_schedules(minute)
        reported = len(cloud.failures)
        if not cloud.pump():
            time.sleep(0.2)
        for failure in cloud.failures[reported:]:
            print(failure, file=sys.stderr, flush=True)


@packages_app.command("import")
def import_packages(
    file: Annotated[Path, typer.Argument(help="The care-package export (CSV or xlsx).")],
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Import care packages (service line versions) and wait for the report."""
    report = _waited(lambda: _client(stack).import_care_packages(file, at=_parse_at(at)))
    if as_json:
        print(json.dumps(report, indent=1))
    else:
        _print_import(report)
    if report.get("file_rejected"):
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    raise typer.Exit(EXIT_SOME_REJECTED if report["rejected"] else EXIT_ALL_ACCEPTED)


@app.command()
def upload(
    file: Annotated[Path, typer.Argument(help="A claim: xlsx, xlsm, xls, ods or CSV.")],
    provider: Annotated[str, typer.Option("--provider", help="Your provider reference.")],
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Save the feedback workbook here (a file, or a folder)."),
    ] = None,
) -> None:
    """Upload a provider's weekly actuals and wait for the feedback."""
    content = _read_file(file)
    carepay = _client(stack)
    feedback = _waited(lambda: carepay.upload(provider, file.name, content, at=_parse_at(at)))
    if not feedback.get("file_rejected") and not as_json:
        _say_where_the_workbook_is(carepay, feedback, out)
    _finish_submission(feedback, as_json)


def _say_where_the_workbook_is(carepay: Any, feedback: dict[str, Any], out: Path | None) -> None:
    from carepay.services.submissions import feedback_keys_for

    key = feedback_keys_for(str(feedback["source_key"]))[1]
    if out is None:
        console.print(f"Feedback workbook: s3://{carepay.outbound}/{key} (save it with --out).")
        return
    target = out / Path(key).name if out.is_dir() else out
    target.write_bytes(carepay.feedback_workbook(feedback))
    console.print(f"Feedback workbook saved to {target}.")


@app.command()
def confirm(
    provider: Annotated[str, typer.Option("--provider", help="Your provider reference.")],
    week: Annotated[str, typer.Option("--week", help="The week's Monday, YYYY-MM-DD.")],
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Confirm a week: lines with no actuals submitted are confirmed as planned."""
    monday = _monday(week)
    feedback = _waited(lambda: _client(stack).confirm(provider, monday, at=_parse_at(at)))
    _finish_submission(feedback, as_json)


@app.command()
def workbook(
    provider: Annotated[str, typer.Option("--provider", help="The provider reference.")],
    week: Annotated[str, typer.Option("--week", help="The week's Monday, YYYY-MM-DD.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to save it (default: the outbox name).")
    ] = None,
    at: AtOption = None,
    stack: StackOption = "carepay",
) -> None:
    """Write a provider's weekly claim workbook (and its CSV) and save it here."""
    monday = _monday(week)
    moment = _parse_at(at)
    xlsx, claim_csv = _waited(lambda: _client(stack).claim_workbook(provider, monday, moment))
    target = out or Path(f"claim-{provider}-w-c-{monday}.xlsx")
    target.write_bytes(xlsx)
    target.with_suffix(".csv").write_bytes(claim_csv)
    console.print(f"{target} and {target.with_suffix('.csv')} written.")


@approvals_app.command("import")
def import_approvals(
    file: Annotated[Path, typer.Argument(help="The approvals file (CSV or xlsx).")],
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Import approvals; they release held lines in the next payment run."""
    _read_file(file)
    report = _waited(lambda: _client(stack).import_approvals(file))
    if as_json:
        print(json.dumps(report, indent=1))
    elif report.get("file_rejected"):
        console.print(f"[red]{report['file']} was not imported: {report['message']}[/red]")
    else:
        console.print(
            f"{report['file']}: {report['imported']} approvals imported, "
            f"{report['rejected']} rows rejected."
        )
        for rejected in report["rejected_rows"]:
            for found in rejected["errors"]:
                console.print(f"  row {rejected['row']}: [red]{found['message']}[/red]")
    if report.get("file_rejected"):
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    raise typer.Exit(EXIT_SOME_REJECTED if report["rejected"] else EXIT_ALL_ACCEPTED)


@app.command()
def pay(
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Start a payment run now (or --at on a trial stack) and wait for its draft."""
    run = _run_step(lambda: _client(stack).pay(at=_parse_at(at)))
    print_run(run, as_json)


@runs_app.command("list")
def list_runs(as_json: JsonOption = False, stack: StackOption = "carepay") -> None:
    """Every payment run, oldest first."""
    runs = _client(stack).runs()
    if as_json:
        print(json.dumps(runs, indent=1))
        return
    table = Table(title="Payment runs")
    for column in ("Run", "Status", "Payment date", "Providers", "Net", "Payment file"):
        table.add_column(column)
    for run in runs:
        table.add_row(
            run["run_id"],
            run["status"],
            run["payment_date"],
            str(len(run["providers"])),
            format_pounds(run["totals"]["net_pence"]),
            format_pounds(run["totals"]["payment_pence"]),
        )
    console.print(table)


@runs_app.command("show")
def show_run(
    run_id: Annotated[str, typer.Argument(help="The run, e.g. R20261118-0600.")],
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """A run's totals per provider."""
    run = _run_step(lambda: _client(stack).run(run_id))
    print_run(run, as_json)


@runs_app.command("approve")
def approve_run(
    run_id: Annotated[str, typer.Argument(help="The draft run to approve.")],
    by: Annotated[
        str, typer.Option("--by", help="Who approves (kept on the run).", envvar="USER")
    ] = "finance",
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Approve a draft: its lines become paid, remittances and finance files are written."""
    run = _run_step(lambda: _client(stack).approve(run_id, by, at=_parse_at(at)))
    print_run(run, as_json)


@runs_app.command("recalculate")
def recalculate_run(
    run_id: Annotated[str, typer.Argument(help="The draft run to calculate again.")],
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Calculate a draft again from today's data (unchanged data gives identical files)."""
    run = _run_step(lambda: _client(stack).recalculate(run_id))
    print_run(run, as_json)


@app.command()
def remittance(
    provider: Annotated[str, typer.Option("--provider", help="The provider reference.")],
    run: Annotated[str, typer.Option("--run", help="The approved run.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to save into.")] = Path("."),
    stack: StackOption = "carepay",
) -> None:
    """Save a provider's remittance advice (xlsx and CSV) for an approved run."""
    found = _client(stack).remittance(provider, run)
    if found is None:
        console.print(
            f"[red]No remittance for {provider} in run {run}: remittances are written when a "
            "run is approved, for providers with lines or a balance in it.[/red]"
        )
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    out.mkdir(parents=True, exist_ok=True)
    for content, suffix in zip(found, ("xlsx", "csv"), strict=True):
        target = out / f"remittance-{provider}-{run}.{suffix}"
        target.write_bytes(content)
        console.print(f"{target} written.")


@app.command()
def finance(
    run: Annotated[str, typer.Option("--run", help="The run.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to save into.")] = Path("."),
    stack: StackOption = "carepay",
) -> None:
    """Save a run's finance files: ledger, summary, payment file, charging extracts."""
    files = _client(stack).finance_files(run)
    if not files:
        console.print(
            f"[red]No finance files for run {run} (carepay runs list shows the runs).[/red]"
        )
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    target = out / run
    target.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(files.items()):
        (target / name).write_bytes(content)
        console.print(f"{target / name} written.")


@app.command()
def preview(
    provider: Annotated[str, typer.Option("--provider", help="The provider reference.")],
    week: Annotated[
        str | None, typer.Option("--week", help="The week's Monday (default: last week).")
    ] = None,
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """What the provider will be paid for a week if they confirm it now (or --at)."""
    from carepay.services.claim_workbooks import week_just_ended

    moment = _parse_at(at)
    monday = _monday(week) if week else week_just_ended(moment or datetime.now(LONDON))
    result = _waited(lambda: _client(stack).preview(provider, monday, moment))
    if as_json:
        print(json.dumps(result, indent=1))
        return
    table = Table(
        title=f"{provider} · the week commencing {monday:%d/%m/%Y}, as its run would pay it"
    )
    for column in ("Line", "SS Ref", "Payable", "Amount", "Note"):
        table.add_column(column)
    for line in result["lines"]:
        table.add_row(
            line["line_ref"],
            line["ss_ref"],
            line["payable_quantity"],
            format_pounds(line["amount_pence"]),
            line["note"],
        )
    console.print(table)
    console.print(
        f"  Total: [bold]{format_pounds(result['total_pence'])}[/bold]. {result['message']}"
    )


@sheets_app.command("link")
def link_sheet(
    provider: Annotated[str, typer.Option("--provider", help="The provider reference.")],
    sheet: Annotated[
        str, typer.Option("--sheet", help="The Google spreadsheet's id (from its URL).")
    ],
    stack: StackOption = "carepay",
) -> None:
    """Record the provider's Google Sheet (shared with carepay's service account as an editor)."""
    outcome = _waited(lambda: _client(stack).link_sheet(provider, sheet))
    _print_sheet_outcome(outcome)


@sheets_app.command("prepare")
def prepare_sheet(
    provider: Annotated[str, typer.Option("--provider", help="The provider reference.")],
    week: Annotated[str, typer.Option("--week", help="The week's Monday, YYYY-MM-DD.")],
    stack: StackOption = "carepay",
) -> None:
    """Write the week's claim tab (and the Instructions tab) into the provider's sheet."""
    monday = _monday(week)
    outcome = _waited(lambda: _client(stack).prepare_sheet(provider, monday))
    _print_sheet_outcome(outcome)


def _print_sheet_outcome(outcome: dict[str, Any]) -> None:
    if outcome["outcome"] == "refused":
        console.print(f"[red]{outcome['message']}[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    details = ", ".join(
        f"{k} {v}"
        for k, v in outcome.items()
        if k in ("provider_ref", "tab", "lines", "spreadsheet_id")
    )
    console.print(f"{outcome['outcome']}: {details}. {outcome.get('message', '')}".strip())


def _run_step(action: Any) -> Any:
    from carepay.local.client import RunRequestRefused

    try:
        return _waited(action)
    except RunRequestRefused as refused:
        console.print(f"[red]{refused}[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None


def print_run(run: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(run, indent=1))
        return
    table = Table(
        title=f"Run {run['run_id']} · {run['status']} · payment date {run['payment_date']}"
    )
    for column in (
        "Provider",
        "Lines",
        "Held",
        "Net",
        "Carried in",
        "Payment",
        "Carried out",
        "Note",
    ):
        table.add_column(column)
    for p in run["providers"]:
        table.add_row(
            f"{p['provider_ref']} {p['provider_name']}",
            str(p["lines"]),
            str(p["held"]),
            format_pounds(p["net_pence"]),
            format_pounds(p["carried_in_pence"]),
            format_pounds(p["payment_pence"]),
            format_pounds(p["carried_out_pence"]),
            p["note"],
        )
    console.print(table)
    totals = run["totals"]
    console.print(
        f"  Net {format_pounds(totals['net_pence'])}; payment file "
        f"{format_pounds(totals['payment_pence'])}; carried forward "
        f"{format_pounds(totals['carried_out_pence'])}."
    )
    if run["status"] == "draft":
        console.print(f"  A draft: approve it with `carepay runs approve {run['run_id']}`.")
    for key in run["files"]:
        console.print(f"  {key}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Where the workbooks are written.")] = Path(
        "out"
    ),
) -> None:
    """The whole flow on an embedded local stack, leaving feedback workbooks in OUT."""
    from carepay.local.demo import run_demo

    run_demo(out, console)


def _finish_submission(feedback: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(_public(feedback), indent=1, default=str))
    else:
        print_submission(console, feedback)
    if feedback.get("file_rejected"):
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    raise typer.Exit(EXIT_SOME_REJECTED if feedback.get("rejected") else EXIT_ALL_ACCEPTED)


def _public(feedback: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in feedback.items() if not key.startswith("_")}


def print_submission(out: Console, feedback: dict[str, Any]) -> None:
    """A provider's feedback as a table, with the next step underneath."""
    title = f"{feedback['provider_ref']} · {feedback['file']}"
    if feedback["rows"]:
        table = Table(title=title, show_lines=False, expand=False)
        for column in ("Row", "Status", "Line", "Week", "Findings"):
            table.add_column(column, overflow="fold")
        for row in feedback["rows"]:
            findings = [
                f"[{colour}]{f['code']}[/{colour}] {f['message']}"
                for key, colour in (
                    ("errors", "red"),
                    ("exceptions", "yellow"),
                    ("warnings", "cyan"),
                )
                for f in row[key]
            ]
            status = (
                "[green]accepted[/green]" if row["status"] == "accepted" else "[red]rejected[/red]"
            )
            table.add_row(
                str(row["row"]),
                status,
                row.get("line_ref") or "",
                str(row.get("week_commencing") or ""),
                "\n".join(findings),
            )
        out.print(table)
    else:
        out.print(f"[bold]{title}[/bold]")
    for finding in feedback["file_findings"]:
        out.print(f"  [magenta]{finding['code']}[/magenta] {finding['message']}")
    said = {finding["message"] for finding in feedback["file_findings"]}
    for confirmation in feedback["confirmations"]:
        message = "" if confirmation["message"] in said else confirmation["message"]
        out.print(
            f"  Week {confirmation['week_commencing']}: [bold]{confirmation['status']}[/bold]. "
            + message
        )
    if feedback["rows"]:
        out.print(
            f"  {feedback['accepted']} accepted, {feedback['rejected']} rejected. {feedback['next_step']}"
        )


def _print_import(report: dict[str, Any]) -> None:
    if report.get("file_rejected"):
        console.print(f"[red]{report['file']} was not imported: {report['message']}[/red]")
        return
    console.print(
        f"{report['file']}: {report['imported']} service line versions imported for "
        f"{len(report['providers'])} providers, {report['rejected']} rows rejected."
    )
    for rejected in report["rejected_rows"]:
        for found in rejected["errors"]:
            console.print(f"  row {rejected['row']}: [red]{found['message']}[/red]")


EXIT_CAREPAY_FAILED = 3


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # carepay's own fault, never an answer about the file: not 1 or 2
        import traceback

        traceback.print_exc()
        console.print(
            "[red]carepay itself failed (above): this says nothing about your file. Please "
            "report it with the lines above.[/red]"
        )
        sys.exit(EXIT_CAREPAY_FAILED)


if __name__ == "__main__":
    main()
