"""Care-monitoring flags (F1–F4) for operational teams: what was seen on which line, and what to
do. They never change a payment."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from carepay_local.cli.common import EXIT_REJECTED_WHOLE, JsonOption, StackOption, client, console


def flags(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only flags raised for weeks from this date, YYYY-MM-DD."),
    ] = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """The care-monitoring flags raised, oldest week first."""
    try:
        first = date.fromisoformat(since) if since else date.min
    except ValueError:
        console.print(f"[red]--since {since!r} is not a date: write it as YYYY-MM-DD.[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None
    raised = client(stack).flags(first)
    if as_json:
        print(json.dumps([r.as_dict() for r in raised], indent=1))
        return
    table = Table(
        title="Care-monitoring flags" + (f" raised since {first:%d/%m/%Y}" if since else "")
    )
    for column in ("Week", "Provider", "Line", "SS Ref", "Flag", "What was seen", "What to do"):
        table.add_column(column)
    for r in raised:
        flag = r.flag
        table.add_row(
            f"{flag.raised_for:%d/%m/%Y}", r.provider_ref, flag.line_ref, flag.ss_ref, flag.code,
            flag.seen, flag.action,
        )  # fmt: skip
    console.print(table if raised else "No flags raised.")
