"""The council's files: care packages, approvals and non-payment weeks, each imported with a
report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carepay_local.cli.common import (
    AtOption,
    JsonOption,
    StackOption,
    client,
    finish_import,
    parse_at,
    read_file,
    waited,
)


def import_packages(
    file: Annotated[Path, typer.Argument(help="The care-package export (CSV or xlsx).")],
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Import care packages (service line versions) and wait for the report."""
    report = waited(lambda: client(stack).import_care_packages(file, at=parse_at(at)))
    finish_import(report, as_json)


def import_approvals(
    file: Annotated[Path, typer.Argument(help="The approvals file (CSV or xlsx).")],
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Import approvals; they release held lines in the next payment run."""
    read_file(file)
    report = waited(lambda: client(stack).import_approvals(file))
    finish_import(report, as_json, "approvals")


def import_non_payment_weeks(
    file: Annotated[
        Path,
        typer.Argument(help="The nominations (Provider Ref, Financial Year, Week Commencing)."),
    ],
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Import day-care providers' non-payment weeks: two weeks of a financial year per provider,
    replacing an earlier nomination unless a week it changes is already submitted or paid."""
    read_file(file)
    report = waited(lambda: client(stack).import_non_payment_weeks(file, at=parse_at(at)))
    finish_import(report, as_json, "nominations")
