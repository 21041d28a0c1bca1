"""What a handler needs, built once per warm container from the environment at first call.

One module per handler's services (`carepay.runtime.submissions`, `.payment_runs`, …): a handler
imports the one it needs, so its cold start pays for its own services' imports and nobody
else's. This module holds only what they share, and imports no service.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache, wraps
from typing import TypeVar

from carepay.settings import Settings, current_settings

Service = TypeVar("Service")

# Calls to Google stop this long before the function's timeout: the message then goes back to
# its queue through a clean failure, instead of the function being killed mid-write.
GOOGLE_RESERVE_SECONDS = 10.0
# When the current invocation's calls to Google must be over (time.monotonic()), if it set one.
google_deadline: ContextVar[float | None] = ContextVar("google_deadline", default=None)
_built: list[Callable[..., object]] = []  # every per-container cache, for forget_services


@contextmanager
def google_calls_within(seconds_left: float) -> Iterator[None]:
    """Google calls made meanwhile (and their retries) end before the invocation's time is up."""
    token = google_deadline.set(time.monotonic() + seconds_left - GOOGLE_RESERVE_SECONDS)
    try:
        yield
    finally:
        google_deadline.reset(token)


def now() -> datetime:
    """The time, or on a trial stack a simulated one (CAREPAY_TRIAL_NOW, as files' --at)."""
    simulated = os.environ.get("CAREPAY_TRIAL_NOW")
    if simulated and current_settings().trial_mode:
        return datetime.fromisoformat(simulated)
    return datetime.now(UTC)


def per_container(build: Callable[[Settings], Service]) -> Callable[[], Service]:
    """`build` once per warm container, from the function's settings; again if the settings or
    the AWS endpoint change (the local cloud and the tests switch them between stacks)."""

    @cache
    def built(settings: Settings, _endpoint: str | None) -> Service:
        return build(settings)

    _built.append(built)

    @wraps(build)
    def service() -> Service:
        return built(current_settings(), os.environ.get("AWS_ENDPOINT_URL"))

    return service


def forget_services() -> None:
    """Every service built so far is built again at its next use (a new local stack)."""
    for built in _built:
        built.cache_clear()  # type: ignore[attr-defined]
