"""The breaker layer: fails fast while the source keeps failing, a trial closes it."""

from __future__ import annotations

import pytest

from connectors.errors import (
    SourceUnavailable,
)
from connectors.guard import CachePolicy
from connectors.resilience import ResiliencePolicy
from connectors.trace import Recorder
from tests.clocks import ManualClock
from tests.connectors.layers.support import CACHED, Source, down, guard_for, state_of

pytestmark = pytest.mark.anyio


async def test_the_breaker_opens_fails_fast_and_closes_after_a_good_trial():
    clock = ManualClock()
    policy = ResiliencePolicy(retries=0, breaker_failures=3, breaker_reset_seconds=10)
    guard, _ = guard_for(clock, resilience=policy)
    source = Source()
    source.failures += [down(), down(), down()]
    for _ in range(3):
        with pytest.raises(SourceUnavailable, match="503"):
            await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    assert guard.breaker.state == "open"

    with pytest.raises(SourceUnavailable, match="circuit open"):
        await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    assert len(source.calls) == 3

    clock.seconds += 10
    assert state_of(guard) == "half_open"
    assert await guard.batch("products", ["p1"], source.fetch, policy=CACHED) == {"p1": "p1@1"}
    assert state_of(guard) == "closed"
    assert len(source.calls) == 4


async def test_a_failing_trial_reopens_the_breaker():
    clock = ManualClock()
    policy = ResiliencePolicy(retries=0, breaker_failures=1, breaker_reset_seconds=10)
    guard, _ = guard_for(clock, resilience=policy)
    source = Source()
    source.failures += [down(), down()]
    with pytest.raises(SourceUnavailable):
        await guard.call("search", 1, lambda: source.fetch(["q"]))
    clock.seconds += 10

    with pytest.raises(SourceUnavailable, match="503"):
        await guard.call("search", 1, lambda: source.fetch(["q"]))

    assert guard.breaker.state == "open"
    with pytest.raises(SourceUnavailable, match="circuit open"):
        await guard.call("search", 1, lambda: source.fetch(["q"]))


async def test_stale_entries_are_served_while_the_breaker_is_open():
    clock = ManualClock()
    policy = ResiliencePolicy(retries=0, breaker_failures=1, breaker_reset_seconds=60)
    guard, _ = guard_for(clock, resilience=policy)
    source = Source()
    cache_policy = CachePolicy(ttl=10, stale=300)
    await guard.batch("products", ["p1"], source.fetch, policy=cache_policy)
    clock.seconds += 20
    source.failures.append(down())
    await guard.batch("products", ["p1"], source.fetch, policy=cache_policy)
    assert guard.breaker.state == "open"

    recorder = Recorder()
    found = await guard.bound(recorder).batch("products", ["p1"], source.fetch, policy=cache_policy)

    assert found == {"p1": "p1@1"}
    assert recorder.reads.stale_served == {"pim": 1}
    assert len(source.calls) == 2
