"""The provider portal's ports: who may sign in (the user directory, Amazon Cognito), and for
which providers each person may act (carepay's own table, read by the token's `sub`)."""

from __future__ import annotations

from typing import Protocol


class UserDirectory(Protocol):
    """People who may sign in, known by email address."""

    def invite(self, email: str) -> tuple[str, bool]:
        """The person's `sub`, inviting them first (a temporary password by email) if they are
        new; True when this call invited them."""
        ...

    def disable(self, email: str) -> None: ...
    def enable(self, email: str) -> None: ...


class PortalAccessStore(Protocol):
    def grant(self, email: str, sub: str, provider_ref: str) -> None: ...
    def revoke(self, email: str, provider_ref: str) -> bool:
        """False when the person was never invited (there was nothing to take away)."""
        ...

    def providers_of(self, sub: str) -> list[str]:
        """The providers the signed-in person (by `sub`) may act for: the only authority."""
        ...

    def providers_of_email(self, email: str) -> list[str]: ...
