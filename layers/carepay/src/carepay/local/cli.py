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
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from carepay.domain.weeks import LONDON

app = typer.Typer(
    help="carepay: pay care providers from the weekly actuals they report in spreadsheets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
packages_app = typer.Typer(help="The council's care-package export.", no_args_is_help=True)
app.add_typer(packages_app, name="packages")
# Piped output (make demo | tee, CI logs) gets a width that fits the tables, not the default 80.
console = Console(width=None if sys.stdout.isatty() else 150)

EXIT_ALL_ACCEPTED, EXIT_SOME_REJECTED, EXIT_REJECTED_WHOLE = 0, 1, 2

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
) -> None:
    """Run the local stack: template.yaml in a moto server, events routed to the handlers."""
    from moto.server import ThreadedMotoServer

    from carepay.local.cloud import LocalCloud, quiet_local_cloud

    endpoint = f"http://127.0.0.1:{port}"
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
    print(f"carepay local stack ready: export AWS_ENDPOINT_URL={endpoint}", flush=True)
    last_minute = None
    try:
        while not stopping:
            minute = datetime.now().astimezone().replace(second=0, microsecond=0)
            if minute != last_minute:  # schedules fire by the clock, once in their minute
                last_minute = minute
                cloud.fire_due_schedules(minute)
            if not cloud.pump():
                time.sleep(0.2)
    finally:
        server.stop()


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
) -> None:
    """Upload a provider's weekly actuals and wait for the feedback."""
    content = _read_file(file)
    feedback = _waited(
        lambda: _client(stack).upload(provider, file.name, content, at=_parse_at(at))
    )
    _finish_submission(feedback, as_json)


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
    stack: StackOption = "carepay",
) -> None:
    """Write a provider's weekly claim workbook (and its CSV) and save it here."""
    monday = _monday(week)
    xlsx, claim_csv = _waited(lambda: _client(stack).claim_workbook(provider, monday))
    target = out or Path(f"claim-{provider}-w-c-{monday}.xlsx")
    target.write_bytes(xlsx)
    target.with_suffix(".csv").write_bytes(claim_csv)
    console.print(f"{target} and {target.with_suffix('.csv')} written.")


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
    for confirmation in feedback["confirmations"]:
        out.print(
            f"  Week {confirmation['week_commencing']}: [bold]{confirmation['status']}[/bold]. "
            + confirmation["message"]
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


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
