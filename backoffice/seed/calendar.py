"""The seed's sense of time: every date derives from `today`, never from the running clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from kernel.clock import noon


@dataclass(frozen=True, slots=True)
class Calendar:
    """Moments anchored on `today`; `now` is today at noon UTC, the seed's present.

    A fixed present, not the clock's: the same day gives the same data at any hour.
    """

    today: date

    @property
    def now(self) -> datetime:
        return noon(self.today)

    @property
    def week_start(self) -> datetime:
        """Monday 00:00 UTC of today's ISO week: promotions "this week" start here."""
        return self.midnight(self.today - timedelta(days=self.today.weekday()))

    @property
    def month_start(self) -> datetime:
        return self.midnight(self.today.replace(day=1))

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0, 0), tzinfo=UTC)

    def days_ago(self, days: float, *, at: time | None = None) -> datetime:
        """A moment `days` before now, or at `at` o'clock UTC on the day that many days ago."""
        if at is None:
            return self.now - timedelta(days=days)
        return datetime.combine(self.today - timedelta(days=days), at, tzinfo=UTC)

    def black_friday(self) -> datetime:
        """The start of the latest Black Friday weekend (fourth Friday of November) already over."""
        year = self.today.year
        while True:
            first = date(year, 11, 1)
            friday = first + timedelta(days=(4 - first.weekday()) % 7 + 21)
            start = self.midnight(friday)
            if start + timedelta(days=4) <= self.week_start:
                return start
            year -= 1
