"""The cache layer: read-through with freshness, scope, tags, live reads, write-behind,
stale-while-revalidate and stale-if-error."""

from __future__ import annotations

import asyncio

import pytest

from connectors.cache import MemoryCache
from connectors.errors import (
    SourceRejected,
    SourceUnavailable,
)
from connectors.guard import CachePolicy
from connectors.invalidation import InvalidationEvent
from connectors.trace import Recorder, WriteBehind
from gateway.bootstrap import build_stack
from kernel.clock import SystemClock
from tests.clocks import ManualClock
from tests.connectors.layers.support import CACHED, Source, down, guard_for

pytestmark = pytest.mark.anyio


# --- caching ------------------------------------------------------------------------------


async def test_a_requests_answers_are_cached_once_its_response_is_out():
    guard, cache = guard_for()
    source = Source()
    responded = asyncio.Event()

    recorder = Recorder(writes=WriteBehind(responded))
    answered = await guard.bound(recorder).batch("products", ["p1"], source.fetch, policy=CACHED)
    # Answered, not yet cached; a request meanwhile joins the fetch instead of making one.
    assert answered == {"p1": "p1@1"}
    assert len(cache) == 0
    assert await guard.batch("products", ["p1"], source.fetch, policy=CACHED) == answered
    assert len(source.calls) == 1

    responded.set()
    await asyncio.wait(recorder.writes.writes)

    assert len(cache) == 1
    later = Recorder()
    assert (
        await guard.bound(later).batch("products", ["p1"], source.fetch, policy=CACHED) == answered
    )
    assert later.calls.cache_hits["pim"] == 1
    assert len(source.calls) == 1


async def test_an_answer_that_changed_before_its_response_was_out_is_not_cached():
    guard, cache = guard_for()
    source = Source()
    responded = asyncio.Event()
    recorder = Recorder(writes=WriteBehind(responded))
    await guard.bound(recorder).batch("products", ["p1"], source.fetch, policy=CACHED)

    await guard.shared.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
    responded.set()
    await asyncio.wait(recorder.writes.writes)

    assert len(cache) == 0


async def test_a_second_batch_is_answered_from_the_cache():
    guard, _ = guard_for()
    source = Source()

    first = await guard.batch("products", ["p1", "p2"], source.fetch, policy=CACHED)
    recorder = Recorder()
    second = await guard.bound(recorder).batch(
        "products", ["p2", "p1", "p3"], source.fetch, policy=CACHED
    )

    assert first == {"p1": "p1@1", "p2": "p2@1"}
    assert second == {"p1": "p1@1", "p2": "p2@1", "p3": "p3@1"}
    assert source.calls == [["p1", "p2"], ["p3"]]
    assert recorder.calls.cache_hits == {"pim": 2}
    assert recorder.calls.calls_by_source() == {"pim": 1}


async def test_unknown_keys_are_absent_and_not_cached():
    guard, cache = guard_for()
    source = Source()

    found = await guard.batch("products", ["unknown1", "p1"], source.fetch, policy=CACHED)

    assert found == {"p1": "p1@1"}
    assert len(cache) == 1


async def test_an_empty_batch_calls_nothing():
    guard, _ = guard_for()
    source = Source()

    assert await guard.batch("products", [], source.fetch, policy=CACHED) == {}
    assert source.calls == []


async def test_entries_expire_after_their_ttl():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    source.version = 2

    clock.seconds += 9.9
    before = await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    clock.seconds += 0.1
    after = await guard.batch("products", ["p1"], source.fetch, policy=CACHED)

    assert (before, after) == ({"p1": "p1@1"}, {"p1": "p1@2"})
    assert len(source.calls) == 2


async def test_scope_keeps_answers_for_different_contexts_apart():
    guard, _ = guard_for()
    source = Source()

    await guard.batch("prices", ["v1"], source.fetch, policy=CACHED, scope="web|1|-")
    await guard.batch("prices", ["v1"], source.fetch, policy=CACHED, scope="store|1|-")
    await guard.batch("prices", ["v1"], source.fetch, policy=CACHED, scope="web|1|-")

    assert source.calls == [["v1"], ["v1"]]


async def test_a_price_is_never_served_past_its_boundary_fresh_or_stale():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    boundary = clock.seconds + 5
    policy = CachePolicy(ttl=60, stale=600, revalidate=600)

    await guard.batch("prices", ["v1"], source.fetch, policy=policy, expires_at=lambda _: boundary)
    clock.seconds += 4.9
    await guard.batch("prices", ["v1"], source.fetch, policy=policy, expires_at=lambda _: boundary)
    assert len(source.calls) == 1

    clock.seconds += 0.1
    source.failures.append(down())
    with pytest.raises(SourceUnavailable):
        await guard.batch(
            "prices", ["v1"], source.fetch, policy=policy, expires_at=lambda _: boundary
        )
    assert len(source.calls) == 2


