"""What the layer tests share: a fake source, and a stack assembled as the gateway does it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from connectors.cache import MemoryCache
from connectors.errors import SourceUnavailable
from connectors.guard import CachePolicy, SourceGuard
from connectors.layers.requests import Call
from gateway.bootstrap import build_stack
from tests.clocks import ManualClock

CACHED = CachePolicy(ttl=10)

T = TypeVar("T")


class Source:
    """A fake source: answers "<key>@<version>", records each call, fails on demand."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.calls: list[list[str]] = []
        self.version = 1
        self.delay = delay
        self.failures: list[Exception] = []
        self.in_flight = 0
        self.most_in_flight = 0
        # Closed: every call waits until the test opens it (an ordering, not a duration).
        self.gate: asyncio.Event | None = None

    async def fetch(self, keys: list[str]) -> Mapping[str, str]:
        self.calls.append(list(keys))
        version = self.version  # what the source holds when asked
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.failures:
                raise self.failures.pop(0)
            return {key: f"{key}@{version}" for key in keys if not key.startswith("unknown")}
        finally:
            self.in_flight -= 1


def state_of(guard: SourceGuard) -> str:
    # A function, not the property, so mypy does not narrow it across a clock change.
    return guard.breaker.state


def down() -> SourceUnavailable:
    return SourceUnavailable("pim", "503 from the PIM")


def guard_for(clock: ManualClock | None = None, **kwargs: Any) -> tuple[SourceGuard, MemoryCache]:
    """The "pim" stack over a memory cache, both on `clock`; `kwargs` go to `build_stack`."""
    clock = clock or ManualClock()
    cache = MemoryCache(clock=clock)
    kwargs.setdefault("timeout", 1.0)
    kwargs.setdefault("timer", clock)  # the breaker's reset time moves with the test's clock
    return build_stack("pim", cache=cache, clock=clock, **kwargs), cache


class Scripted:
    """A layer that answers each attempt from a script: raises an exception, returns the rest."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.attempts: list[Call[Any]] = []
        #: Each attempt's (limit, budget) as it arrived.
        self.bounds: list[tuple[float, float]] = []

    async def call(self, call: Call[T]) -> T:
        self.attempts.append(call)
        self.bounds.append((call.limit, call.budget))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return cast(T, outcome)
