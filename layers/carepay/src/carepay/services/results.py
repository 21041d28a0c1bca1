"""What the services answer: typed results for the handlers (metrics, logs) and for the JSON
carepay writes beside each request. Light on purpose: every handler may import this module
without paying for openpyxl or Google's client.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field


class RunRequestOutcome(BaseModel):
    """What a run request (the schedule's, or a file finance dropped) came to; the same is
    written beside the request for whoever asked."""

    outcome: Literal["accepted", "refused"]
    run_id: str | None = None
    generation: int | None = None
    message: str | None = None
    source_key: str | None = None

    @property
    def refused(self) -> bool:
        return self.outcome == "refused"


class SubmissionSummary(BaseModel):
    """What one submission (an upload or a confirmation) came to: kept with its commit marker,
    so a redelivery is answered from it, and returned to the handler."""

    kind: str
    upload_id: str
    accepted: int = 0
    rejected: int = 0
    file_rejected: bool = False
    feedback_key: str
    source_key: str
    confirmations: list[dict[str, Any]] = Field(default_factory=list)
    staged_as: str = ""  # the feedback staged under this attempt, published once committed
    staged_workbook: bool = False
    duplicate: bool = False  # answered from an earlier delivery's commit


class RejectedRow(BaseModel):
    row: int
    errors: list[dict[str, Any]]


class ImportReport(BaseModel):
    """An import of the council's files, as written beside it under imports/ (JSON)."""

    file: str
    source_key: str
    received_at: str
    file_rejected: bool = False
    message: str | None = None  # why the whole file was refused
    imported: int = 0
    rejected: int = 0
    warnings: list[str] = Field(default_factory=list)
    rejected_rows: list[RejectedRow] = Field(default_factory=list)


class CarePackageReport(ImportReport):
    import_id: str
    imported_at: str
    providers: list[str] = Field(default_factory=list)
    providers_with_bank_details: list[str] = Field(default_factory=list)


class NonPaymentWeeksReport(ImportReport):
    """A non-payment-weeks file imported: each provider-year's weeks as they now stand, and the
    nominations refused because a week they would change is already submitted or paid."""

    nominations: dict[str, list[date]] = Field(default_factory=dict)  # "P400 2026-27": weeks
    refused: list[str] = Field(default_factory=list)


class WorkbookWritten(BaseModel):
    provider_ref: str
    week_commencing: date
    lines: int
    key: str
    keys: list[str] = Field(default_factory=list)  # every file written: the workbook, its CSVs


class SheetRequestOutcome(BaseModel):
    """A link or prepare request's answer (written under sheets/requests/ for a request file)."""

    outcome: Literal["linked", "prepared", "already prepared", "refused"]
    provider_ref: str | None = None
    spreadsheet_id: str | None = None
    tab: str | None = None
    tabs: list[str] | None = None  # the sheet's tabs, when linked
    claim_tabs: list[str] | None = None
    lines: int | None = None
    message: str | None = None
    calls: dict[str, int] | None = None
    source_key: str | None = None


class TabRead(BaseModel):
    accepted: int
    rejected: int
    duplicate: bool
    file_rejected: bool


class SheetSynced(BaseModel):
    outcome: Literal["synced", "ignored"]
    reason: str | None = None
    provider_ref: str | None = None
    tabs: dict[str, TabRead] | None = None
    calls: dict[str, int] | None = None


class RemittanceTabOutcome(BaseModel):
    outcome: Literal["written", "already written", "ignored"]
    tab: str | None = None
    reason: str | None = None
    retired: list[str] | None = None  # claim tabs paid in full, no longer read
    calls: dict[str, int] | None = None


class PortalUsersReport(ImportReport):
    """A portal-users import: who was invited, and who can no longer sign in."""

    invited: list[str] = Field(default_factory=list)
    access_removed: int = 0
    disabled: list[str] = Field(default_factory=list)  # no provider left: cannot sign in
    enabled: list[str] = Field(default_factory=list)  # given a provider again
