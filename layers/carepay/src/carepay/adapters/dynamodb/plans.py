"""What the council sets: care packages (service line versions, provider profiles, every import
kept whole), non-payment weeks and approvals.

Each of them changes what a payment run works out for weeks it may have settled, so each leaves
a mark (carepay.domain.payment_run.OpenWeeks) from the earliest week it can change, once written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.items import (
    approval_from_item,
    approval_item,
    version_from_item,
    version_item,
)
from carepay.adapters.dynamodb.keys import (
    PROFILE,
    PROVIDERS,
    SUMMARY,
    every,
    import_key,
    import_line_key,
    non_payment_key,
    provider_key,
    provider_of,
)
from carepay.adapters.dynamodb.state import ProviderState
from carepay.adapters.dynamodb.table import Item, Table, s
from carepay.domain.approvals import Approvals, ExtraApproval, FrustratedApproval
from carepay.domain.finance import BankDetails
from carepay.domain.service_lines import ProviderPlan, ServiceLineVersion, ServiceType
from carepay.domain.weeks import first_week_of_year

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class PlanTable:
    """Implements PlanStore, CarePackageStore and ApprovalStore (carepay.ports.stores)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.state = ProviderState(table)

    def provider_plan(self, provider_ref: str) -> ProviderPlan:
        items = self.table.query(provider_key(provider_ref), *every("LINE#"))
        versions = [version_from_item(provider_ref, i) for i in items]
        day_care = any(v.service_type is ServiceType.DAY_CARE for v in versions)
        # Only a day-care provider has non-payment weeks: nobody else pays for reading them.
        nominated = self.non_payment_weeks(provider_ref) if day_care else {}
        return ProviderPlan(provider_ref, versions, nominated)

    def non_payment_weeks(self, provider_ref: str) -> dict[int, tuple[date, date]]:
        """The provider's nominations by financial year (a year not here has the default)."""
        nominated = {}
        for item in self.table.query(provider_key(provider_ref), *every("NONPAY#")):
            first, second = item["weeks"]["S"].split(",")
            year = int(item["SK"]["S"].removeprefix("NONPAY#"))
            nominated[year] = (date.fromisoformat(first), date.fromisoformat(second))
        return nominated

    def save_non_payment_weeks(
        self, nominated: Mapping[tuple[str, int], tuple[date, date]], import_id: str
    ) -> None:
        self.table.batch_write(
            [
                {
                    "PK": s(provider_key(provider_ref)),
                    "SK": s(non_payment_key(year)),
                    "weeks": s(f"{weeks[0]},{weeks[1]}"),
                    "import_id": s(import_id),
                }
                for (provider_ref, year), weeks in sorted(nominated.items())
            ]
        )
        for provider_ref, year in sorted(nominated):
            self.state.mark_now(provider_ref, first_week_of_year(year))  # the year's weeks

    def providers(self) -> list[str]:
        """Every provider a care-package import has named."""
        items = self.table.query(PROVIDERS, *every("PROVIDER#"), "SK")
        return [provider_of(item["SK"]["S"]) for item in items]

    def approvals(self, provider_ref: str) -> Approvals:
        extras: list[ExtraApproval] = []
        frustrated: list[FrustratedApproval] = []
        for item in self.table.query(provider_key(provider_ref), *every("APPROVAL#")):
            approval = approval_from_item(item)
            if isinstance(approval, ExtraApproval):
                extras.append(approval)
            elif isinstance(approval, FrustratedApproval):
                frustrated.append(approval)
        return Approvals.of(extras, frustrated)

    def provider_profile(self, provider_ref: str) -> tuple[str, BankDetails | None]:
        """(name, bank details) as the last care-package import gave them."""
        item = self.table.get(provider_key(provider_ref), PROFILE) or {}
        name = item["provider_name"]["S"] if "provider_name" in item else provider_ref
        if "sort_code" not in item:
            return name, None
        return name, BankDetails(
            item["sort_code"]["S"], item["account_number"]["S"], item["account_name"]["S"]
        )

    def save_care_packages(
        self,
        import_id: str,
        versions: Sequence[ServiceLineVersion],
        summary: dict[str, Any],
        bank_details: Mapping[str, BankDetails] | None = None,
    ) -> None:
        """Upsert each line version under its provider, and keep the import itself, whole."""
        items: list[Item] = []
        for version in versions:
            item = version_item(version, import_id)
            kept = import_line_key(version.provider_ref, version.line_ref, version.start_date)
            items += [item, {**item, "PK": s(import_key(import_id)), "SK": s(kept)}]
        providers = {v.provider_ref: v.provider_name for v in versions}
        items += [{"PK": s(PROVIDERS), "SK": s(provider_key(ref))} for ref in providers]
        self.table.batch_write(items)
        for ref, name in providers.items():
            self._save_profile(ref, name, (bank_details or {}).get(ref))
        earliest: dict[str, date] = {}  # a version changes the weeks from its start date on
        for version in versions:
            known = earliest.get(version.provider_ref, version.start_date)
            earliest[version.provider_ref] = min(known, version.start_date)
        for ref, start in earliest.items():
            self.state.mark_now(ref, start)
        self.table.put(
            {
                "PK": s(import_key(import_id)),
                "SK": s(SUMMARY),
                "summary": s(json.dumps(summary, default=str)),
            }
        )

    def _save_profile(self, provider_ref: str, name: str, bank: BankDetails | None) -> None:
        # An update, not a put: an import without bank columns keeps the details known.
        assignments = ["provider_name = :name"]
        values: dict[str, AttributeValueTypeDef] = {":name": s(name or provider_ref)}
        if bank is not None:
            assignments += [
                "sort_code = :sort",
                "account_number = :account",
                "account_name = :account_name",
            ]
            values |= {
                ":sort": s(bank.sort_code),
                ":account": s(bank.account_number),
                ":account_name": s(bank.account_name),
            }
        client("dynamodb").update_item(
            TableName=self.table.name,
            Key={"PK": s(provider_key(provider_ref)), "SK": s(PROFILE)},
            UpdateExpression="SET " + ", ".join(assignments),
            ExpressionAttributeValues=values,
        )

    def save_approval(
        self, provider_ref: str, approval: ExtraApproval | FrustratedApproval
    ) -> None:
        self.table.put(approval_item(provider_ref, approval))
        week = approval.week_commencing if isinstance(approval, ExtraApproval) else approval.up_to
        self.state.mark_now(provider_ref, week)  # a retainer's weeks are held until then
