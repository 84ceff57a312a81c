"""Five-field cron expressions ("min hour day-of-month month day-of-week"), as scheduled actions
use them, and the next time one fires in a time zone (DST-aware, through `zoneinfo`).

Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, month and day
names (`JAN`, `MON`); day of week 0-7 with 0 and 7 both Sunday. As in cron, when both day of
month and day of week are restricted, a day matching either one fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_DAYS = {
    name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))
}
_HORIZON_DAYS = 366 * 5


class CronError(ValueError):
    """Not a valid five-field cron expression."""


def _field(text: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"bad step in {text!r}")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = _value(first, names), _value(last, names)
        else:
            start = _value(part, names)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise CronError(f"{text!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int]) -> int:
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise CronError(f"{text!r} is not a number")
    return int(text)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, expression: str) -> Cron:
        parts = expression.split()
        if len(parts) != 5:
            raise CronError("a cron expression has five fields")
        weekdays = _field(parts[4], 0, 7, _DAYS)
        if 7 in weekdays:
            weekdays = (weekdays - {7}) | {0}
        return cls(
            frozenset(_field(parts[0], 0, 59, {})),
            frozenset(_field(parts[1], 0, 23, {})),
            frozenset(_field(parts[2], 1, 31, {})),
            frozenset(_field(parts[3], 1, 12, _MONTHS)),
            frozenset(weekdays),
            parts[2] == "*",
            parts[4] == "*",
        )

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return in_month and in_week
        return in_month or in_week

    def next_after(self, moment: float, zone: str = "UTC") -> float | None:
        """The first firing strictly after `moment` (epoch seconds); None within five years."""
        tz = ZoneInfo(zone)
        local = datetime.fromtimestamp(moment, UTC).astimezone(tz).replace(tzinfo=None)
        start = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(_HORIZON_DAYS):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate < start:
                            continue
                        aware = candidate.replace(tzinfo=tz)
                        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != candidate:
                            continue  # a wall-clock time skipped by a DST change
                        return aware.timestamp()
            day += timedelta(days=1)
        return None
