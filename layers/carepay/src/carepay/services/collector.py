"""Python's cycle collector, paused while one request builds a large heap of small objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while one file is read and checked, or one provider's run
    is worked out.

    Both allocate hundreds of thousands of small objects (rows, items, line-weeks) and none of
    them form reference cycles (reference counting frees them); left on, the collector walks that
    growing heap again and again: about a fifth of ingest time, and a run's cost per line-week
    growing with its size. It runs again as soon as the work is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
