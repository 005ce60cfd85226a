"""The per-process front over Redis: hot reads skip Redis, and invalidation empties it."""

from __future__ import annotations

import asyncio
import time

import pytest

from connectors.cache import CacheEntry
from connectors.invalidation import InvalidationEvent, Invalidator
from connectors.redis_cache import RedisCache
from connectors.tiered_cache import LocalFront, TieredCache
from tests.clocks import ManualClock

pytestmark = [pytest.mark.anyio, pytest.mark.redis]


def entry(value: object, now: float, *, fresh: float = 60, stale: float = 120) -> CacheEntry:
    return CacheEntry(value, now, now + fresh, now + stale)


class Counting(RedisCache):
    """Counts the reads that reach Redis."""

    reads = 0

    async def get_many(self, keys):
        self.reads += 1
        return await super().get_many(keys)


@pytest.fixture
def clock():
    return ManualClock(time.time())


@pytest.fixture
def back(redis_client, key_prefix, clock):
    return Counting(redis_client, prefix=key_prefix, clock=clock)


def tiered(back, clock, seconds=2.0):
    return TieredCache(LocalFront(clock=clock), back, front_seconds=seconds, clock=clock)


async def test_an_entry_read_once_is_then_served_without_asking_redis(back, clock):
    writer, reader = tiered(back, clock), tiered(back, clock)
    await writer.set_many(
        {"a": entry(1, clock.seconds), "b": entry(2, clock.seconds)}, {"a": ["t"]}
    )

    first = await reader.get_many(["a", "b", "absent"])
    again = await reader.get_many(["a", "b"])

    assert [e.value if e else None for e in first] == [1, 2, None]
    assert [e.value for e in again if e] == [1, 2]
    assert back.reads == 1, "the second read came from the front"


async def test_the_front_keeps_an_entry_for_front_seconds_at_most(back, clock):
    writer, reader = tiered(back, clock), tiered(back, clock, seconds=2.0)
    await writer.set_many({"a": entry("old", clock.seconds)})
    await reader.get_many(["a"])
    # another instance refreshes the shared entry
    await writer.set_many({"a": entry("new", clock.seconds)})

    clock.seconds += 1.0
    assert (await reader.get_many(["a"]))[0].value == "old"
    clock.seconds += 1.5
    assert (await reader.get_many(["a"]))[0].value == "new"
    assert back.reads == 2


async def test_the_front_never_outlives_the_entrys_own_freshness(back, clock):
    cache = tiered(back, clock, seconds=30.0)
    await cache.set_many({"a": entry(1, clock.seconds, fresh=1, stale=5)})

    clock.seconds += 2
    (found,) = await cache.get_many(["a"])

    assert found is not None
    assert not found.is_fresh(clock.seconds), "stale in the front as in Redis: it gets revalidated"


async def test_an_event_from_another_instance_empties_the_front(back, clock):
    mine, theirs = tiered(back, clock), tiered(back, clock)
    await theirs.set_many(
        {"pim:products:p1": entry("v1", clock.seconds)}, {"pim:products:p1": ["pim:p1"]}
    )
    assert (await mine.get_many(["pim:products:p1"]))[0].value == "v1"
    # the other instance changes it and invalidates Redis; the event reaches us over pub/sub,
    # which applies it to local caches only
    await theirs.invalidate_tags(["pim:p1"])
    await theirs.set_many({"pim:products:p1": entry("v2", clock.seconds)})
    event = InvalidationEvent("pim", "product", ["p1"])
    await Invalidator([mine, mine.front]).apply(event, shared=False)

    assert len(mine.front) == 0
    assert (await mine.get_many(["pim:products:p1"]))[0].value == "v2"


async def test_invalidation_here_clears_the_front_and_redis(back, clock):
    cache = tiered(back, clock)
    await cache.set_many({"a": entry(1, clock.seconds)}, {"a": ["t"]})

    assert await cache.invalidate_tags(["t"]) == 1

    assert await cache.get_many(["a"]) == [None]
    assert await back.get_many(["a"]) == [None]


class Slow(Counting):
    """Counting reads that take a while, so that requests overlap them."""

    async def get_many(self, keys):
        self.asked = [*getattr(self, "asked", []), list(keys)]
        await asyncio.sleep(0.05)
        return await super().get_many(keys)


async def test_requests_missing_the_front_together_read_redis_once(redis_client, key_prefix, clock):
    back = Slow(redis_client, prefix=key_prefix, clock=clock)
    writer, reader = tiered(back, clock), tiered(back, clock)
    await writer.set_many({"page": entry("p", clock.seconds), "a": entry(1, clock.seconds)})
    back.reads, back.asked = 0, []

    answers = await asyncio.gather(
        reader.get_many(["page", "a"]),
        reader.get_many(["page"]),
        reader.get_many(["page", "b"]),  # "b" is no one else's: read on its own
    )

    assert [[e.value if e else None for e in found] for found in answers] == [
        ["p", 1],
        ["p"],
        ["p", None],
    ]
    assert back.asked == [["page", "a"], ["b"]]
    assert reader._reading == {}


async def test_a_cancelled_reader_leaves_the_others_a_miss_not_a_cancellation(
    redis_client, key_prefix, clock
):
    back = Slow(redis_client, prefix=key_prefix, clock=clock)
    await tiered(back, clock).set_many({"page": entry("p", clock.seconds)})
    reader = tiered(back, clock)

    first = asyncio.create_task(reader.get_many(["page"]))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(reader.get_many(["page"]))
    await asyncio.sleep(0.01)
    first.cancel()

    assert await second == [None]
    assert first.cancelled()
    assert reader._reading == {}
    assert (await reader.get_many(["page"]))[0].value == "p"
