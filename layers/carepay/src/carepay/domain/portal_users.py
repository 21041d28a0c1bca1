"""Who may use the provider portal, and for which providers: the council's portal-users file.

One row per person–provider pair (`Email`, `Provider Ref`, `Status`). A person is known by their
email address; `Removed` takes that provider away from them (a person left with no provider can
no longer sign in). Nothing a person does in the portal changes what this file grants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from carepay.domain.findings import Finding, error
from carepay.domain.rows import SheetRow

# Deliberately loose: a council's directory holds addresses a strict pattern would refuse, and
# the invitation itself proves an address works.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
STATUSES = {"": False, "active": False, "added": False, "removed": True}


class PortalAccess(NamedTuple):
    """A person's access to one provider's claims in the portal, granted or taken away."""

    email: str  # lower case: one person, however the council's file spells it
    provider_ref: str
    removed: bool = False


@dataclass(slots=True)
class PortalUsersImport:
    changes: list[PortalAccess] = field(default_factory=list)
    rejected: list[tuple[int, list[Finding]]] = field(default_factory=list)

    @property
    def people(self) -> list[str]:
        return sorted({change.email for change in self.changes})


def read_portal_users(rows: Iterable[SheetRow]) -> PortalUsersImport:
    """Every valid row as a grant or a removal; a pair named twice is refused both times, so
    the file never says two things about one person's access to one provider."""
    result = PortalUsersImport()
    rows_of_pair: dict[tuple[str, str], list[int]] = {}
    read: list[tuple[int, PortalAccess | None, list[str]]] = []
    for row in rows:
        problems: list[str] = []
        access = _access(row, problems)
        if access is not None:
            rows_of_pair.setdefault((access.email, access.provider_ref), []).append(row.row_number)
        read.append((row.row_number, access, problems))
    for row_number, access, problems in read:
        if access is not None:
            named = rows_of_pair[(access.email, access.provider_ref)]
            if len(named) > 1:
                others = ", ".join(str(n) for n in named if n != row_number)
                problems.append(
                    f"{access.email} and {access.provider_ref} are also on row {others}: keep "
                    "one row per person and provider"
                )
        if access is not None and not problems:
            result.changes.append(access)
        else:
            findings = [error("ACCESS", problem + ".") for problem in problems]
            result.rejected.append((row_number, findings))
    return result


def _access(row: SheetRow, problems: list[str]) -> PortalAccess | None:
    email = row.text("email").strip().lower()
    provider_ref = row.text("provider_ref").strip()
    status = row.text("status").strip().lower()
    if not email:
        problems.append("Email is empty")
    elif not EMAIL.fullmatch(email):
        problems.append(f"Email '{row.text('email')}' is not an email address")
    if not provider_ref:
        problems.append("Provider Ref is empty")
    if status not in STATUSES:
        problems.append(
            f"Status '{row.text('status')}' is not 'Active' (or empty) to give access, or "
            "'Removed' to take it away"
        )
    if problems:
        return None
    return PortalAccess(email, provider_ref, STATUSES[status])