async def test_a_value_already_past_its_boundary_is_not_stored():
    clock = ManualClock()
    guard, cache = guard_for(clock)
    source = Source()

    await guard.batch(
        "prices", ["v1"], source.fetch, policy=CACHED, expires_at=lambda _: clock.seconds - 1
    )

    assert len(cache) == 0


async def test_live_reads_skip_the_cache_but_refresh_it():
    guard, _ = guard_for()
    source = Source()
    await guard.batch("stock", ["v1"], source.fetch, policy=CACHED)
    source.version = 2

    live = await guard.batch("stock", ["v1"], source.fetch, policy=CACHED, live=True)
    listing = await guard.batch("stock", ["v1"], source.fetch, policy=CACHED)

    assert live == listing == {"v1": "v1@2"}
    assert len(source.calls) == 2


async def test_private_data_never_goes_to_a_shared_cache():
    class SharedMemoryCache(MemoryCache):
        shared = True

    cache = SharedMemoryCache(clock=SystemClock())
    guard = build_stack("crm", cache=cache, timeout=1.0, clock=ManualClock())
    source = Source()

    await guard.batch("customers", ["c1"], source.fetch, policy=CachePolicy(ttl=10, private=True))

    assert len(cache) == 0


async def test_entries_are_tagged_with_their_key_and_the_extra_tags_given():
    guard, cache = guard_for()
    source = Source()
    for scope in ("web|1|-", "store|1|-"):
        await guard.batch("prices", ["v1", "v2"], source.fetch, policy=CACHED, scope=scope)
    await guard.batch(
        "products_by_sku", ["sku1"], source.fetch, policy=CACHED, tags_of=lambda k, v: ["pim:p9"]
    )

    assert await cache.invalidate_tags(["pim:v1"]) == 2
    assert await cache.invalidate_tags(["pim:p9"]) == 1
    assert len(cache) == 2


# --- stale-if-error and stale-while-revalidate -----------------------------------------------


async def test_stale_entries_are_served_when_the_source_is_down_and_marked_in_the_trace():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, stale=60)
    await guard.batch("products", ["p1", "p2"], source.fetch, policy=policy)
    clock.seconds += 30
    source.failures.append(down())

    recorder = Recorder()
    found = await guard.bound(recorder).batch("products", ["p1", "p2"], source.fetch, policy=policy)

    assert found == {"p1": "p1@1", "p2": "p2@1"}
    assert recorder.reads.stale_served == {"pim": 2}
    assert recorder.summary()["sources"] == {
        "pim": {"calls": 1, "keys": 2, "ms": pytest.approx(0, abs=50), "staleServed": 2}
    }


async def test_stale_entries_are_not_served_when_some_missing_key_has_none():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, stale=60)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    clock.seconds += 30
    source.failures.append(down())

    with pytest.raises(SourceUnavailable):
        await guard.batch("products", ["p1", "p2"], source.fetch, policy=policy)


async def test_stale_entries_are_not_served_when_the_source_rejects_the_request():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, stale=60)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    clock.seconds += 30
    source.failures.append(SourceRejected("pim", "400"))

    with pytest.raises(SourceRejected):
        await guard.batch("products", ["p1"], source.fetch, policy=policy)


async def test_stale_while_revalidate_answers_at_once_and_refreshes_once_in_the_background():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source(delay=0.01)
    policy = CachePolicy(ttl=10, revalidate=30)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    source.version = 2
    clock.seconds += 15

    recorder = Recorder()
    answers = await asyncio.gather(
        *(
            guard.bound(recorder).batch("products", ["p1"], source.fetch, policy=policy)
            for _ in range(5)
        )
    )
    assert answers == [{"p1": "p1@1"}] * 5
    assert recorder.calls.calls == []  # the refresh belongs to no request
    assert recorder.calls.cache_hits == {"pim": 5}

    await guard.wait_background()
    assert len(source.calls) == 2
    assert await guard.batch("products", ["p1"], source.fetch, policy=policy) == {"p1": "p1@2"}
    assert len(source.calls) == 2


async def test_past_the_revalidate_window_the_caller_waits_for_the_source():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, revalidate=30)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    source.version = 2
    clock.seconds += 40

    assert await guard.batch("products", ["p1"], source.fetch, policy=policy) == {"p1": "p1@2"}


async def test_a_failed_background_refresh_keeps_serving_the_entry():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, revalidate=30)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    clock.seconds += 15
    source.failures.append(down())

    assert await guard.batch("products", ["p1"], source.fetch, policy=policy) == {"p1": "p1@1"}
    await guard.wait_background()

    assert await guard.batch("products", ["p1"], source.fetch, policy=policy) == {"p1": "p1@1"}
    await guard.wait_background()
    assert len(source.calls) == 3
