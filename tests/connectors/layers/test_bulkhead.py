"""The bulkhead layer: at most so many calls in flight; a long wait is not the source's fault."""

from __future__ import annotations

import asyncio
import functools

import pytest

from connectors.errors import (
    SourceTimeout,
)
from connectors.resilience import ResiliencePolicy
from tests.connectors.layers.support import Source, guard_for

pytestmark = pytest.mark.anyio


async def test_concurrent_calls_to_a_source_are_capped():
    policy = ResiliencePolicy(retries=0, max_concurrency=3)
    guard, _ = guard_for(resilience=policy)
    source = Source(delay=0.01)

    await asyncio.gather(
        *(guard.call("search", 1, functools.partial(source.fetch, [f"q{i}"])) for i in range(10))
    )

    assert len(source.calls) == 10
    assert source.most_in_flight == 3


async def test_waiting_too_long_for_a_slot_times_out_without_blaming_the_source():
    policy = ResiliencePolicy(retries=0, max_concurrency=1, breaker_failures=5)
    guard, _ = guard_for(resilience=policy, timeout=0.05)

    async def stubborn() -> str:
        # An adapter slow to honour cancellation keeps its slot past our deadline.
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            await asyncio.sleep(0.1)
            raise
        return "never"

    first, second = await asyncio.gather(
        guard.call("search", 1, stubborn),
        guard.call("search", 1, stubborn),
        return_exceptions=True,
    )

    assert isinstance(first, SourceTimeout)
    assert "no answer to search" in str(first)
    assert isinstance(second, SourceTimeout)
    assert "no free slot for search" in str(second)
    assert guard.breaker.consecutive_failures == 1
