"""A provider's week: upload a claim, confirm the week, get its workbook, preview its payment."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from carepay.domain.money import format_pounds
from carepay.domain.weeks import LONDON, financial_year_label, financial_year_start
from carepay_local.cli.common import (
    EXIT_REJECTED_WHOLE,
    AtOption,
    JsonOption,
    StackOption,
    client,
    console,
    finish_submission,
    monday_of,
    parse_at,
    read_file,
    waited,
)
from carepay_local.client import RegisterRefused


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
    content = read_file(file)
    carepay = client(stack)
    feedback = waited(lambda: carepay.upload(provider, file.name, content, at=parse_at(at)))
    if not feedback.get("file_rejected") and not as_json:
        _say_where_the_workbook_is(carepay, feedback, out)
    finish_submission(feedback, as_json)


def _say_where_the_workbook_is(carepay: Any, feedback: dict[str, Any], out: Path | None) -> None:
    from carepay.services.submissions import feedback_keys_for

    key = feedback_keys_for(str(feedback["source_key"]))[1]
    if out is None:
        console.print(f"Feedback workbook: s3://{carepay.outbound}/{key} (save it with --out).")
        return
    target = out / Path(key).name if out.is_dir() else out
    target.write_bytes(carepay.feedback_workbook(feedback))
    console.print(f"Feedback workbook saved to {target}.")


def confirm(
    provider: Annotated[str, typer.Option("--provider", help="Your provider reference.")],
    week: Annotated[str, typer.Option("--week", help="The week's Monday, YYYY-MM-DD.")],
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """Confirm a week: lines with no actuals submitted are confirmed as planned."""
    monday = monday_of(week)
    feedback = waited(lambda: client(stack).confirm(provider, monday, at=parse_at(at)))
    finish_submission(feedback, as_json)


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
    monday = monday_of(week)
    moment = parse_at(at)
    xlsx, claim_csv = waited(lambda: client(stack).claim_workbook(provider, monday, moment))
    target = out or Path(f"claim-{provider}-w-c-{monday}.xlsx")
    target.write_bytes(xlsx)
    target.with_suffix(".csv").write_bytes(claim_csv)
    console.print(f"{target} and {target.with_suffix('.csv')} written.")


def register(
    provider: Annotated[str, typer.Option("--provider", help="The day centre's reference.")],
    week: Annotated[str, typer.Option("--week", help="The week's Monday, YYYY-MM-DD.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to save it (default: register-REF-w-c-W).")
    ] = None,
    at: AtOption = None,
    stack: StackOption = "carepay",
) -> None:
    """Save a day centre's register of the current or previous financial year, as submitted,
    as xlsx and CSV."""
    monday = monday_of(week)
    moment = parse_at(at)
    this_year = financial_year_start((moment or datetime.now(LONDON)).astimezone(LONDON).date())
    if financial_year_start(monday) < this_year - 1:
        console.print(
            f"[red]Registers of the current and previous financial year can be saved again; "
            f"{monday:%d/%m/%Y} is in {financial_year_label(financial_year_start(monday))}.[/red]"
        )
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    try:
        xlsx, register_csv = waited(lambda: client(stack).register(provider, monday, moment))
    except RegisterRefused as refused:
        console.print(f"[red]{refused}[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from refused
    target = out or Path(f"register-{provider}-w-c-{monday}.xlsx")
    target.write_bytes(xlsx)
    target.with_suffix(".csv").write_bytes(register_csv)
    console.print(f"{target} and {target.with_suffix('.csv')} written.")


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

    moment = parse_at(at)
    monday = monday_of(week) if week else week_just_ended(moment or datetime.now(LONDON))
    result = waited(lambda: client(stack).preview(provider, monday, moment))
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
