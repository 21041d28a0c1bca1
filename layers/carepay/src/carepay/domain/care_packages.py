"""The care-package import: the council's export of service line versions (DOMAIN.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from carepay.domain.actuals import parse_week_date
from carepay.domain.finance import BankDetails, BankDetailsError
from carepay.domain.findings import Finding, error
from carepay.domain.money import NotAQuarterMultiple, parse_decimal, to_quarters
from carepay.domain.registers import PlannedDaysError, parse_days, per_day_quarters
from carepay.domain.rows import SheetRow
from carepay.domain.service_lines import ServiceLineVersion, ServiceType, Unit

_SERVICE_TYPES = {
    "".join(name.lower().split()): service
    for service in ServiceType
    for name in (service.value, service.name.replace("_", " "))
} | {
    "1:1supportatresidential/nursing": ServiceType.ONE_TO_ONE_RESIDENTIAL,
    "homecare": ServiceType.HOME_SUPPORT,
    "daycare": ServiceType.DAY_CARE,
}
_UNITS = {unit.value: unit for unit in Unit} | {
    "hours": Unit.HOUR,
    "sessions": Unit.SESSION,
    "journeys": Unit.JOURNEY,
}
REFERENCE_FORBIDDEN = "#"


@dataclass(slots=True)
class CarePackageImport:
    versions: list[ServiceLineVersion] = field(default_factory=list)
    rejected: list[tuple[int, list[Finding]]] = field(default_factory=list)
    # Bank details per provider, from the optional Sort Code / Account Number / Account Name
    # columns: what the payment file pays into.
    bank_details: dict[str, BankDetails] = field(default_factory=dict)


def read_care_packages(rows: Iterable[SheetRow]) -> CarePackageImport:
    result = CarePackageImport()
    seen: dict[tuple[str, date], int] = {}
    bank_rows: dict[str, int] = {}
    for row in rows:
        problems: list[str] = []
        version = _version(row, problems)
        bank = _bank_details(row, problems)
        if version is not None and bank is not None and not problems:
            known = result.bank_details.get(version.provider_ref)
            if known is not None and known != bank:
                problems.append(
                    f"The bank details differ from those on row {bank_rows[version.provider_ref]} "
                    f"for provider {version.provider_ref}: give one account per provider"
                )
                version = None
            else:
                result.bank_details[version.provider_ref] = bank
                bank_rows.setdefault(version.provider_ref, row.row_number)
        if version is not None:
            key = (version.line_ref, version.start_date)
            if key in seen:
                problems.append(
                    f"Line Ref {version.line_ref} with Start Date {version.start_date:%d/%m/%Y} "
                    f"is also on row {seen[key]}: a file holds each line version once"
                )
            else:
                seen[key] = row.row_number
                result.versions.append(version)
        if problems:
            result.rejected.append(
                (row.row_number, [error("IMPORT", problem + ".") for problem in problems])
            )
    return result


def _references_hold_no_hash(row: SheetRow, problems: list[str]) -> None:
    for key, label in (
        ("provider_ref", "Provider Ref"),
        ("line_ref", "Line Ref"),
        ("ss_ref", "SS Ref"),
    ):
        if REFERENCE_FORBIDDEN in row.text(key):
            problems.append(f"{label} '{row.text(key)}' contains '#', which references cannot hold")


def _version(row: SheetRow, problems: list[str]) -> ServiceLineVersion | None:
    _references_hold_no_hash(row, problems)
    service_type = _SERVICE_TYPES.get("".join(row.text("service_type").lower().split()))
    if service_type is None:
        problems.append(
            f"Service Type '{row.text('service_type')}' is not one of "
            + ", ".join(s.value for s in ServiceType)
        )
    unit = _UNITS.get(row.text("unit").lower())
    if unit is None:
        problems.append(f"Unit '{row.text('unit')}' is not one of hour, session, journey")
    planned = _number(row, "planned_quantity", "Planned Quantity", problems)
    if planned is not None:
        try:
            to_quarters(planned)
        except NotAQuarterMultiple:
            problems.append(f"Planned Quantity {planned} is not a multiple of 0.25 up to 168")
    rate = _number(row, "unit_rate", "Unit Rate", problems)
    visits = _number(row, "planned_visits", "Planned Visits", problems, required=False)
    start = _date(row, "start_date", "Start Date", problems)
    end = _date(row, "end_date", "End Date", problems, required=False)
    if start and end and end < start:
        problems.append(f"End Date {end:%d/%m/%Y} is before Start Date {start:%d/%m/%Y}")
    days = _planned_days(row, service_type, unit, planned, problems)
    if (
        problems
        or service_type is None
        or unit is None
        or planned is None
        or rate is None
        or start is None
    ):
        return None
    try:
        return ServiceLineVersion(
            provider_ref=row.text("provider_ref"),
            provider_name=row.text("provider_name"),
            line_ref=row.text("line_ref"),
            ss_ref=row.text("ss_ref"),
            service_type=service_type,
            service_level=row.text("service_level"),
            unit=unit,
            planned_quantity=planned,
            planned_visits=int(visits) if visits is not None else None,
            unit_rate=rate,
            start_date=start,
            end_date=end,
            cancelled=row.text("status").lower() == "cancelled",
            days=days,
        )
    except ValidationError as exc:
        problems.extend(
            f"{'.'.join(str(p) for p in issue['loc'])}: {issue['msg']}" for issue in exc.errors()
        )
        return None


def _planned_days(
    row: SheetRow,
    service_type: ServiceType | None,
    unit: Unit | None,
    planned: Decimal | None,
    problems: list[str],
) -> tuple[int, ...]:
    """A Day Care line's Days: each planned day carries an equal share of the weekly total,
    whole sessions or journeys, or quarter hours (DOMAIN.md, Day-care registers)."""
    if service_type is not ServiceType.DAY_CARE:
        return ()
    text = row.text("days")
    if not text:
        problems.append("A Day Care line needs Days: the planned weekdays, e.g. Mon Wed Fri")
        return ()
    try:
        days = parse_days(text)
        if planned is not None and unit is not None:
            per_day_quarters(to_quarters(planned), days, whole_units=unit is not Unit.HOUR)
    except (PlannedDaysError, NotAQuarterMultiple) as refused:
        problems.append(str(refused))
        return ()
    return days


def _bank_details(row: SheetRow, problems: list[str]) -> BankDetails | None:
    given = [row.text(key) for key in ("sort_code", "account_number", "account_name")]
    if not any(given):
        return None
    try:
        return BankDetails.parse(*given)
    except BankDetailsError as invalid:
        problems.append(str(invalid))
        return None


def _number(
    row: SheetRow, key: str, label: str, problems: list[str], *, required: bool = True
) -> Decimal | None:
    try:
        value = parse_decimal(row.cells.get(key))
    except (InvalidOperation, ValueError):
        problems.append(f"{label} '{row.text(key)}' is not a number")
        return None
    if value is None and required:
        problems.append(f"{label} is empty")
    return value


def _date(
    row: SheetRow, key: str, label: str, problems: list[str], *, required: bool = True
) -> date | None:
    value = row.cells.get(key)
    if value is None or row.text(key) == "":
        if required:
            problems.append(f"{label} is empty")
        return None
    try:
        return parse_week_date(value)
    except ValueError:
        problems.append(f"{label} '{row.text(key)}' is not a date (use DD/MM/YYYY or YYYY-MM-DD)")
        return None
