"""carepay: the command line for the local stack, trials and replays.

Commands find the stack through its CloudFormation outputs, at AWS_ENDPOINT_URL when set (the
local stack of `carepay serve`), otherwise in the AWS account of the current credentials. Each
group of commands is its own module; this one says which command is which.
"""

from __future__ import annotations

import sys

import typer

from carepay_local.cli import (
    claims,
    flags,
    imports,
    portal,
    progress,
    queries,
    runs,
    sheets,
    stack,
)
from carepay_local.cli.common import EXIT_CAREPAY_FAILED, console

app = typer.Typer(
    help="carepay: pay care providers from the weekly actuals they report in spreadsheets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for command in (
    stack.serve,
    claims.upload,
    claims.confirm,
    claims.workbook,
    claims.register,
    runs.pay,
    runs.remittance,
    runs.finance,
    claims.preview,
    progress.progress,
    flags.flags,
    stack.demo,
):
    app.command()(command)

packages_app = typer.Typer(help="The council's care-package export.", no_args_is_help=True)
packages_app.command("import")(imports.import_packages)
app.add_typer(packages_app, name="packages")
approvals_app = typer.Typer(
    help="Operational teams' approvals (extras, long hospital stays).", no_args_is_help=True
)
approvals_app.command("import")(imports.import_approvals)
app.add_typer(approvals_app, name="approvals")
non_payment_app = typer.Typer(
    help="Day-care providers' non-payment weeks (two a financial year).", no_args_is_help=True
)
non_payment_app.command("import")(imports.import_non_payment_weeks)
app.add_typer(non_payment_app, name="non-payment-weeks")
runs_app = typer.Typer(help="Payment runs: list, show, approve, recalculate.", no_args_is_help=True)
runs_app.command("list")(runs.list_runs)
runs_app.command("show")(runs.show_run)
runs_app.command("approve")(runs.approve_run)
runs_app.command("recalculate")(runs.recalculate_run)
runs_app.command("paid")(runs.paid_run)
app.add_typer(runs_app, name="runs")
sheets_app = typer.Typer(help="Providers who claim in a Google Sheet.", no_args_is_help=True)
sheets_app.command("link")(sheets.link_sheet)
sheets_app.command("prepare")(sheets.prepare_sheet)
app.add_typer(sheets_app, name="sheets")
portal_app = typer.Typer(help="The provider portal's people.", no_args_is_help=True)
portal_app.command("import")(portal.import_portal_users)
portal_app.command("unlock")(portal.unlock)
app.add_typer(portal_app, name="portal")
queries_app = typer.Typer(
    help="Providers' queries (Report an error, Payment query).", no_args_is_help=True
)
queries_app.command("list")(queries.list_queries)
queries_app.command("show")(queries.show)
queries_app.command("answer")(queries.answer)
queries_app.command("resolve")(queries.resolve)
app.add_typer(queries_app, name="queries")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # carepay's own fault, never an answer about the file: not 1 or 2
        import traceback

        traceback.print_exc()
        console.print(
            "[red]carepay itself failed (above): this says nothing about your file. Please "
            "report it with the lines above.[/red]"
        )
        sys.exit(EXIT_CAREPAY_FAILED)


if __name__ == "__main__":
    main()
