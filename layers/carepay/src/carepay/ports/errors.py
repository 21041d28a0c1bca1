"""What a port may raise that a service acts on."""

from __future__ import annotations


class ConcurrentChange(RuntimeError):
    """The provider's state changed since it was read: check the submission again on the new state."""


class AlreadyCommitted(RuntimeError):
    """Another delivery of the same upload committed first."""


class SheetUnavailable(RuntimeError):
    """Google did not answer after the retries: the message goes back to its queue."""


class TabMissing(RuntimeError):
    """A range names a tab the sheet no longer has (the provider deleted or renamed it)."""


class SheetsNotConfigured(RuntimeError):
    """carepay has no Google service account key: the council must put one in Secrets Manager."""


class SheetNotShared(RuntimeError):
    """The sheet does not exist or is not shared with carepay's service account."""
