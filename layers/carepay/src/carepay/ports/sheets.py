"""Google Sheets as the services see them: a linked sheet, and the calls made to Google."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

Cell = str | float | int | bool


@dataclass(slots=True)
class SheetLink:
    spreadsheet_id: str
    provider_ref: str
    claim_tabs: list[str] = field(default_factory=list)  # the week tabs carepay prepared
    other_tabs: list[str] = field(default_factory=list)  # Instructions, Remittance …
    last_read: datetime | None = None


class SheetLinkStore(Protocol):
    def link(self, provider_ref: str, spreadsheet_id: str) -> SheetLink: ...
    def save(self, link: SheetLink) -> None: ...
    def sheet(self, spreadsheet_id: str) -> SheetLink | None: ...
    def sheet_of(self, provider_ref: str) -> SheetLink | None: ...
    def sheets(self) -> list[SheetLink]: ...


class Sheets(Protocol):
    """One invocation's calls to Google (errors: carepay.ports.errors)."""

    @property
    def service_account_email(self) -> str: ...
    @property
    def calls(self) -> Mapping[str, int]: ...  # reads and writes made, for the quota metric

    def read(self, spreadsheet_id: str, ranges: Sequence[str]) -> list[list[list[Cell]]]: ...
    def write_values(
        self, spreadsheet_id: str, data: Sequence[tuple[str, list[list[Cell]]]]
    ) -> None: ...
    def update(
        self, spreadsheet_id: str, requests_: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]: ...
    def tab_titles(self, spreadsheet_id: str) -> list[str]: ...
    def modified_at(self, spreadsheet_id: str) -> datetime: ...
