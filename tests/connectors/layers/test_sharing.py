"""The single-flight layer: concurrent misses share one fetch, its failure and its fate."""

from __future__ import annotations

import asyncio

import pytest

from connectors.errors import (
    SourceUnavailable,
)
from connectors.invalidation import InvalidationEvent
from tests.connectors.layers.support import CACHED, Source, down, guard_for
from tests.waiting import eventually

pytestmark = pytest.mark.anyio


# --- single-flight ------------------------------------------------------------------------


async def test_one_hundred_concurrent_misses_of_a_key_make_one_source_call():
    guard, _ = guard_for()
    source = Source(delay=0.01)

    answers = await asyncio.gather(
        *(guard.batch("products", ["p1"], source.fetch, policy=CACHED) for _ in range(100))
    )

    assert source.calls == [["p1"]]
    assert all(answer == {"p1": "p1@1"} for answer in answers)


async def test_overlapping_batches_fetch_only_the_keys_not_already_in_flight():
    guard, _ = guard_for()
    source = Source(delay=0.01)

    first, second = await asyncio.gather(
        guard.batch("products", ["p1", "p2"], source.fetch, policy=CACHED),
        guard.batch("products", ["p2", "p3"], source.fetch, policy=CACHED),
    )

    assert source.calls == [["p1", "p2"], ["p3"]]
    assert first == {"p1": "p1@1", "p2": "p2@1"}
    assert second == {"p2": "p2@1", "p3": "p3@1"}


async def test_concurrent_misses_share_the_failure_too():
    guard, _ = guard_for()
    source = Source(delay=0.01)
    source.failures.append(down())

    results = await asyncio.gather(
        *(guard.batch("products", ["p1"], source.fetch, policy=CACHED) for _ in range(10)),
        return_exceptions=True,
    )

    assert len(source.calls) == 1
    assert all(isinstance(result, SourceUnavailable) for result in results)


async def test_a_cancelled_caller_does_not_cancel_the_fetch_others_wait_for():
    guard, _ = guard_for()
    source = Source()
    source.gate = asyncio.Event()

    leader = asyncio.create_task(guard.batch("products", ["p1"], source.fetch, policy=CACHED))
    follower = asyncio.create_task(guard.batch("products", ["p1"], source.fetch, policy=CACHED))
    await eventually(lambda: source.in_flight == 1)
    leader.cancel()
    await asyncio.sleep(0)
    source.gate.set()

    assert await follower == {"p1": "p1@1"}
    assert leader.cancelled()
    assert len(source.calls) == 1


async def test_a_live_read_does_not_join_a_fetch_that_a_listing_started():
    guard, _ = guard_for()
    source = Source(delay=0.01)

    await asyncio.gather(
        guard.batch("stock", ["v1"], source.fetch, policy=CACHED),
        guard.batch("stock", ["v1"], source.fetch, policy=CACHED, live=True),
        guard.batch("stock", ["v1"], source.fetch, policy=CACHED),
    )

    assert source.calls == [["v1"], ["v1"]]


async def test_an_answer_fetched_across_an_invalidation_is_not_cached():
    guard, cache = guard_for()
    source = Source()
    source.gate = asyncio.Event()

    pending = asyncio.create_task(
        guard.batch("products", ["p1", "p2"], source.fetch, policy=CACHED)
    )
    await eventually(lambda: source.in_flight == 1)
    await guard.shared.on_invalidation(InvalidationEvent("pricing", "price", ["p1"]))
    await guard.shared.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
    source.version = 2
    after = asyncio.create_task(guard.batch("products", ["p1"], source.fetch, policy=CACHED))
    await eventually(lambda: source.in_flight == 2)
    source.gate.set()

    assert await pending == {"p1": "p1@1", "p2": "p2@1"}
    assert await after == {"p1": "p1@2"}
    assert len(source.calls) == 2
    assert len(cache) == 1  # only the answer fetched after the change


async def test_missed_invalidations_discard_every_fetch_in_flight():
    guard, cache = guard_for()
    source = Source()
    source.gate = asyncio.Event()

    pending = asyncio.create_task(guard.batch("products", ["p1"], source.fetch, policy=CACHED))
    await eventually(lambda: source.in_flight == 1)
    await guard.shared.on_invalidation(None)
    source.gate.set()

    assert await pending == {"p1": "p1@1"}
    assert len(cache) == 0
