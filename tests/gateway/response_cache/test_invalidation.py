"""The whole-response cache: invalidation, single-flight, what the sources record, Redis."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from redis.asyncio import Redis

from connectors.cache import MemoryCache
from connectors.guard import CachePolicy
from connectors.invalidation import InvalidationEvent, Invalidator
from connectors.redis_cache import RedisCache
from connectors.trace import Recorder
from gateway.bootstrap import build_stack
from gateway.response_cache import ResponseCache
from kernel.clock import SystemClock
from tests.clocks import ManualClock
from tests.gateway.response_cache.support import (
    PRODUCT_QUERY,
    TTLS,
    FakeGraphQL,
    Setup,
    client_of,
    product_guard,
    products,
    with_errors,
)
from tests.servers import require_redis

pytestmark = pytest.mark.anyio


# --- invalidation ------------------------------------------------------------------------


async def test_an_event_for_a_product_drops_the_responses_that_showed_it(setup):
    # given: two responses read through the guard, one showing p1 and p2, one only p3
    guard = product_guard(setup.clock, setup.backend)
    invalidator = Invalidator([setup.backend], [setup.cache.on_invalidation])
    shown: list[str] = []

    async def read(recorder: Recorder) -> None:
        await guard.bound(recorder).batch("products", shown, products, policy=CachePolicy(ttl=3600))

    setup.app.reads = {}
    setup.app.read = read
    shown[:] = ["p1", "p2"]
    await setup.get(variables={"ids": ["p1", "p2"]})
    shown[:] = ["p3"]
    await setup.get(variables={"ids": ["p3"]})
    # when
    await invalidator.apply(InvalidationEvent("pim", "product", ["p2"]))
    # then
    shown[:] = ["p1", "p2"]
    dropped = await setup.get(variables={"ids": ["p1", "p2"]})
    kept = await setup.get(variables={"ids": ["p3"]})
    assert [dropped.headers["x-cache"], kept.headers["x-cache"]] == ["MISS", "HIT"]
    assert setup.app.runs == 3


async def test_the_listener_alone_drops_responses_from_a_local_backend(setup):
    await setup.get(variables={"id": "p1"})
    await setup.cache.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
    reply = await setup.get(variables={"id": "p1"})
    assert reply.headers["x-cache"] == "MISS"


async def test_missed_events_drop_every_response_but_not_the_sources_entries(setup):
    guard = product_guard(setup.clock, setup.backend)
    setup.app.read = lambda recorder: guard.bound(recorder).batch(
        "products", ["p9"], products, policy=CachePolicy(ttl=60)
    )
    await setup.get(variables={"id": "p1"})
    await setup.get(variables={"id": "p2"})
    assert len(setup.backend) == 3  # two responses and the product
    await setup.cache.on_invalidation(None)
    assert len(setup.backend) == 1
    assert (await setup.get(variables={"id": "p1"})).headers["x-cache"] == "MISS"


async def test_a_response_computed_while_its_data_changed_is_not_stored(setup):
    setup.app.gate = asyncio.Event()
    request = asyncio.create_task(setup.get(variables={"id": "p1"}))
    await setup.app.started.wait()
    await setup.cache.on_invalidation(InvalidationEvent("pim", "product", ["p2"]))  # not shown
    await setup.cache.on_invalidation(InvalidationEvent("crm", "customer", ["p1"]))  # private
    await setup.cache.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
    setup.app.gate.set()
    reply = await request
    assert reply.json() == setup.app.payload
    assert reply.headers["cache-control"] == "private, no-store"
    assert len(setup.backend) == 0


# --- single-flight -----------------------------------------------------------------------


async def concurrent(setup: Setup, count: int) -> list[httpx.Response]:
    setup.app.gate = asyncio.Event()
    requests = [asyncio.create_task(setup.get(variables={"id": "p1"})) for _ in range(count)]
    setup.backend.expected = count
    await setup.backend.all_looked.wait()
    await asyncio.sleep(0.01)  # let the last lookups reach the flight
    setup.app.gate.set()
    return list(await asyncio.gather(*requests))


async def test_twenty_concurrent_identical_misses_run_the_query_once(setup):
    replies = await concurrent(setup, 20)
    assert setup.app.runs == 1
    assert sorted(reply.headers["x-cache"] for reply in replies) == ["HIT"] * 19 + ["MISS"]
    assert {reply.content for reply in replies} == {replies[0].content}


async def test_waiters_run_the_query_themselves_when_the_answer_is_not_storable(setup):
    with_errors(setup.app)
    replies = await concurrent(setup, 5)
    assert setup.app.runs == 5
    assert {reply.headers["x-cache"] for reply in replies} == {"MISS"}


# --- what the sources record --------------------------------------------------------------


async def test_the_recorder_notes_every_key_asked_cached_or_not_and_every_source_called():
    clock = ManualClock(1_800_000_000.0)
    guard = product_guard(clock, MemoryCache(clock=clock))
    policy = CachePolicy(ttl=60)
    await guard.batch("products", ["p1"], products, policy=policy)
    recorder = Recorder()
    await guard.bound(recorder).batch(
        "products",
        ["p1", "p2", "p404"],
        lambda ids: products([id_ for id_ in ids if id_ != "p404"]),
        policy=policy,
        tags_of=lambda key, value: [f"pim:category-of-{key}"],
    )
    search = build_stack("search", cache=None, timeout=1.0, clock=SystemClock())
    await search.bound(recorder).call("find", 1, lambda: products([]))
    assert recorder.reads.sources == {"pim", "search"}
    assert recorder.reads.tags == {
        "pim:p1",
        "pim:p2",
        "pim:p404",
        "pim:category-of-p1",
        "pim:category-of-p2",
    }
    assert recorder.calls.cache_hits == {"pim": 1}
    assert recorder.reads.expires_at is None


# --- Redis -------------------------------------------------------------------------------


@pytest.mark.redis
async def test_a_response_round_trips_through_redis_and_is_dropped_by_its_tags():
    client = Redis.from_url(require_redis())
    backend = RedisCache(client, prefix=f"cgtest:{uuid.uuid4().hex[:12]}:", clock=SystemClock())
    try:
        cache = ResponseCache(backend, ttl_by_source=TTLS, clock=SystemClock())
        app = FakeGraphQL()
        async with client_of(cache, app) as http:
            first = await http.get("/graphql", params={"query": PRODUCT_QUERY})
            second = await http.get("/graphql", params={"query": PRODUCT_QUERY})
            await cache.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
            kept = await http.get("/graphql", params={"query": PRODUCT_QUERY})
            assert await backend.invalidate_tags(InvalidationEvent("pim", "p", ["p1"]).tags()) == 1
            dropped = await http.get("/graphql", params={"query": PRODUCT_QUERY})
        assert [r.headers["x-cache"] for r in (first, second, kept, dropped)] == [
            "MISS",
            "HIT",
            "HIT",  # a shared backend is cleaned by the Invalidator of the publishing instance
            "MISS",
        ]
        assert second.content == first.content
        assert app.runs == 2
    finally:
        await backend.clear()
        await client.aclose()
