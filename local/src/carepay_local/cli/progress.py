"""A provider's financial year at a glance: weeks confirmed, in progress, late and to come."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from carepay.domain.portal_weeks import WeekStatus
from carepay.domain.weeks import (
    financial_year_label,
    financial_year_start,
    london_date,
    parse_financial_year,
)
from carepay_local.cli.common import (
    EXIT_REJECTED_WHOLE,
    AtOption,
    JsonOption,
    StackOption,
    client,
    console,
    parse_at,
)

COUNTED = (
    WeekStatus.CONFIRMED,
    WeekStatus.IN_PROGRESS,
    WeekStatus.LATE,
    WeekStatus.NOT_YET_DUE,
)


def progress(
    provider: Annotated[str, typer.Option("--provider", help="The provider reference.")],
    year: Annotated[
        str | None,
        typer.Option("--year", help="The financial year, e.g. 2026-27 (default: this one)."),
    ] = None,
    at: AtOption = None,
    as_json: JsonOption = False,
    stack: StackOption = "carepay",
) -> None:
    """The provider's weeks of a financial year: confirmed, in progress, late, still to come."""
    moment = parse_at(at) or datetime.now(UTC)
    try:
        first_year = (
            parse_financial_year(year) if year else financial_year_start(london_date(moment))
        )
    except ValueError as refused:
        console.print(f"[red]--year: {refused}[/red]")
        raise typer.Exit(EXIT_REJECTED_WHOLE) from None
    found = client(stack).progress(provider, first_year, moment)
    if not found.weeks:
        console.print(
            f"[red]{provider} has nothing planned in {financial_year_label(first_year)}: "
            "check the provider reference (carepay packages import gives its lines).[/red]"
        )
        raise typer.Exit(EXIT_REJECTED_WHOLE)
    counts = {status.value: found.count(status) for status in COUNTED}
    if as_json:
        weeks = [
            {"week_commencing": str(w.week_commencing), "status": w.status.value}
            for w in found.weeks
        ]
        print(
            json.dumps(
                {
                    "provider_ref": provider,
                    "year": financial_year_label(first_year),
                    "counts": counts,
                    "weeks": weeks,
                },
                indent=1,
            )
        )
        return
    console.print(
        f"{provider}, {financial_year_label(first_year)}: "
        + ", ".join(f"{n} {status.lower()}" for status, n in counts.items())
    )
    for week in found.weeks:
        if week.status != WeekStatus.NOT_YET_DUE:
            console.print(f"  w/c {week.week_commencing:%d/%m/%Y}  {week.status.value}")
