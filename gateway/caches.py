"""The process's caches: the entity cache backend and the whole-response cache on top of it."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from connectors.cache import CacheBackend, MemoryCache
from connectors.redis_cache import RedisCache
from connectors.tiered_cache import LocalFront, TieredCache
from gateway.config import Settings
from gateway.response_cache import ResponseCache
from kernel.clock import Clock

#: Entries a process keeps in front of Redis (cache.local_seconds): a listing's are ~200,
#: a response up to ~40 KB, so this bounds the front to tens of MB.
LOCAL_FRONT_ENTRIES = 20_000


def redis_client(url: str) -> Redis:
    """A client that gives up fast: a slow cache is worse than none."""
    return Redis.from_url(
        url,
        socket_timeout=0.25,
        socket_connect_timeout=0.25,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1),
    )


def build_cache(
    settings: Settings, clock: Clock, *, prefix: str
) -> tuple[Redis | None, CacheBackend, list[CacheBackend]]:
    """The Redis client (if any), the entity cache, and the caches invalidation events reach.

    `prefix` starts every Redis key: the key space of this release's record classes.
    """
    redis: Redis | None = None
    cache: CacheBackend
    if settings.cache.backend == "redis":
        if not settings.cache.redis_url:
            raise ValueError("cache.backend = 'redis' needs cache.redis_url or REDIS_URL")
        redis = redis_client(settings.cache.redis_url)
        cache = RedisCache(redis, prefix=prefix, clock=clock)
    else:
        cache = MemoryCache(clock=clock)
    caches: list[CacheBackend] = [cache]
    if redis is not None and settings.cache.local_seconds > 0:
        front = LocalFront(max_entries=LOCAL_FRONT_ENTRIES, clock=clock)
        cache = TieredCache(front, cache, front_seconds=settings.cache.local_seconds, clock=clock)
        # Registered on its own as a local cache, so that events from other instances,
        # which leave the shared cache alone, still reach it.
        caches = [cache, front]
    return redis, cache, caches


def build_response_cache(
    settings: Settings, cache: CacheBackend, clock: Clock
) -> ResponseCache | None:
    """The whole-response cache, on the same backend as the entities so one event drops both."""
    if not settings.cache.responses or settings.server.debug_source_calls:
        return None
    ttl = settings.cache.ttl
    return ResponseCache(
        cache,
        ttl_by_source={
            "pim": ttl.product,
            "pricing": ttl.price,
            "inventory": min(ttl.availability, ttl.location),
            "crm": 0,
            "orders": 0,
            "loyalty": 0,
        },
        vary=("authorization", "accept-language", "x-channel", "x-store"),
        clock=clock,
    )
