"""Payment runs: start one, list, show, approve, recalculate; remittances and finance files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from carepay.domain.money import format_pounds
from carepay_local.cli.common import (
    EXIT_REJECTED_WHOLE,
    AtOption,
    JsonOption,
    StackOption,
    client,
    console,
    parse_at,
    print_run_or_json,
    run_step,
)


def pay(
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Start a payment run now (or --at on a trial stack) and wait for its draft."""
    run = run_step(lambda: client(stack).pay(at=parse_at(at)))
    print_run_or_json(run, as_json)


def list_runs(as_json: JsonOption = False, stack: StackOption = "carepay") -> None:
    """Every payment run, oldest first."""
    runs = client(stack).runs()
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


def show_run(
    run_id: Annotated[str, typer.Argument(help="The run, e.g. R20261118-0600.")],
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """A run's totals per provider."""
    run = run_step(lambda: client(stack).run(run_id))
    print_run_or_json(run, as_json)


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
    run = run_step(lambda: client(stack).approve(run_id, by, at=parse_at(at)))
    print_run_or_json(run, as_json)


def paid_run(
    run_id: Annotated[str, typer.Argument(help="The approved run the bank has paid.")],
    by: Annotated[
        str, typer.Option("--by", help="Who says so (kept in the log).", envvar="USER")
    ] = "finance",
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Mark an approved run paid once the bank confirms it (each week's run does it by itself
    after the payment date): its summary and remittances then say when it was paid."""
    run = run_step(lambda: client(stack).mark_paid(run_id, by, at=parse_at(at)))
    print_run_or_json(run, as_json)


def recalculate_run(
    run_id: Annotated[str, typer.Argument(help="The draft run to calculate again.")],
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Calculate a draft again from today's data (unchanged data gives identical files)."""
    run = run_step(lambda: client(stack).recalculate(run_id))
    print_run_or_json(run, as_json)


def remittance(
    provider: Annotated[str, typer.Option("--provider", help="The provider reference.")],
    run: Annotated[str, typer.Option("--run", help="The approved run.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to save into.")] = Path("."),
    stack: StackOption = "carepay",
) -> None:
    """Save a provider's remittance advice (xlsx and CSV) for an approved run."""
    found = client(stack).remittance(provider, run)
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


def finance(
    run: Annotated[str, typer.Option("--run", help="The run.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to save into.")] = Path("."),
    stack: StackOption = "carepay",
) -> None:
    """Save a run's finance files: ledger, summary, payment file, charging extracts."""
    files = client(stack).finance_files(run)
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
