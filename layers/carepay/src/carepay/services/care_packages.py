"""Importing the council's care-package export into service line versions."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from carepay.domain.approval_import import read_approvals
from carepay.domain.care_packages import read_care_packages
from carepay.domain.findings import Finding
from carepay.domain.rows import SheetRow
from carepay.ports.files import Documents, FileArrived
from carepay.ports.stores import ApprovalStore, CarePackageStore
from carepay.services.results import CarePackageReport, ImportReport, RejectedRow
from carepay.spreadsheets.reading import Table, TableSchema, UnreadableFile, read_table
from carepay.spreadsheets.schemas import APPROVALS as APPROVALS_FILE
from carepay.spreadsheets.schemas import CARE_PACKAGES

IMPORT_REPORTS = "imports/"
logger = logging.getLogger(__name__)
Rows = TypeVar("Rows")


def read_import(
    content: bytes,
    name: str,
    schema: TableSchema,
    read_rows: Callable[[Iterable[SheetRow]], Rows],
    import_id: str,
) -> tuple[Table, Rows] | str:
    """The file's table and what its rows say, or why the file is refused: every file gets an
    answer, whatever its bytes do to a reader."""
    try:
        table = read_table(content, name, schema)
        return table, read_rows(table.rows)
    except UnreadableFile as unreadable:
        return str(unreadable)
    except MemoryError:
        raise
    except Exception:
        logger.exception("an import no reader expected", extra={"file": name})
        return (
            f"carepay could not read {name}: something in it is not what a spreadsheet program "
            "saves. Save it again as .xlsx or .csv and import that; if this happens again, "
            f"report it quoting {import_id}."
        )


def import_arrival(
    documents: Documents,
    arrival: FileArrived,
    folder: str,
    schema: TableSchema,
    read_rows: Callable[[Iterable[SheetRow]], Rows],
) -> tuple[dict[str, str], tuple[Table, Rows] | str]:
    """An arrived file read as an import: what its report says of it, and its table and what
    its rows say (or why it is refused)."""
    name = arrival.key.removeprefix(folder)
    received = {
        "file": name,
        "source_key": arrival.key,
        "received_at": arrival.event_time.isoformat(),
    }
    document = documents.read_inbound(arrival.key, arrival.version_id)
    return received, read_import(document.content, name, schema, read_rows, arrival.arrival_id)


def import_report_key(inbound_key: str) -> str:
    name = inbound_key.removeprefix("care-packages/")
    return f"{IMPORT_REPORTS}{name.rsplit('.', 1)[0]}.import.json"


class CarePackageImportService:
    def __init__(self, store: CarePackageStore, documents: Documents) -> None:
        self.store = store
        self.documents = documents

    def handle(self, arrival: FileArrived) -> CarePackageReport:
        """Upsert every valid line version; report rows that were not imported, and why.

        Writing is idempotent (the same version lands on the same key), so a redelivered
        import simply writes the same items again.
        """
        import_id = arrival.arrival_id
        name = arrival.key.removeprefix("care-packages/")
        received = {
            "import_id": import_id,
            "file": name,
            "source_key": arrival.key,
            "received_at": arrival.event_time.isoformat(),
            "imported_at": datetime.now().astimezone().isoformat(),
        }
        document = self.documents.read_inbound(arrival.key, arrival.version_id)
        read = read_import(document.content, name, CARE_PACKAGES, read_care_packages, import_id)
        if isinstance(read, str):
            report = CarePackageReport(**received, file_rejected=True, message=read)
            write_report(self.documents, import_report_key(arrival.key), report)
            logger.info("care packages refused", extra={"import_id": import_id, "reason": read})
            return report
        table, result = read
        report = CarePackageReport(
            **received,
            imported=len(result.versions),
            rejected=len(result.rejected),
            providers=sorted({v.provider_ref for v in result.versions}),
            warnings=[f.message for f in table.findings],
            rejected_rows=rejected_rows(result.rejected),
            providers_with_bank_details=sorted(result.bank_details),
        )
        summary = report.model_dump(mode="json", exclude_none=True)
        self.store.save_care_packages(import_id, result.versions, summary, result.bank_details)
        write_report(self.documents, import_report_key(arrival.key), report)
        logger.info(
            "care packages imported",
            extra=report.model_dump(include={"import_id", "imported", "rejected", "providers"}),
        )
        return report


APPROVALS = "approvals/"


def approvals_report_key(inbound_key: str) -> str:
    name = inbound_key.removeprefix(APPROVALS)
    return f"{IMPORT_REPORTS}{name.rsplit('.', 1)[0]}.approvals.json"


class ApprovalImportService:
    """Approvals from operational teams: they release held lines in the next payment run."""

    def __init__(self, store: ApprovalStore, documents: Documents) -> None:
        self.store = store
        self.documents = documents

    def handle(self, arrival: FileArrived) -> ImportReport:
        received, read = import_arrival(
            self.documents, arrival, APPROVALS, APPROVALS_FILE, read_approvals
        )
        if isinstance(read, str):
            report = ImportReport(**received, file_rejected=True, message=read)
            write_report(self.documents, approvals_report_key(arrival.key), report)
            return report
        table, result = read
        for provider_ref, approval in result.approvals:
            self.store.save_approval(provider_ref, approval)  # keyed: a redelivery rewrites it
        report = ImportReport(
            **received,
            imported=len(result.approvals),
            rejected=len(result.rejected),
            warnings=[f.message for f in table.findings],
            rejected_rows=rejected_rows(result.rejected),
        )
        write_report(self.documents, approvals_report_key(arrival.key), report)
        logger.info(
            "approvals imported",
            extra={"file_rejected": report.file_rejected, "imported": report.imported},
        )
        return report


def rejected_rows(rejected: Sequence[tuple[int, Sequence[Finding]]]) -> list[RejectedRow]:
    return [
        RejectedRow(row=row, errors=[f.as_dict() for f in findings]) for row, findings in rejected
    ]


def write_report(documents: Documents, key: str, report: ImportReport) -> None:
    body = json.dumps(report.model_dump(mode="json", exclude_none=True), indent=1)
    documents.write_outbound(key, body.encode(), "application/json")
