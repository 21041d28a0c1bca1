"""Files: what arrived in the inbound bucket, and where carepay reads and writes them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class Document:
    content: bytes
    metadata: dict[str, str]


class Documents(Protocol):
    def read_inbound(self, key: str, version_id: str | None = None) -> Document: ...
    def read_outbound(self, key: str) -> bytes | None: ...
    def write_outbound(self, key: str, body: bytes, content_type: str) -> None: ...


class FileArrived(BaseModel):
    """One S3 record: the object and when S3 received it (deadlines are judged by this time)."""

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str
    version_id: str | None = None
    sequencer: str | None = None
    etag: str | None = None
    size: int = 0
    event_time: datetime

    @property
    def arrival_id(self) -> str:
        """The same object delivered twice has the same id; a new upload to the same key does not."""
        identity = f"{self.bucket}/{self.key}/{self.version_id or self.sequencer or self.etag}"
        return hashlib.sha256(identity.encode()).hexdigest()[:20]
