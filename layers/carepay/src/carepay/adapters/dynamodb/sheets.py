"""Which Google Sheet each provider claims in, and what carepay has written into it."""

from __future__ import annotations

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.items import sheet_link_from_item, sheet_link_item
from carepay.adapters.dynamodb.keys import SHEET, SHEETS, every, provider_key, sheet_key
from carepay.adapters.dynamodb.table import Table, s
from carepay.ports.sheets import SheetLink


class SheetLinks:
    """Implements SheetLinkStore (carepay.ports.sheets)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def link(self, provider_ref: str, spreadsheet_id: str) -> SheetLink:
        """Record the provider's sheet (a provider has one; linking another replaces it)."""
        previous = self.sheet_of(provider_ref)
        if previous is not None and previous.spreadsheet_id != spreadsheet_id:
            client("dynamodb").delete_item(
                TableName=self.table.name,
                Key={"PK": s(SHEETS), "SK": s(sheet_key(previous.spreadsheet_id))},
            )
        link = self.sheet(spreadsheet_id) or SheetLink(spreadsheet_id, provider_ref)
        link.provider_ref = provider_ref
        self.save(link)
        self.table.put(
            {
                "PK": s(provider_key(provider_ref)),
                "SK": s(SHEET),
                "spreadsheet_id": s(spreadsheet_id),
            }
        )
        return link

    def save(self, link: SheetLink) -> None:
        self.table.put(sheet_link_item(link))

    def sheet(self, spreadsheet_id: str) -> SheetLink | None:
        item = self.table.get(SHEETS, sheet_key(spreadsheet_id))
        return sheet_link_from_item(item) if item else None

    def sheet_of(self, provider_ref: str) -> SheetLink | None:
        item = self.table.get(provider_key(provider_ref), SHEET)
        return self.sheet(item["spreadsheet_id"]["S"]) if item else None

    def sheets(self) -> list[SheetLink]:
        return [sheet_link_from_item(item) for item in self.table.query(SHEETS, *every("SHEET#"))]
