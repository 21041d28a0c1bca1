"""What the CLI and the demo print: a provider's feedback, a run, an import report."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from carepay.domain.money import format_pounds


def print_run(console: Console, run: dict[str, Any]) -> None:
    table = Table(
        title=f"Run {run['run_id']} · {run['status']} · payment date {run['payment_date']}"
    )
    for column in (
        "Provider",
        "Lines",
        "Held",
        "Net",
        "Carried in",
        "Payment",
        "Carried out",
        "Note",
    ):
        table.add_column(column)
    for p in run["providers"]:
        table.add_row(
            f"{p['provider_ref']} {p['provider_name']}",
            str(p["lines"]),
            str(p["held"]),
            format_pounds(p["net_pence"]),
            format_pounds(p["carried_in_pence"]),
            format_pounds(p["payment_pence"]),
            format_pounds(p["carried_out_pence"]),
            p["note"],
        )
    console.print(table)
    totals = run["totals"]
    console.print(
        f"  Net {format_pounds(totals['net_pence'])}; payment file "
        f"{format_pounds(totals['payment_pence'])}; carried forward "
        f"{format_pounds(totals['carried_out_pence'])}."
    )
    if run["status"] == "draft":
        console.print(f"  A draft: approve it with `carepay runs approve {run['run_id']}`.")
    for key in run["files"]:
        console.print(f"  {key}")


def print_submission(out: Console, feedback: dict[str, Any]) -> None:
    """A provider's feedback as a table, with the next step underneath."""
    title = f"{feedback['provider_ref']} · {feedback['file']}"
    if feedback["rows"]:
        table = Table(title=title, show_lines=False, expand=False)
        for column in ("Row", "Status", "Line", "Week", "Findings"):
            table.add_column(column, overflow="fold")
        for row in feedback["rows"]:
            findings = [
                f"[{colour}]{f['code']}[/{colour}] {f['message']}"
                for key, colour in (
                    ("errors", "red"),
                    ("exceptions", "yellow"),
                    ("warnings", "cyan"),
                )
                for f in row[key]
            ]
            status = (
                "[green]accepted[/green]" if row["status"] == "accepted" else "[red]rejected[/red]"
            )
            table.add_row(
                str(row["row"]),
                status,
                row.get("line_ref") or "",
                str(row.get("week_commencing") or ""),
                "\n".join(findings),
            )
        out.print(table)
    else:
        out.print(f"[bold]{title}[/bold]")
    for finding in feedback["file_findings"]:
        out.print(f"  [magenta]{finding['code']}[/magenta] {finding['message']}")
    said = {finding["message"] for finding in feedback["file_findings"]}
    for confirmation in feedback["confirmations"]:
        message = "" if confirmation["message"] in said else confirmation["message"]
        out.print(
            f"  Week {confirmation['week_commencing']}: [bold]{confirmation['status']}[/bold]. "
            + message
        )
    if feedback["rows"]:
        out.print(
            f"  {feedback['accepted']} accepted, {feedback['rejected']} rejected. {feedback['next_step']}"
        )


def print_import(console: Console, report: dict[str, Any], what: str | None = None) -> None:
    """An import's report: what was imported (`what`; service line versions by default), and
    each rejected row with why."""
    if report.get("file_rejected"):
        console.print(f"[red]{report['file']} was not imported: {report['message']}[/red]")
        return
    imported = (
        f"{report['imported']} {what} imported"
        if what
        else f"{report['imported']} service line versions imported for "
        f"{len(report['providers'])} providers"
    )
    console.print(f"{report['file']}: {imported}, {report['rejected']} rows rejected.")
    for rejected in report["rejected_rows"]:
        for found in rejected["errors"]:
            console.print(f"  row {rejected['row']}: [red]{found['message']}[/red]")
    for provider_year, weeks in report.get("nominations", {}).items():  # non-payment weeks
        shown = " and ".join(f"{date.fromisoformat(week):%d/%m/%Y}" for week in weeks)
        console.print(f"  {provider_year}: non-payment weeks w/c {shown}")
    for refusal in report.get("refused", []):
        console.print(f"  [red]{refusal}[/red]")
    for email in report.get("invited", []):  # a portal-users import
        console.print(f"  invited {email}")
    for email in report.get("disabled", []):
        console.print(f"  {email} can no longer sign in: no provider is left to them")
