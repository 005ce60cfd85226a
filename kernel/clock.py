"""What time it is: the one clock every layer reads the calendar from, so a process can run as of another day.

The composition roots (`gateway.bootstrap`, `backoffice.serve`, the `seed` command) build one
clock and pass it to whatever needs "now": the price engine and the inventory, the caches'
freshness, the request context, the seed. Production uses `SystemClock()`; `on_day(day)`
moves the system clock by whole days (`GATEWAY_CLOCK__TODAY`), tests pin it.

Durations (timeouts, backoff, circuit breakers, token lifetimes) are not calendar and stay
on `time.monotonic` or the real clock: a process running as of next year still times out
after two seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol


class Clock(Protocol):
    """The present, as one process sees it."""

    def now(self) -> datetime:
        """The present moment, timezone-aware, in UTC."""
        ...

    def today(self) -> date:
        """The present day in UTC (the date of `now()`)."""
        ...


@dataclass(frozen=True, slots=True)
class SystemClock:
    """The system clock, moved by `offset` (zero in production); time passes as it does."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        return self.now().date()


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock that stands still at `at`: for comparing answers that carry "now"."""

    at: datetime

    def __post_init__(self) -> None:
        if self.at.utcoffset() != timedelta(0):
            raise ValueError(f"a clock tells UTC time, got {self.at.isoformat()}")

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


def on_day(day: date | None) -> SystemClock:
    """The system clock moved by whole days so that today is `day` (None: not moved).

    Whole days keep the time of day, so the hours of a store and the end of a day fall
    where they fall on the wall clock; the process crosses midnight as the system does.
    """
    if day is None:
        return SystemClock()
    return SystemClock(timedelta(days=(day - datetime.now(UTC).date()).days))


def starting_at(moment: datetime) -> SystemClock:
    """A clock that reads `moment` now and runs on from there (tests pin the present so)."""
    return SystemClock(moment - datetime.now(UTC))


def noon(day: date) -> datetime:
    """Noon UTC of `day`: the seed's present, far from either end of the day."""
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def epoch_seconds(clock: Clock) -> float:
    """`clock`'s present as Unix seconds, the unit cache entries carry."""
    return clock.now().timestamp()
