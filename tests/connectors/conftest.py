"""Redis for the cache and invalidation tests (a client of the shared server, a key space), and
the reference back office served over HTTP for the HTTP adapters' tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from tests.backoffice import live
from tests.servers import require_redis


def fast_redis(url: str) -> Redis:
    """A client configured as RedisCache's docstring recommends: give up in a quarter second."""
    return Redis.from_url(
        url,
        socket_timeout=0.25,
        socket_connect_timeout=0.25,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1),
    )


@pytest.fixture
async def redis_client() -> AsyncIterator[Redis]:
    """A client of the shared Redis (REDIS_URL or 127.0.0.1:6379); skips or fails without it."""
    client = fast_redis(require_redis())
    yield client
    await client.aclose()


@pytest.fixture
async def key_prefix(redis_client: Redis) -> AsyncIterator[str]:
    """A prefix no other test run uses; every key under it is deleted afterwards."""
    prefix = f"cgtest:{uuid.uuid4().hex[:12]}:"
    yield prefix
    keys = [key async for key in redis_client.scan_iter(match=f"{prefix}*")]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture
def backoffice(request: pytest.FixtureRequest, seeded_url: str) -> live.LiveBackoffice:
    """The seeded reference back office over HTTP on 127.0.0.1, shared by the tests that ask."""
    return live.running(request, seeded_url)
