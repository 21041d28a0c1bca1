"""The local stack fires EventBridge schedules by the clock, in the schedule's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from carepay.domain.weeks import LONDON
from carepay_local.schedules import cron_matches

MONDAY_6AM = "cron(0 6 ? * MON *)"


@pytest.mark.parametrize(
    ("moment", "fires"),
    [
        (datetime(2026, 11, 16, 6, 0, tzinfo=LONDON), True),  # GMT: 06:00 UTC
        (datetime(2026, 6, 15, 6, 0, tzinfo=LONDON), True),  # BST: 05:00 UTC, still 06:00 London
        (datetime(2026, 6, 15, 6, 0, tzinfo=UTC), False),  # 07:00 in London
        (datetime(2026, 11, 16, 6, 1, tzinfo=LONDON), False),
        (datetime(2026, 11, 17, 6, 0, tzinfo=LONDON), False),  # a Tuesday
    ],
)
def test_the_monday_schedule_fires_at_six_in_london_whatever_the_clocks_do(
    moment: datetime, fires: bool
) -> None:
    assert cron_matches(MONDAY_6AM, moment, "Europe/London") is fires


def test_lists_ranges_steps_and_names() -> None:
    working_hours = "cron(0/15 9-17 ? * MON-FRI *)"
    assert cron_matches(working_hours, datetime(2026, 11, 18, 9, 45, tzinfo=UTC))
    assert not cron_matches(working_hours, datetime(2026, 11, 18, 9, 50, tzinfo=UTC))
    assert not cron_matches(working_hours, datetime(2026, 11, 21, 10, 0, tzinfo=UTC))  # Saturday
    assert cron_matches(
        "cron(30 17 1,15 JAN,JUL ? 2027)", datetime(2027, 7, 15, 17, 30, tzinfo=UTC)
    )
    assert not cron_matches("rate(5 minutes)", datetime(2027, 7, 15, 17, 30, tzinfo=UTC))
