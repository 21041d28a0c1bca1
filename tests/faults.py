"""Faults a test injects: the next call of something fails once, as a crash or an outage would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def fail_once(
    monkeypatch: pytest.MonkeyPatch,
    owner: object,
    name: str,
    error: Exception,
    when: Callable[..., bool] = lambda *_, **__: True,
) -> None:
    """`owner.name` raises `error` the first time `when` holds for its arguments, then works."""
    real = getattr(owner, name)
    left = [1]

    def failing(*arguments: Any, **keywords: Any) -> Any:
        if left[0] and when(*arguments, **keywords):
            left[0] -= 1
            raise error
        return real(*arguments, **keywords)

    monkeypatch.setattr(owner, name, failing)
