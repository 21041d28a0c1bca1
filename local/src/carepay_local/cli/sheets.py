"""Providers who claim in a Google Sheet: link the sheet, prepare a week's tab."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from carepay_local.cli.common import (
    EXIT_REJECTED_WHOLE,
    StackOption,
    client,
    console,
    monday_of,
    waited,
)


def link_sheet(
    provider: Annotated[str, typer.Option("--provider", help="The provider reference.")],
    sheet: Annotated[
        str, typer.Option("--sheet", help="The Google spreadsheet's id (from its URL).")
    ],
    stack: StackOption = "carepay",
) -> None:
    """Record the provider's Google Sheet (shared with carepay's service account as an editor)."""
    outcome = waited(lambda: client(stack).link_sheet(provider, sheet))
    _print_sheet_outcome(outcome)


def prepare_sheet(
    provider: Annotated[str, typer.Option("--provider", help="The provider reference.")],
    week: Annotated[str, typer.Option("--week", help="The week's Monday, YYYY-MM-DD.")],
    stack: StackOption = "carepay",
) -> None:
    """Write the week's claim tab (and the Instructions tab) into the provider's sheet."""
    monday = monday_of(week)
    outcome = waited(lambda: client(stack).prepare_sheet(provider, monday))
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
