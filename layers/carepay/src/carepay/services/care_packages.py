"""Importing the council's care-package export into service line versions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from carepay.domain.approval_import import read_approvals
from carepay.domain.approvals import ExtraApproval, FrustratedApproval
from carepay.domain.care_packages import read_care_packages
from carepay.services.notices import FileArrived
from carepay.services.ports import CarePackageStore, Documents
from carepay.spreadsheets.reading import UnreadableFile, read_table
from carepay.spreadsheets.schemas import APPROVALS as APPROVALS_FILE
from carepay.spreadsheets.schemas import CARE_PACKAGES

IMPORT_REPORTS = "imports/"


def import_report_key(inbound_key: str) -> str:
    name = inbound_key.removeprefix("care-packages/")
    return f"{IMPORT_REPORTS}{name.rsplit('.', 1)[0]}.import.json"


class CarePackageImportService:
    def __init__(self, store: CarePackageStore, documents: Documents) -> None:
        self.store = store
        self.documents = documents

    def handle(self, arrival: FileArrived) -> dict[str, Any]:
        """Upsert every valid line version; report rows that were not imported, and why.

        Writing is idempotent (the same version lands on the same key), so a redelivered
        import simply writes the same items again.
        """
        import_id = arrival.arrival_id
        name = arrival.key.removeprefix("care-packages/")
        report: dict[str, Any] = {
            "import_id": import_id,
            "file": name,
            "source_key": arrival.key,
            "received_at": arrival.event_time.isoformat(),
            "imported_at": datetime.now().astimezone().isoformat(),
        }
        document = self.documents.read_inbound(arrival.key, arrival.version_id)
        try:
            table = read_table(document.content, name, CARE_PACKAGES)
            result = read_care_packages(table.rows)
        except UnreadableFile as unreadable:
            report |= {
                "file_rejected": True,
                "message": str(unreadable),
                "imported": 0,
                "rejected": 0,
            }
            self._write_report(arrival.key, report)
            return report
        providers = sorted({v.provider_ref for v in result.versions})
        report |= {
            "file_rejected": False,
            "imported": len(result.versions),
            "rejected": len(result.rejected),
            "providers": providers,
            "warnings": [f.message for f in table.findings],
            "rejected_rows": [
                {"row": row, "errors": [f.as_dict() for f in findings]}
                for row, findings in result.rejected
            ],
        }
        report["providers_with_bank_details"] = sorted(result.bank_details)
        self.store.save_care_packages(import_id, result.versions, report, result.bank_details)
        self._write_report(arrival.key, report)
        return report

    def _write_report(self, inbound_key: str, report: dict[str, Any]) -> None:
        self.documents.write_outbound(
            import_report_key(inbound_key),
            json.dumps(report, indent=1).encode(),
            "application/json",
        )


APPROVALS = "approvals/"


def approvals_report_key(inbound_key: str) -> str:
    name = inbound_key.removeprefix(APPROVALS)
    return f"{IMPORT_REPORTS}{name.rsplit('.', 1)[0]}.approvals.json"


class ApprovalStore(Protocol):
    def save_approval(
        self, provider_ref: str, approval: ExtraApproval | FrustratedApproval
    ) -> None: ...


class ApprovalImportService:
    """Approvals from operational teams: they release held lines in the next payment run."""

    def __init__(self, store: ApprovalStore, documents: Documents) -> None:
        self.store = store
        self.documents = documents

    def handle(self, arrival: FileArrived) -> dict[str, Any]:
        name = arrival.key.removeprefix(APPROVALS)
        report: dict[str, Any] = {
            "file": name,
            "source_key": arrival.key,
            "received_at": arrival.event_time.isoformat(),
        }
        document = self.documents.read_inbound(arrival.key, arrival.version_id)
        try:
            table = read_table(document.content, name, APPROVALS_FILE)
        except UnreadableFile as unreadable:
            report |= {"file_rejected": True, "message": str(unreadable), "imported": 0}
            self._write_report(arrival.key, report)
            return report
        result = read_approvals(table.rows)
        for provider_ref, approval in result.approvals:
            self.store.save_approval(provider_ref, approval)  # keyed: a redelivery rewrites it
        report |= {
            "file_rejected": False,
            "imported": len(result.approvals),
            "rejected": len(result.rejected),
            "warnings": [f.message for f in table.findings],
            "rejected_rows": [
                {"row": row, "errors": [f.as_dict() for f in findings]}
                for row, findings in result.rejected
            ],
        }
        self._write_report(arrival.key, report)
        return report

    def _write_report(self, inbound_key: str, report: dict[str, Any]) -> None:
        self.documents.write_outbound(
            approvals_report_key(inbound_key),
            json.dumps(report, indent=1).encode(),
            "application/json",
        )
