"""What every command shares: the console, exit codes, options, and finding the stack."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from carepay.domain.weeks import LONDON
from carepay_local.printing import print_import, print_run, print_submission

# Piped output (make demo | tee, CI logs) gets a width that fits the tables, not the default 80.
console = Console(width=None if sys.stdout.isatty() else 150)

EXIT_ALL_ACCEPTED, EXIT_SOME_REJECTED, EXIT_REJECTED_WHOLE = 0, 1, 2
EXIT_CAREPAY_FAILED = 3

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


def parse_at(at: str | None) -> datetime | None:
    if at is None:
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        console.print(f"[red]--at {at!r} is not an ISO date-time such as 2026-11-17T16:55[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def local_credentials() -> None:
    """A moto server accepts any credentials; give boto3 some so it does not look for real ones."""
    if os.environ.get("AWS_ENDPOINT_URL"):
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")


def client(stack: str) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    from carepay_local.client import CarepayClient

    local_credentials()
    try:
        return CarepayClient(stack)
    except (ClientError, BotoCoreError) as exc:
        where = os.environ.get("AWS_ENDPOINT_URL", "your AWS account")
        console.print(
            f"[red]No carepay stack '{stack}' at {where}: start one with `carepay serve` and "
            f"export AWS_ENDPOINT_URL, or deploy with sam deploy.[/red] ({exc})"
        )
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None


def waited(action: Any) -> Any:
    from carepay_local.client import NotProcessed

    try:
        result = action()
    except NotProcessed as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None
    return result


def monday_of(week: str) -> date:
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


def read_file(path: Path) -> bytes:
    if not path.is_file():
        console.print(f"[red]{path} is not a file.[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    return path.read_bytes()


def run_step(action: Any) -> Any:
    from carepay_local.client import RunRequestRefused

    try:
        return waited(action)
    except RunRequestRefused as refused:
        console.print(f"[red]{refused}[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None


def finish_submission(feedback: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(public(feedback), indent=1, default=str))
    else:
        print_submission(console, feedback)
    if feedback.get("file_rejected"):
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    raise typer.Exit(EXIT_SOME_REJECTED if feedback.get("rejected") else EXIT_ALL_ACCEPTED)


def public(feedback: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in feedback.items() if not key.startswith("_")}


def finish_import(report: dict[str, Any], as_json: bool, what: str | None = None) -> None:
    """Print an import's report (or its JSON) and exit with what it came to."""
    if as_json:
        print(json.dumps(report, indent=1))
    else:
        print_import(console, report, what)
    if report.get("file_rejected"):
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    raise typer.Exit(EXIT_SOME_REJECTED if report["rejected"] else EXIT_ALL_ACCEPTED)


def print_run_or_json(run: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(run, indent=1))
    else:
        print_run(console, run)
