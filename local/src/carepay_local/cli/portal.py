"""The provider portal's people: the council adds, removes and unlocks them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carepay_local.cli.common import (
    EXIT_REJECTED_WHOLE,
    AtOption,
    JsonOption,
    StackOption,
    client,
    console,
    finish_import,
    parse_at,
    read_file,
    waited,
)


def import_portal_users(
    file: Annotated[Path, typer.Argument(help="The portal-users file (CSV or xlsx).")],
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Give people access to providers in the portal (new people are invited), or take it away."""
    read_file(file)
    report = waited(lambda: client(stack).import_portal_users(file, at=parse_at(at)))
    finish_import(report, as_json, "access changes")


def unlock(
    email: Annotated[str, typer.Argument(help="The person's email address (their sign-in).")],
    stack: StackOption = "carepay",
) -> None:
    """Let a person sign in again after their account was locked (unused for 90 days)."""
    from carepay_local.client import PortalRequestRefused

    try:
        client(stack).unlock_portal_user(email)
    except PortalRequestRefused as refused:
        console.print(f"[red]{refused}[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None
    console.print(f"{email.strip().lower()} can sign in again.")
