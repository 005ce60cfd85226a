"""A clock that moves only when a test says so, for caches, guards and breakers under test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kernel.clock import Clock


class ManualClock:
    """`seconds` is the present in Unix seconds; a test sets it or adds to it.

    It is both a `kernel.clock.Clock` (for cache freshness) and a plain `() -> float` timer
    (for a breaker), so one object drives both in a test.
    """

    def __init__(self, seconds: float = 1_000_000.0) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.seconds, UTC)

    def today(self) -> date:
        return self.now().date()


class ShiftedClock:
    """`base` moved by `offset`, which a test advances to jump ahead (a voucher expiring)."""

    def __init__(self, base: Clock) -> None:
        self.base = base
        self.offset = timedelta(0)

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def today(self) -> date:
        return self.now().date()
