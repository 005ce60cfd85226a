from __future__ import annotations

import pytest

from connectors.cache import CacheEntry, CachePolicy, MemoryCache
from tests.clocks import ManualClock

pytestmark = pytest.mark.anyio


def entry(
    value: object, *, fresh: float = 10, stale: float = 20, now: float = 1_000.0
) -> CacheEntry:
    return CacheEntry(value, now, now + fresh, now + stale)


async def test_entries_come_back_in_the_order_asked_with_none_for_absent_keys():
    cache = MemoryCache(clock=ManualClock(1_000.0))
    await cache.set_many({"a": entry(1), "b": entry(2)})

    found = await cache.get_many(["b", "x", "a"])

    assert [e.value if e else None for e in found] == [2, None, 1]


async def test_entries_are_served_stale_until_stale_until_then_dropped():
    clock = ManualClock(1_000.0)
    cache = MemoryCache(clock=clock)
    await cache.set_many({"a": entry(1)})

    clock.seconds += 15
    (stale,) = await cache.get_many(["a"])
    clock.seconds += 5
    (gone,) = await cache.get_many(["a"])

    assert stale is not None
    assert not stale.is_fresh(clock.seconds)
    assert gone is None
    assert len(cache) == 0


async def test_the_least_recently_stored_entries_are_evicted_with_their_tags():
    cache = MemoryCache(max_entries=2, clock=ManualClock(1_000.0))
    await cache.set_many({"a": entry(1)}, {"a": ["t:a", "t:all"]})
    await cache.set_many({"b": entry(2)}, {"b": ["t:all"]})
    await cache.set_many({"a": entry(3)}, {"a": ["t:all"]})
    await cache.set_many({"c": entry(4)}, {"c": ["t:all"]})

    assert [e.value if e else None for e in await cache.get_many(["a", "b", "c"])] == [3, None, 4]
    assert cache._keys_by_tag == {"t:all": {"a", "c"}}


async def test_invalidating_a_tag_deletes_every_entry_it_tags_and_only_those():
    cache = MemoryCache(clock=ManualClock(1_000.0))
    await cache.set_many(
        {"prices:web:v1": entry(1), "prices:store:v1": entry(2), "prices:web:v2": entry(3)},
        {
            "prices:web:v1": ["pricing:v1"],
            "prices:store:v1": ["pricing:v1"],
            "prices:web:v2": ["pricing:v2"],
        },
    )

    deleted = await cache.invalidate_tags(["pricing:v1", "pricing:unknown"])

    assert deleted == 2
    assert len(cache) == 1
    assert await cache.invalidate_tags(["pricing:v1"]) == 0


async def test_rewriting_an_entry_replaces_its_tags():
    cache = MemoryCache(clock=ManualClock(1_000.0))
    await cache.set_many({"a": entry(1)}, {"a": ["old"]})
    await cache.set_many({"a": entry(2)}, {"a": ["new"]})

    assert await cache.invalidate_tags(["old"]) == 0
    assert await cache.invalidate_tags(["new"]) == 1


async def test_delete_and_clear_forget_entries_and_tags():
    cache = MemoryCache(clock=ManualClock(1_000.0))
    await cache.set_many({"a": entry(1), "b": entry(2)}, {"a": ["t"], "b": ["t"]})

    await cache.delete_many(["a", "missing"])
    assert len(cache) == 1
    assert cache._keys_by_tag == {"t": {"b"}}

    await cache.clear()
    assert len(cache) == 0
    assert cache._keys_by_tag == {}


def test_a_policy_sets_freshness_and_the_longer_of_its_stale_windows():
    policy = CachePolicy(ttl=10, stale=60, revalidate=30)

    made = policy.entry("v", 100.0)

    assert (made.stored_at, made.fresh_until, made.stale_until) == (100.0, 110.0, 170.0)


def test_a_boundary_caps_freshness_and_staleness_alike():
    policy = CachePolicy(ttl=10, stale=60)

    assert policy.entry("v", 100.0, boundary=105.0).stale_until == 105.0
    assert policy.entry("v", 100.0, boundary=130.0).fresh_until == 110.0
    assert policy.entry("v", 100.0, boundary=130.0).stale_until == 130.0
