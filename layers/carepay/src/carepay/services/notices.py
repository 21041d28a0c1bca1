"""When a file arrived, as the rules judge it (the arrival itself: carepay.ports.files)."""

from __future__ import annotations

from datetime import datetime

from carepay.domain.weeks import LONDON
from carepay.ports.files import FileArrived

SIMULATED_TIME_METADATA = "carepay-at"


def received_at(arrival: FileArrived, metadata: dict[str, str], trial_mode: bool) -> datetime:
    """When the sender uploaded: S3's event time, or on a trial stack the simulated time (--at)."""
    simulated = metadata.get(SIMULATED_TIME_METADATA)
    if trial_mode and simulated:
        moment = datetime.fromisoformat(simulated)
        return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)
    return arrival.event_time
