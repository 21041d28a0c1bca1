"""The operational teams' approvals file: extras for a line-week, retainers beyond 6 weeks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import InvalidOperation

from carepay.domain.actuals import parse_week_date
from carepay.domain.approvals import ExtraApproval, FrustratedApproval
from carepay.domain.findings import Finding, error
from carepay.domain.money import parse_decimal, to_quarters
from carepay.domain.rows import SheetRow


@dataclass(slots=True)
class ApprovalImport:
    approvals: list[tuple[str, ExtraApproval | FrustratedApproval]] = field(default_factory=list)
    rejected: list[tuple[int, list[Finding]]] = field(default_factory=list)


def read_approvals(rows: Iterable[SheetRow]) -> ApprovalImport:
    """An operational team's approvals file (README, 'Approvals file'): one approval a row."""
    result = ApprovalImport()
    for row in rows:
        problems: list[str] = []
        provider_ref, line_ref = row.text("provider_ref"), row.text("line_ref")
        if not provider_ref:
            problems.append("Provider Ref is empty")
        if not line_ref:
            problems.append("Line Ref is empty")
        kind = row.text("approval").lower()
        approval: ExtraApproval | FrustratedApproval | None = None
        if kind in ("extra", "extras"):
            monday = _date(row, "week_commencing", "Week Commencing", problems)
            if monday is not None and monday.weekday() != 0:
                problems.append(f"Week Commencing {monday:%d/%m/%Y} is not a Monday")
            quarters = _quarters(row, problems)
            if monday is not None and quarters is not None and not problems:
                approval = ExtraApproval(line_ref, monday, quarters)
        elif kind in ("frustrated", "hospital", "frustrated beyond 6 weeks"):
            up_to = _date(row, "up_to", "Up To", problems)
            if up_to is not None and not problems:
                approval = FrustratedApproval(line_ref, up_to)
        else:
            problems.append(
                f"Approval '{row.text('approval')}' is not 'Extra' (extra hours for one week) "
                "or 'Frustrated' (frustrated hours beyond 6 weeks, up to a date)"
            )
        if approval is not None:
            result.approvals.append((provider_ref, approval))
        else:
            result.rejected.append(
                (row.row_number, [error("APPROVAL", problem + ".") for problem in problems])
            )
    return result


def _date(row: SheetRow, key: str, label: str, problems: list[str]) -> date | None:
    if not row.text(key):
        problems.append(f"{label} is empty")
        return None
    try:
        return parse_week_date(row.cells.get(key))
    except ValueError:
        problems.append(f"{label} '{row.text(key)}' is not a date (use DD/MM/YYYY or YYYY-MM-DD)")
        return None


def _quarters(row: SheetRow, problems: list[str]) -> int | None:
    try:
        quantity = parse_decimal(row.cells.get("extra_quantity"))
        if quantity is None or quantity <= 0:
            problems.append("Extra Quantity must be a number above 0")
            return None
        return to_quarters(quantity)
    except (InvalidOperation, ValueError):
        problems.append(
            f"Extra Quantity '{row.text('extra_quantity')}' is not a multiple of 0.25 up to 168"
        )
        return None
