"""What S3 tells us about a file that arrived, and the identity of that arrival."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from carepay.domain.weeks import LONDON

SIMULATED_TIME_METADATA = "carepay-at"


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


def received_at(arrival: FileArrived, metadata: dict[str, str], trial_mode: bool) -> datetime:
    """When the sender uploaded: S3's event time, or on a trial stack the simulated time (--at)."""
    simulated = metadata.get(SIMULATED_TIME_METADATA)
    if trial_mode and simulated:
        moment = datetime.fromisoformat(simulated)
        return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)
    return arrival.event_time
