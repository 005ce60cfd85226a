"""The assembled stack: its layers in order, and what a shared fetch records for each request."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from connectors.guard import CachePolicy
from connectors.layers.adapter import Adapter
from connectors.layers.breaker import Breaker
from connectors.layers.bulkhead import Bulkhead
from connectors.layers.cache import Cache
from connectors.layers.flights import SingleFlight
from connectors.layers.observe import Observe
from connectors.layers.retry import Retry
from connectors.layers.sharing import SharedFetch
from connectors.layers.timeout import Timeout
from connectors.resilience import ResiliencePolicy
from connectors.trace import Recorder
from tests.clocks import ManualClock
from tests.connectors.layers.support import Source, guard_for
from tests.waiting import eventually

pytestmark = pytest.mark.anyio


def layers_below(top: Any) -> list[type]:
    """The classes of `top` and of every layer under it, following each one's inner layer."""
    found: list[type] = []
    layer = top
    while layer is not None:
        found.append(type(layer))
        layer = getattr(layer, "_inner", None)
    return found


async def test_the_stack_is_cache_single_flight_retry_observe_breaker_bulkhead_timeout_adapter():
    guard, _ = guard_for(resilience=ResiliencePolicy())

    assert layers_below(guard.reads) == [
        Cache,
        SharedFetch,
        Retry,
        Observe,
        Breaker,
        Bulkhead,
        Timeout,
        Adapter,
    ]
    # Calls (carts, writes) take the same stack without the cache and the single-flight.
    assert layers_below(guard.calls) == layers_below(guard.reads)[2:]
    assert guard.reads._inner is guard.shared
    assert guard.shared._inner is guard.calls


async def test_the_leader_logs_the_shared_call_and_every_joiner_notes_what_it_read():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    source.gate = asyncio.Event()
    boundary = clock.seconds + 60
    policy = CachePolicy(ttl=600)
    leader, joiner = Recorder(), Recorder()

    def read(recorder: Recorder) -> asyncio.Task[dict[str, str]]:
        return asyncio.create_task(
            guard.bound(recorder).batch(
                "prices",
                ["v1"],
                source.fetch,
                policy=policy,
                expires_at=lambda _: boundary,
                tags_of=lambda key, _: [f"pim:product-of-{key}"],
            )
        )

    first = read(leader)
    await eventually(lambda: source.in_flight == 1)
    second = read(joiner)
    await asyncio.sleep(0)
    source.gate.set()

    assert await first == await second == {"v1": "v1@1"}
    assert len(source.calls) == 1
    assert [call.operation for call in leader.calls.calls] == ["prices"]
    assert joiner.calls.calls == []
    for recorder in (leader, joiner):
        assert recorder.reads.sources == {"pim"}
        assert recorder.reads.tags == {"pim:v1", "pim:product-of-v1"}
        assert recorder.reads.expires_at == boundary


async def test_a_flight_is_joinable_until_closed_and_discarded_by_the_tags_it_read():
    flights: SingleFlight[str] = SingleFlight()
    tags: set[str] = set()
    flight = flights.open(["k"], tags)
    unkeyed = flights.open([], {"pim:p2"})

    assert flights.join("k") is flight
    assert flights.join("k", live=True) is None  # a live caller joins live flights only
    tags.add("pim:p1")  # noted while the flight runs
    assert flights.discard(["pim:p1"]) == [flight]
    assert flight.discarded
    assert not unkeyed.discarded
    assert flights.join("k") is None
    assert flights.discard(None) == [unkeyed]
