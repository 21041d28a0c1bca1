"""The council's portal-users file (portal-users/*.csv|xlsx): who may sign in to the provider
portal, and for which providers. Imported like care packages, with a report beside it.

A new person is invited (Cognito emails a temporary password); a person whose last provider
is removed is disabled, and enabled again if a later file gives them a provider. Access itself
lives in carepay's table, read by the token's `sub` on every portal request.
"""

from __future__ import annotations

import logging
from datetime import date

from carepay.domain.portal_users import PortalAccess, read_portal_users
from carepay.ports.files import Documents, FileArrived
from carepay.ports.portal import PortalAccessStore, UserDirectory
from carepay.services.care_packages import IMPORT_REPORTS, read_import, rejected_rows, write_report
from carepay.services.results import PortalUsersReport
from carepay.spreadsheets.schemas import PORTAL_USERS

PORTAL_USERS_FOLDER = "portal-users/"
logger = logging.getLogger(__name__)


def portal_users_report_key(inbound_key: str) -> str:
    name = inbound_key.removeprefix(PORTAL_USERS_FOLDER)
    return f"{IMPORT_REPORTS}{name.rsplit('.', 1)[0]}.portal-users.json"


class PortalUserImportService:
    def __init__(
        self, directory: UserDirectory, access: PortalAccessStore, documents: Documents
    ) -> None:
        self.directory = directory
        self.access = access
        self.documents = documents

    def handle(self, arrival: FileArrived) -> PortalUsersReport:
        """Grant and remove as the file says; a redelivered file changes nothing more (an
        invitation is sent once: a person already invited is only given the provider)."""
        name = arrival.key.removeprefix(PORTAL_USERS_FOLDER)
        report = PortalUsersReport(
            file=name, source_key=arrival.key, received_at=arrival.event_time.isoformat()
        )
        document = self.documents.read_inbound(arrival.key, arrival.version_id)
        read = read_import(
            document.content, name, PORTAL_USERS, read_portal_users, arrival.arrival_id
        )
        if isinstance(read, str):
            report.file_rejected, report.message = True, read
        else:
            table, result = read
            report.warnings = [f.message for f in table.findings]
            report.rejected = len(result.rejected)
            report.rejected_rows = rejected_rows(result.rejected)
            for change in result.changes:
                self._apply(change, report, arrival.event_time.date())
            report.imported = len(result.changes)
        write_report(self.documents, portal_users_report_key(arrival.key), report)
        logger.info(  # counts only: an email address is a person's
            "portal users imported",
            extra=report.model_dump(include={"file_rejected", "imported", "rejected"})
            | {"invited": len(report.invited), "disabled": len(report.disabled)},
        )
        return report

    def _apply(self, change: PortalAccess, report: PortalUsersReport, on: date) -> None:
        if change.removed:
            if not self.access.revoke(change.email, change.provider_ref):
                return  # never invited: nothing to take away, and no account to disable
            report.access_removed += 1
            if not self.access.providers_of_email(change.email):
                self.directory.disable(change.email)
                report.disabled.append(change.email)
            return
        had_access = bool(self.access.providers_of_email(change.email))
        sub, invited = self.directory.invite(change.email)
        self.access.grant(change.email, sub, change.provider_ref, on)
        if invited:
            report.invited.append(change.email)
        elif not had_access:  # known, but every provider had been taken away: back in
            self.directory.enable(change.email)
            self.access.unlocked(change.email, on)  # and counted as seen today
            report.enabled.append(change.email)
