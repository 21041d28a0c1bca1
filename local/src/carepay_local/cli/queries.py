"""Providers' queries (Report an error, Payment query), as the council works through them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer

from carepay.domain.queries import Query, QueryRefused, QueryStatus
from carepay_local.cli.common import EXIT_REJECTED_WHOLE, StackOption, client, console

QueryIdArgument = Annotated[str, typer.Argument(help="The query's id, e.g. Q20261116-3FA2C1.")]
ByOption = Annotated[
    str, typer.Option("--by", help="Who at the council (kept with the query, not shown to them).")
]


def list_queries(
    status: Annotated[
        QueryStatus | None, typer.Option(help="Only queries with this status.")
    ] = None,
    stack: StackOption = "carepay",
) -> None:
    """Every provider's queries, oldest first: what is waiting for the council."""
    from rich.table import Table

    found = client(stack).queries().every(status)
    table = Table("Query", "Provider", "Kind", "About", "Status", "Raised", "Last message")
    for query in found:
        table.add_row(
            query.query_id,
            query.provider_ref,
            query.kind.value,
            query.about,
            query.status.value,
            f"{query.opened_at:%d/%m/%Y %H:%M}",
            query.messages[-1].text[:60],
        )
    console.print(table if found else "No queries.")


def show(query_id: QueryIdArgument, stack: StackOption = "carepay") -> None:
    """A query with every message, in order."""
    _print(_or_exit(lambda: client(stack).queries().show(query_id)))


def answer(
    query_id: QueryIdArgument,
    text: Annotated[str, typer.Argument(help="The answer, as the provider will read it.")],
    by: ByOption = "council",
    stack: StackOption = "carepay",
) -> None:
    """Answer a query: the provider sees it in the portal."""
    now = datetime.now(UTC)
    _print(_or_exit(lambda: client(stack).answer_query(query_id, by, text, now)))


def resolve(
    query_id: QueryIdArgument,
    note: Annotated[str, typer.Option(help="What was done (the provider sees it).")] = "",
    by: ByOption = "council",
    stack: StackOption = "carepay",
) -> None:
    """Close a query; it is kept, and cannot be resolved again."""
    now = datetime.now(UTC)
    _print(_or_exit(lambda: client(stack).queries().resolve(query_id, by, note, now)))


def _or_exit(action: Callable[[], Query]) -> Query:
    from carepay.services.queries import UnknownQuery

    try:
        return action()
    except UnknownQuery as unknown:
        console.print(f"[red]No query {unknown}: `carepay queries list` shows them.[/red]")
    except QueryRefused as refused:
        console.print(f"[red]{refused}[/red]")
    raise typer.Exit(EXIT_REJECTED_WHOLE)


def _print(query: Query) -> None:
    console.print(
        f"[bold]{query.query_id}[/bold] {query.provider_ref} · {query.kind.value} · "
        f"{query.about} · {query.status.value}"
    )
    for message in query.messages:
        console.print(
            f"  {message.at:%d/%m/%Y %H:%M} {message.author} ({message.by}): {message.text}"
        )
