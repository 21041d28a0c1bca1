"""Items of the data table and the domain's values they hold, each way.

Money and quantities are kept exactly: quarters and pence as numbers, rates as fractions in text.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from carepay.adapters.dynamodb.keys import (
    RUNS,
    SHEETS,
    actuals_key,
    extra_approval_key,
    frustrated_approval_key,
    line_key,
    paid_key,
    provider_key,
    provider_of,
    run_key,
    sheet_key,
)
from carepay.adapters.dynamodb.table import Item, n, s
from carepay.domain.actuals import LineWeekActuals, RejectedReport
from carepay.domain.approvals import ExtraApproval, FrustratedApproval
from carepay.domain.findings import Finding, Severity

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef
from carepay.domain.payment_run import PaidBefore, RunLine
from carepay.domain.runs import PaymentRun, RunStatus
from carepay.domain.service_lines import ServiceLineVersion, ServiceType, Unit
from carepay.ports.sheets import SheetLink


def rejected_item(provider_ref: str, report: RejectedReport, attempt: str) -> Item:
    return {
        "PK": s(provider_key(provider_ref)),
        "SK": s(actuals_key(report.week_commencing, report.line_ref, report.submitted_at, attempt)),
        "attempt": s(attempt),
        "rejected": {"BOOL": True},
        "upload_id": s(report.upload_id),
        "file": s(report.file),
        "row": n(report.row_number),
        "line_ref": s(report.line_ref),
        "ss_ref": s(report.ss_ref),
        "week": s(report.week_commencing.isoformat()),
        "reasons": s(json.dumps(report.reasons)),
        "submitted_at": s(report.submitted_at.isoformat()),
    }


def rejected_from_item(item: Item) -> RejectedReport:
    return RejectedReport(
        line_ref=item["line_ref"]["S"],
        ss_ref=item["ss_ref"]["S"],
        week_commencing=date.fromisoformat(item["week"]["S"]),
        upload_id=item["upload_id"]["S"],
        file=item["file"]["S"],
        row_number=int(item["row"]["N"]),
        reasons=tuple(json.loads(item["reasons"]["S"])),
        submitted_at=datetime.fromisoformat(item["submitted_at"]["S"]),
    )


def actuals_item(line_week: LineWeekActuals, attempt: str) -> Item:
    item: Item = {
        "PK": s(provider_key(line_week.provider_ref)),
        "SK": s(
            actuals_key(
                line_week.week_commencing, line_week.line_ref, line_week.submitted_at, attempt
            )
        ),
        "attempt": s(attempt),
        "upload_id": s(line_week.upload_id),
        "line_ref": s(line_week.line_ref),
        "ss_ref": s(line_week.ss_ref),
        "week": s(line_week.week_commencing.isoformat()),
        "planned": n(line_week.planned_quarters),
        "actual": n(line_week.actual_quarters),
        "frustrated": n(line_week.frustrated_quarters),
        "missed": n(line_week.missed_quarters),
        "extra": n(line_week.extra_quarters),
        "run": n(line_week.frustrated_week_in_run),
        "source": s(line_week.source),
        "late": {"BOOL": line_week.late_confirmation},
    }
    if line_week.planned_visits is not None:
        item["visits"] = n(line_week.planned_visits)
    if line_week.comments:
        item["comments"] = s(line_week.comments)
    if line_week.missed_reason:
        item["missed_reason"] = s(line_week.missed_reason)
    if line_week.day_codes:
        item["days"] = s(line_week.day_codes)
    if line_week.exceptions:
        item["exceptions"] = s(json.dumps([[f.code, f.message] for f in line_week.exceptions]))
    if line_week.submitted_at:
        item["submitted_at"] = s(line_week.submitted_at.isoformat())
    if line_week.confirmed_at:
        item["confirmed_at"] = s(line_week.confirmed_at.isoformat())
    return item


_NO_TEXT: AttributeValueTypeDef = {"S": ""}  # an attribute a line-week may leave out


def actuals_from_item(item: Item) -> LineWeekActuals:
    """A stored line-week. A payment run reads tens of thousands of these, so attributes are
    read inline and the JSON of exceptions parsed only when there are any."""
    get = item.get
    stored_exceptions = get("exceptions")
    exceptions = (
        tuple(
            Finding(code, message, Severity.EXCEPTION)
            for code, message in json.loads(stored_exceptions["S"])
        )
        if stored_exceptions
        else ()
    )
    visits, submitted_at, confirmed_at = get("visits"), get("submitted_at"), get("confirmed_at")
    return LineWeekActuals(
        provider_ref=provider_of(item["PK"]["S"]),
        line_ref=get("line_ref", _NO_TEXT)["S"],
        ss_ref=get("ss_ref", _NO_TEXT)["S"],
        week_commencing=date.fromisoformat(get("week", _NO_TEXT)["S"]),
        planned_quarters=int(item["planned"]["N"]),
        actual_quarters=int(item["actual"]["N"]),
        frustrated_quarters=int(item["frustrated"]["N"]),
        missed_quarters=int(item["missed"]["N"]),
        extra_quarters=int(item["extra"]["N"]),
        planned_visits=int(visits["N"]) if visits else None,
        comments=get("comments", _NO_TEXT)["S"],
        missed_reason=get("missed_reason", _NO_TEXT)["S"],
        exceptions=exceptions,
        frustrated_week_in_run=int(item["run"]["N"]),
        source=get("source", _NO_TEXT)["S"],
        upload_id=get("upload_id", _NO_TEXT)["S"],
        submitted_at=datetime.fromisoformat(submitted_at["S"]) if submitted_at else None,
        confirmed_at=datetime.fromisoformat(confirmed_at["S"]) if confirmed_at else None,
        late_confirmation=item["late"]["BOOL"],
        day_codes=get("days", _NO_TEXT)["S"],
    )


def version_item(version: ServiceLineVersion, import_id: str) -> Item:
    item: Item = {
        "PK": s(provider_key(version.provider_ref)),
        "SK": s(line_key(version.line_ref, version.start_date)),
        "line_ref": s(version.line_ref),
        "provider_name": s(version.provider_name or version.provider_ref),
        "ss_ref": s(version.ss_ref),
        "service_type": s(version.service_type.value),
        "service_level": s(version.service_level),
        "unit": s(version.unit.value),
        "planned": s(str(version.planned_quantity)),
        "rate": s(str(version.unit_rate)),
        "start": s(version.start_date.isoformat()),
        "cancelled": {"BOOL": version.cancelled},
        "import_id": s(import_id),
    }
    if version.end_date:
        item["end"] = s(version.end_date.isoformat())
    if version.planned_visits is not None:
        item["visits"] = n(version.planned_visits)
    if version.days:
        item["days"] = s("".join(str(day) for day in version.days))  # Mon Wed Fri: "024"
    return item


def version_from_item(provider_ref: str, item: Item) -> ServiceLineVersion:
    return ServiceLineVersion.model_construct(
        provider_ref=provider_ref,
        provider_name=item["provider_name"]["S"],
        line_ref=item["line_ref"]["S"],
        ss_ref=item["ss_ref"]["S"],
        service_type=ServiceType(item["service_type"]["S"]),
        service_level=item["service_level"]["S"],
        unit=Unit(item["unit"]["S"]),
        planned_quantity=Decimal(item["planned"]["S"]),
        planned_visits=int(item["visits"]["N"]) if "visits" in item else None,
        unit_rate=Decimal(item["rate"]["S"]),
        start_date=date.fromisoformat(item["start"]["S"]),
        end_date=date.fromisoformat(item["end"]["S"]) if "end" in item else None,
        cancelled=item["cancelled"]["BOOL"],
        days=tuple(int(day) for day in item["days"]["S"]) if "days" in item else (),
    )


def paid_item(provider_ref: str, run_id: str, line: RunLine) -> Item:
    rate = line.weekly_rate_pence
    return {
        "PK": s(provider_key(provider_ref)),
        "SK": s(paid_key(line.week_commencing, line.line_ref)),
        "line_ref": s(line.line_ref),
        "week": s(line.week_commencing.isoformat()),
        "ss_ref": s(line.ss_ref),
        "amount": n(line.amount_due_pence),
        "rate": s(f"{rate.numerator}/{rate.denominator}"),
        "quarters": n(line.payable_quarters),
        "run_id": s(run_id),
    }


def run_item(run: PaymentRun) -> Item:
    item: Item = {
        "PK": s(RUNS),
        "SK": s(run_key(run.run_id)),
        "run_id": s(run.run_id),
        "run_at": s(run.run_at.isoformat()),
        "run_status": s(run.status.value),
        "generation": n(run.generation),
        "providers": s(json.dumps(run.providers)),
        "requested_by": s(run.requested_by),
        "approved_by": s(run.approved_by),
        "charging_periods": s(json.dumps(run.charging_periods)),
    }
    if run.approved_at:
        item["approved_at"] = s(run.approved_at.isoformat())
    if run.processing_day and run.payment_date:
        item["processing_day"] = s(run.processing_day.isoformat())
        item["payment_date"] = s(run.payment_date.isoformat())
    return item


def run_from_item(item: Item) -> PaymentRun:
    return PaymentRun(
        run_id=item["run_id"]["S"],
        run_at=datetime.fromisoformat(item["run_at"]["S"]),
        status=RunStatus(item["run_status"]["S"]),
        generation=int(item["generation"]["N"]),
        providers=json.loads(item["providers"]["S"]),
        requested_by=item["requested_by"]["S"],
        approved_by=item["approved_by"]["S"],
        approved_at=datetime.fromisoformat(item["approved_at"]["S"])
        if "approved_at" in item
        else None,
        charging_periods=json.loads(item["charging_periods"]["S"]),
        processing_day=date.fromisoformat(item["processing_day"]["S"])
        if "processing_day" in item
        else None,
        payment_date=date.fromisoformat(item["payment_date"]["S"])
        if "payment_date" in item
        else None,
    )


def sheet_link_from_item(item: Item) -> SheetLink:
    return SheetLink(
        spreadsheet_id=item["spreadsheet_id"]["S"],
        provider_ref=item["provider_ref"]["S"],
        claim_tabs=json.loads(item["claim_tabs"]["S"]),
        other_tabs=json.loads(item["other_tabs"]["S"]),
        last_read=datetime.fromisoformat(item["last_read"]["S"]) if "last_read" in item else None,
    )


def paid_from_item(item: Item) -> tuple[tuple[str, date], PaidBefore]:
    """A PAID item as the run reads it: (line, week) and what was paid on it."""
    key = (item["line_ref"]["S"], date.fromisoformat(item["week"]["S"]))
    return key, PaidBefore(
        int(item["amount"]["N"]),
        Fraction(item["rate"]["S"]),
        int(item["quarters"]["N"]),
        item["ss_ref"]["S"],
    )


def approval_item(provider_ref: str, approval: ExtraApproval | FrustratedApproval) -> Item:
    if isinstance(approval, ExtraApproval):
        item: Item = {
            "SK": s(extra_approval_key(approval.line_ref, approval.week_commencing)),
            "kind": s("extra"),
            "week": s(approval.week_commencing.isoformat()),
            "quarters": n(approval.extra_quarters),
        }
    else:
        item = {
            "SK": s(frustrated_approval_key(approval.line_ref, approval.up_to)),
            "kind": s("frustrated"),
            "up_to": s(approval.up_to.isoformat()),
        }
    return item | {"PK": s(provider_key(provider_ref)), "line_ref": s(approval.line_ref)}


def approval_from_item(item: Item) -> ExtraApproval | FrustratedApproval | None:
    """None for a kind this code does not know (written by a later version)."""
    kind = item["kind"]["S"]
    if kind == "extra":
        week = date.fromisoformat(item["week"]["S"])
        return ExtraApproval(item["line_ref"]["S"], week, int(item["quarters"]["N"]))
    if kind == "frustrated":
        return FrustratedApproval(item["line_ref"]["S"], date.fromisoformat(item["up_to"]["S"]))
    return None


def sheet_link_item(link: SheetLink) -> Item:
    item: Item = {
        "PK": s(SHEETS),
        "SK": s(sheet_key(link.spreadsheet_id)),
        "spreadsheet_id": s(link.spreadsheet_id),
        "provider_ref": s(link.provider_ref),
        "claim_tabs": s(json.dumps(link.claim_tabs)),
        "other_tabs": s(json.dumps(link.other_tabs)),
    }
    if link.last_read is not None:
        item["last_read"] = s(link.last_read.isoformat())
    return item
