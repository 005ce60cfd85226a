from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from redis.asyncio import Redis

from connectors.cache import CacheEntry
from connectors.guard import CachePolicy
from connectors.pricing.records import AppliedPromotion, Price
from connectors.redis_cache import RedisCache
from gateway.bootstrap import build_stack
from kernel.clock import SystemClock
from tests.connectors.conftest import fast_redis
from tests.servers import RedisProcess

pytestmark = [pytest.mark.anyio, pytest.mark.redis]

PRICE = Price(
    variant_id="v00001",
    currency="EUR",
    list_amount=Decimal("24.99"),
    amount=Decimal("19.99"),
    promotions=(
        AppliedPromotion(
            id="promo-1",
            name={"nl": "Zomeractie", "en": "Summer sale"},
            description={"en": "5 off"},
            discount=Decimal("5.00"),
        ),
    ),
    valid_until=datetime(2026, 12, 1, tzinfo=UTC),
)


def entry(value: object, *, fresh: float = 60, stale: float = 120) -> CacheEntry:
    now = time.time()
    return CacheEntry(value, now, now + fresh, now + stale)


class CountingRedis:
    """Counts the commands a RedisCache sends, by wrapping the client's methods."""

    def __init__(self, client: Redis, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: dict[str, int] = {}
        for name in ("mget", "get", "delete", "pipeline", "evalsha"):
            original = getattr(client, name)

            def counting(*args, _name=name, _original=original, **kwargs):
                self.counts[_name] = self.counts.get(_name, 0) + 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(client, name, counting)


async def test_records_round_trip_through_one_mget(redis_client, key_prefix, monkeypatch):
    cache = RedisCache(redis_client, prefix=key_prefix, clock=SystemClock())
    await cache.set_many({"pricing:prices:web|1|-:v00001": entry(PRICE), "other": entry((1, "a"))})
    counting = CountingRedis(redis_client, monkeypatch)

    found = await cache.get_many(["pricing:prices:web|1|-:v00001", "absent", "other"])

    assert counting.counts == {"mget": 1}
    assert found[0] is not None
    assert found[0].value == PRICE
    assert isinstance(found[0].value.amount, Decimal)
    assert found[0].value.valid_until.tzinfo is not None
    assert found[1] is None
    assert found[2] is not None
    assert found[2].value == (1, "a")
    assert cache.healthy


async def test_entries_expire_in_redis_at_their_stale_until(redis_client, key_prefix):
    cache = RedisCache(redis_client, prefix=key_prefix, clock=SystemClock())

    await cache.set_many({"a": entry(1, fresh=10, stale=30), "gone": entry(2, stale=-1)})

    ttl = await redis_client.pttl(f"{key_prefix}a")
    assert 29_000 < ttl <= 30_000
    assert await redis_client.exists(f"{key_prefix}gone") == 0


async def test_writes_with_their_tags_are_one_command(redis_client, key_prefix, monkeypatch):
    cache = RedisCache(redis_client, prefix=key_prefix, clock=SystemClock())
    counting = CountingRedis(redis_client, monkeypatch)

    await cache.set_many(
        {f"k{i}": entry(i) for i in range(50)}, {f"k{i}": ["t", f"t{i % 3}"] for i in range(50)}
    )

    assert counting.counts == {"evalsha": 1}
    assert await redis_client.exists(*(f"{key_prefix}k{i}" for i in range(50))) == 50
    assert await redis_client.scard(f"{key_prefix}tag:t") == 50
    assert await redis_client.smembers(f"{key_prefix}tag:t1") == {
        f"k{i}".encode() for i in range(1, 50, 3)
    }


async def test_writes_load_the_script_again_after_redis_forgot_it(redis_client, key_prefix):
    cache = RedisCache(redis_client, prefix=key_prefix, clock=SystemClock())
    await cache.set_many({"a": entry(1)})
    await redis_client.script_flush()  # as after a Redis restart or failover

    await cache.set_many({"b": entry(2)}, {"b": ["t"]})

    assert [e.value if e else None for e in await cache.get_many(["a", "b"])] == [1, 2]
    assert cache.healthy


async def test_a_tag_set_is_never_shortened_by_a_shorter_lived_member(redis_client, key_prefix):
    cache = RedisCache(redis_client, prefix=key_prefix, clock=SystemClock())
    await cache.set_many({"long": entry(1, stale=300)}, {"long": ["t"]})
    await cache.set_many({"short": entry(2, stale=30)}, {"short": ["t"]})

    assert 299_000 < await redis_client.pttl(f"{key_prefix}tag:t") <= 300_000
    assert await redis_client.scard(f"{key_prefix}tag:t") == 2


async def test_tags_invalidate_every_entry_they_tag(redis_client, key_prefix):
    cache = RedisCache(redis_client, prefix=key_prefix, clock=SystemClock())
    await cache.set_many(
        {
            "prices:web:v1": entry(1),
            "prices:store:v1": entry(2, stale=300),
            "prices:web:v2": entry(3),
        },
        {
            "prices:web:v1": ["pricing:v1"],
            "prices:store:v1": ["pricing:v1"],
            "prices:web:v2": ["pricing:v2"],
        },
    )
    # The tag set lives as long as its longest-lived member.
    assert 299_000 < await redis_client.pttl(f"{key_prefix}tag:pricing:v1") <= 300_000

    deleted = await cache.invalidate_tags(["pricing:v1", "pricing:unknown"])

    assert deleted == 2
    found = await cache.get_many(["prices:web:v1", "prices:store:v1", "prices:web:v2"])
    assert [e.value if e else None for e in found] == [None, None, 3]
    assert await redis_client.exists(f"{key_prefix}tag:pricing:v1") == 0
    assert await cache.invalidate_tags([]) == 0


async def test_guard_entries_are_invalidated_by_source_key_across_scopes(redis_client, key_prefix):
    cache = RedisCache(redis_client, prefix=key_prefix, clock=SystemClock())
    guard = build_stack("pricing", cache=cache, timeout=1.0, clock=SystemClock())
    calls: list[list[str]] = []

    async def fetch(ids: list[str]) -> dict[str, Price]:
        calls.append(ids)
        return {i: PRICE for i in ids}

    for scope in ("web|1|-", "store|1|-"):
        await guard.batch("prices", ["v00001"], fetch, policy=CachePolicy(ttl=60), scope=scope)
    assert await cache.invalidate_tags(["pricing:v00001"]) == 2

    await guard.batch("prices", ["v00001"], fetch, policy=CachePolicy(ttl=60), scope="web|1|-")
    assert len(calls) == 3


async def test_delete_and_clear_touch_only_keys_under_the_prefix(redis_client, key_prefix):
    cache = RedisCache(redis_client, prefix=f"{key_prefix}cache:", clock=SystemClock())
    outside = f"{key_prefix}outside"
    await redis_client.set(outside, b"keep")
    await cache.set_many({"a": entry(1), "b": entry(2), "c": entry(3)}, {"a": ["t"]})

    await cache.delete_many(["a"])
    assert [e is not None for e in await cache.get_many(["a", "b", "c"])] == [False, True, True]

    await cache.clear()
    assert await cache.get_many(["b", "c"]) == [None, None]
    assert await redis_client.exists(f"{key_prefix}cache:tag:t") == 0
    assert await redis_client.get(outside) == b"keep"


async def test_an_unreadable_entry_is_a_miss(redis_client, key_prefix):
    cache = RedisCache(redis_client, prefix=key_prefix, clock=SystemClock())
    await redis_client.set(f"{key_prefix}bad", b"not a pickle")

    assert await cache.get_many(["bad"]) == [None]


async def test_a_client_that_decodes_responses_is_refused():
    client = Redis(decode_responses=True)

    with pytest.raises(ValueError, match="decode_responses=False"):
        RedisCache(client, clock=SystemClock())

    await client.aclose()


async def test_requests_survive_redis_going_away_and_the_cache_recovers(
    redis_process: RedisProcess, caplog: pytest.LogCaptureFixture
) -> None:
    client = fast_redis(redis_process.url)
    cache = RedisCache(client, prefix="cg:", recheck_seconds=0.05, clock=SystemClock())
    guard = build_stack("pim", cache=cache, timeout=2.0, clock=SystemClock())
    policy = CachePolicy(ttl=60)
    calls: list[list[str]] = []

    async def fetch(ids: list[str]) -> dict[str, str]:
        calls.append(ids)
        return {i: f"{i}!" for i in ids}

    caplog.set_level(logging.WARNING, logger="connectors.redis_cache")
    try:
        await guard.batch("products", ["p1"], fetch, policy=policy)
        assert await guard.batch("products", ["p1"], fetch, policy=policy) == {"p1": "p1!"}
        assert len(calls) == 1

        # given Redis dies
        redis_process.kill()

        # then requests are answered by the source, and the cache reports the outage
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(3):
            assert await guard.batch("products", ["p1"], fetch, policy=policy) == {"p1": "p1!"}
        assert loop.time() - started < 1.5
        assert len(calls) == 4
        assert cache.healthy is False
        outage_warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(outage_warnings) == 1
        assert await cache.invalidate_tags(["pim:p1"]) == 0
        await cache.delete_many(["x"])

        # when Redis is back on the same port
        redis_process.start()
        await asyncio.sleep(0.06)

        # then the cache works again on its own
        assert await guard.batch("products", ["p1"], fetch, policy=policy) == {"p1": "p1!"}
        assert cache.healthy is True
        assert await guard.batch("products", ["p1"], fetch, policy=policy) == {"p1": "p1!"}
        assert len(calls) == 5
        assert await cache.ping() is True
    finally:
        await client.aclose()


async def test_ping_reports_an_unreachable_redis(redis_process: RedisProcess) -> None:
    client = fast_redis(redis_process.url)
    cache = RedisCache(client, clock=SystemClock())
    try:
        assert await cache.ping() is True
        redis_process.kill()
        assert await cache.ping() is False
        assert cache.healthy is False
    finally:
        await client.aclose()
