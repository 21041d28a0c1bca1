"""The council's files: care packages and approvals, each imported with a report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from carepay_local.cli.common import (
    EXIT_ALL_ACCEPTED,
    EXIT_REJECTED_WHOLE,
    EXIT_SOME_REJECTED,
    AtOption,
    JsonOption,
    StackOption,
    client,
    console,
    parse_at,
    read_file,
    waited,
)
from carepay_local.printing import print_import


def import_packages(
    file: Annotated[Path, typer.Argument(help="The care-package export (CSV or xlsx).")],
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Import care packages (service line versions) and wait for the report."""
    report = waited(lambda: client(stack).import_care_packages(file, at=parse_at(at)))
    if as_json:
        print(json.dumps(report, indent=1))
    else:
        print_import(console, report)
    if report.get("file_rejected"):
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    raise typer.Exit(EXIT_SOME_REJECTED if report["rejected"] else EXIT_ALL_ACCEPTED)


def import_approvals(
    file: Annotated[Path, typer.Argument(help="The approvals file (CSV or xlsx).")],
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Import approvals; they release held lines in the next payment run."""
    read_file(file)
    report = waited(lambda: client(stack).import_approvals(file))
    if as_json:
        print(json.dumps(report, indent=1))
    else:
        print_import(console, report, "approvals")
    if report.get("file_rejected"):
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    raise typer.Exit(EXIT_SOME_REJECTED if report["rejected"] else EXIT_ALL_ACCEPTED)
