from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from redis.asyncio import Redis

from connectors.cache import CacheEntry, MemoryCache
from connectors.invalidation import (
    InvalidationEvent,
    Invalidator,
    LocalInvalidationBus,
    RedisInvalidationBus,
)
from connectors.redis_cache import RedisCache
from kernel.clock import SystemClock
from tests.connectors.conftest import fast_redis
from tests.servers import RedisProcess, require_redis
from tests.waiting import eventually

pytestmark = pytest.mark.anyio

PRODUCT = InvalidationEvent("pim", "product", ["p00001"])


def entry(value: object) -> CacheEntry:
    now = time.time()
    return CacheEntry(value, now, now + 60, now + 120)


async def cache_holding(*keys: str) -> MemoryCache:
    """A memory cache with one entry per source key, tagged as SourceGuard tags them."""
    cache = MemoryCache(clock=SystemClock())
    await cache.set_many(
        {f"pim:products::{key}": entry(key) for key in keys},
        {f"pim:products::{key}": [f"pim:{key}"] for key in keys},
    )
    return cache


class Heard:
    """A listener (e.g. a response cache) that records what it was told."""

    def __init__(self) -> None:
        self.events: list[InvalidationEvent | None] = []

    async def __call__(self, event: InvalidationEvent | None) -> None:
        self.events.append(event)


def test_an_event_names_the_tags_of_its_keys_and_round_trips_as_json():
    event = InvalidationEvent("pricing", "price", ["v1", "v2"])

    assert event.keys == ("v1", "v2")
    assert event.tags() == ["pricing:v1", "pricing:v2"]
    assert InvalidationEvent.from_json(event.to_json(origin="i1")) == (event, "i1")


@pytest.mark.parametrize("text", ["nope", "{}", '{"source": "pim", "entity": "x", "keys": 3}'])
def test_a_malformed_event_is_a_value_error(text):
    with pytest.raises(ValueError, match="not an invalidation event"):
        InvalidationEvent.from_json(text)


async def test_the_invalidator_deletes_tagged_entries_and_tells_listeners():
    cache = await cache_holding("p00001", "p00002")
    heard = Heard()
    invalidator = Invalidator([cache], [heard])

    deleted = await invalidator.apply(PRODUCT)

    assert deleted == 1
    assert len(cache) == 1
    assert heard.events == [PRODUCT]


async def test_a_broken_listener_does_not_stop_the_others():
    async def broken(event: InvalidationEvent | None) -> None:
        raise RuntimeError("boom")

    heard = Heard()
    invalidator = Invalidator([], [broken, heard])

    await invalidator.apply(PRODUCT)

    assert heard.events == [PRODUCT]


async def test_local_only_application_leaves_shared_caches_alone():
    class SharedMemoryCache(MemoryCache):
        shared = True

    local = await cache_holding("p00001")
    shared = SharedMemoryCache(clock=SystemClock())
    await shared.set_many({"k": entry(1)}, {"k": ["pim:p00001"]})

    await Invalidator([local, shared]).apply(PRODUCT, shared=False)

    assert (len(local), len(shared)) == (0, 1)


async def test_the_local_bus_applies_what_it_publishes():
    cache = await cache_holding("p00001")
    heard = Heard()

    async with LocalInvalidationBus(Invalidator([cache], [heard])) as bus:
        await bus.publish(PRODUCT)

    assert len(cache) == 0
    assert heard.events == [PRODUCT]


@pytest.mark.redis
async def test_an_event_published_by_one_instance_reaches_the_other(redis_client, key_prefix):
    # given two gateway instances sharing Redis, each with its own memory cache
    shared = RedisCache(redis_client, prefix=key_prefix, clock=SystemClock())
    await shared.set_many(
        {"pim:products::p00001": entry("p")}, {"pim:products::p00001": ["pim:p00001"]}
    )
    first_cache, second_cache = await cache_holding("p00001"), await cache_holding("p00001")
    first_heard, second_heard = Heard(), Heard()
    channel = f"{key_prefix}invalidate"
    first = RedisInvalidationBus(
        redis_client, Invalidator([first_cache, shared], [first_heard]), channel=channel
    )
    second_client = fast_redis(require_redis())
    second = RedisInvalidationBus(
        second_client, Invalidator([second_cache, shared], [second_heard]), channel=channel
    )

    async with first, second:
        # when the first hears of a product change
        await first.publish(PRODUCT)

        # then both forget it, and the shared entry is gone
        await eventually(lambda: len(second_cache) == 0)
        assert len(first_cache) == 0
        assert await shared.get_many(["pim:products::p00001"]) == [None]
        assert second_heard.events == [PRODUCT]
        await asyncio.sleep(0.02)
        assert first_heard.events == [PRODUCT]  # not applied a second time from the channel
    await second_client.aclose()


@pytest.mark.redis
async def test_malformed_messages_on_the_channel_are_ignored(redis_client, key_prefix):
    cache = await cache_holding("p00001")
    channel = f"{key_prefix}invalidate"
    bus = RedisInvalidationBus(redis_client, Invalidator([cache]), channel=channel)

    async with bus:
        await redis_client.publish(channel, b"garbage")
        await redis_client.publish(channel, PRODUCT.to_json(origin=uuid.uuid4().hex))
        await eventually(lambda: len(cache) == 0)


async def test_a_subscriber_that_lost_its_connection_empties_its_local_cache(
    redis_process: RedisProcess,
) -> None:
    client = fast_redis(redis_process.url)
    cache = await cache_holding("p00001", "p00002")
    heard = Heard()
    bus = RedisInvalidationBus(client, Invalidator([cache], [heard]), reconnect_delay=0.02)
    try:
        async with bus:
            redis_process.kill()
            await asyncio.sleep(0.05)
            redis_process.start()

            # events published while it was away are lost: it forgets everything instead
            await eventually(lambda: len(cache) == 0, within=5)
            assert heard.events == [None]

            # and it is subscribed again
            await cache.set_many({"k": entry(1)}, {"k": ["pim:p00003"]})
            other = fast_redis(redis_process.url)
            try:
                event = InvalidationEvent("pim", "product", ["p00003"])
                await eventually_published(other, event)
            finally:
                await other.aclose()
            await eventually(lambda: len(cache) == 0)
    finally:
        await client.aclose()


async def eventually_published(client: Redis, event: InvalidationEvent) -> None:
    """Publish until a subscriber received it (it resubscribes a moment after reconnecting)."""
    deadline = asyncio.get_running_loop().time() + 5
    while await client.publish("cg:invalidate", event.to_json(origin="elsewhere")) == 0:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("nobody subscribed again")
        await asyncio.sleep(0.01)
