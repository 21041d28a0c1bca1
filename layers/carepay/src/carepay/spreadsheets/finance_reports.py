"""What finance gets from each run as files for its systems: the ledger and the charging extract
(the workbooks it reads are carepay.spreadsheets.finance_xlsx).

The ledger is the run's lines, one row per provider, line and week, with the columns of the
contract first (README, 'Files finance gets'); its total equals the remittances' and, after
balances carried between runs, the payment file's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from carepay.domain.finance import FinanceCoding
from carepay.domain.money import quarters_to_decimal
from carepay.domain.runs import ProviderResult
from carepay.spreadsheets.layout import csv_text
from carepay.spreadsheets.remittance import RemittanceHeader, in_pounds, reason_of, unit_rate_pounds

LEDGER_COLUMNS = (
    "provider_ref",
    "line_ref",
    "ss_ref",
    "week_commencing",
    "payable_quantity",
    "unit_rate",
    "amount_due",
    "previously_paid",
    "net_amount",
    "status",
    "reason",
    "run_id",
    "remittance_number",
    "cost_centre",
    "expense_code",
)
CHARGING_COLUMNS = (
    "period",
    "ss_ref",
    "provider_ref",
    "line_ref",
    "service_type",
    "unit",
    "chargeable_quantity",
    "cost",
)


def write_ledger_csv(
    header: RemittanceHeader, results: Sequence[ProviderResult], coding: FinanceCoding
) -> bytes:
    """Every line the run pays, adjusts, holds or withholds, with its remittance number and
    finance's coding (blank where the coding does not cover the service: see the summary)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LEDGER_COLUMNS)
    run_id = header.run_id
    for result in results:
        number = header.remittance_number(result.provider_ref)
        for line in result.lines:
            code = coding.code_of(*result.services.get(line.line_ref, ("", ""))) or ("", "")
            writer.writerow(
                [
                    csv_text(line.provider_ref),
                    csv_text(line.line_ref),
                    csv_text(line.ss_ref),
                    line.week_commencing.isoformat(),
                    f"{quarters_to_decimal(line.payable_quarters)}",
                    f"{unit_rate_pounds(line)}",
                    f"{in_pounds(line.amount_due_pence):.2f}",
                    f"{in_pounds(line.previously_paid_pence):.2f}",
                    f"{in_pounds(line.net_pence):.2f}",
                    line.status.value,
                    reason_of(line),
                    run_id,
                    number,
                    *code,
                ]
            )
    return buffer.getvalue().encode("utf-8")


def write_charging_csv(period: str, results: Sequence[ProviderResult]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CHARGING_COLUMNS)
    rows = sorted(
        (line for result in results for line in result.charging if line.period == period),
        key=lambda line: (line.ss_ref, line.provider_ref, line.line_ref),
    )
    for line in rows:
        writer.writerow(
            [
                line.period,
                csv_text(line.ss_ref),
                csv_text(line.provider_ref),
                csv_text(line.line_ref),
                line.service_type,
                line.unit,
                f"{quarters_to_decimal(line.chargeable_quarters)}",
                f"{in_pounds(line.cost_pence):.2f}",
            ]
        )
    return buffer.getvalue().encode("utf-8")
