"""EventBridge Scheduler's cron expressions, for the local stack to fire schedules by the clock.

AWS cron has six fields: minutes hours day-of-month month day-of-week year, with `?` for "any"
in one of the day fields, names for days (MON…SUN) and months (JAN…DEC), lists, ranges and
steps. Days of the week count SUN=1 … SAT=7, as in AWS.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DAY_NAMES = {
    name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)
}
MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}


def _matches(field: str, value: int, names: dict[str, int]) -> bool:
    if field in ("*", "?"):
        return True
    for part in field.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            low, high = 0, 10_000
        elif "-" in spec:
            start, end = spec.split("-")
            low, high = int(names.get(start, start)), int(names.get(end, end))
        else:
            low = int(names.get(spec, spec))
            high = low if not step_text else 10_000
        if low <= value <= high and (value - low) % step == 0:
            return True
    return False


def cron_matches(expression: str, moment: datetime, timezone: str = "UTC") -> bool:
    """True when `cron(...)` fires in the minute of `moment` (seen in `timezone`)."""
    if not expression.startswith("cron(") or not expression.endswith(")"):
        return False  # rate() and at() schedules are not fired locally
    minutes, hours, day, month, weekday, year = expression[5:-1].split()
    local = moment.astimezone(ZoneInfo(timezone))
    aws_weekday = (local.isoweekday() % 7) + 1  # SUN=1 … SAT=7
    return (
        _matches(minutes, local.minute, {})
        and _matches(hours, local.hour, {})
        and _matches(day, local.day, {})
        and _matches(month, local.month, MONTH_NAMES)
        and _matches(weekday, aws_weekday, DAY_NAMES)
        and _matches(year, local.year, {})
    )
