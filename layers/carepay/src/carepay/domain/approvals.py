"""Approvals from operational teams: extras for a line-week, long hospital retainers up to a date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class ExtraApproval:
    line_ref: str
    week_commencing: date
    extra_quarters: int


@dataclass(frozen=True, slots=True)
class FrustratedApproval:
    """Frustrated hours beyond 6 weeks are payable on this line for weeks commencing up to `up_to`."""

    line_ref: str
    up_to: date


@dataclass(slots=True)
class Approvals:
    extras: dict[tuple[str, date], int] = field(default_factory=dict)
    frustrated_up_to: dict[str, date] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        extras: list[ExtraApproval] | None = None,
        frustrated: list[FrustratedApproval] | None = None,
    ) -> Approvals:
        approvals = cls()
        for extra in extras or []:
            key = (extra.line_ref, extra.week_commencing)
            approvals.extras[key] = approvals.extras.get(key, 0) + extra.extra_quarters
        for retainer in frustrated or []:
            current = approvals.frustrated_up_to.get(retainer.line_ref)
            if current is None or retainer.up_to > current:
                approvals.frustrated_up_to[retainer.line_ref] = retainer.up_to
        return approvals

    def approved_extra_quarters(self, line_ref: str, week_commencing: date) -> int:
        return self.extras.get((line_ref, week_commencing), 0)

    def frustrated_approved(self, line_ref: str, week_commencing: date) -> bool:
        up_to = self.frustrated_up_to.get(line_ref)
        return up_to is not None and week_commencing <= up_to
