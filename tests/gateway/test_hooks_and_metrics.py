"""Invalidation webhooks (one instance and two sharing Redis), metrics, and Redis readiness."""

import json
import time
import uuid

import pytest

from connectors.tiered_cache import TieredCache
from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from gateway.hooks import sign
from resolvers.ids import to_global_id
from tests.api import CLOCK, serve
from tests.servers import require_redis
from tests.waiting import eventually

pytestmark = pytest.mark.anyio

PRODUCT = "query($id: ID) { product(id: $id) { sku name } }"
PRODUCT_ID = to_global_id("Product", "p00001")


def signed(settings, payload, *, timestamp=None):
    body = json.dumps(payload).encode()
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    return body, {
        "content-type": "application/json",
        "x-gateway-timestamp": stamp,
        "x-gateway-signature": sign(settings.server.webhook_secret, stamp, body),
    }


async def pim_calls(api):
    reply = await api.query(PRODUCT, {"id": PRODUCT_ID})
    assert reply.data["product"]["sku"] == "P100001"
    return reply.calls_by_source().get("pim", 0)


async def test_a_signed_event_drops_the_cached_product(api):
    assert await pim_calls(api) == 1
    assert await pim_calls(api) == 0, "served from the cache"
    body, headers = signed(api.settings, {"source": "pim", "entity": "product", "keys": ["p00001"]})
    response = await api.client.post("/hooks/invalidate", content=body, headers=headers)
    assert response.status_code == 202
    assert response.json() == {"accepted": 1}
    assert await pim_calls(api) == 1, "read from the PIM again"


@pytest.mark.parametrize(
    ("mangle", "status"),
    [
        (lambda body, headers: (body + b" ", headers), 401),
        (lambda body, headers: (body, {**headers, "x-gateway-timestamp": "1"}), 401),
        (
            lambda body, headers: (
                body,
                {k: v for k, v in headers.items() if "signature" not in k},
            ),
            401,
        ),
    ],
)
async def test_unsigned_tampered_or_stale_events_are_refused(api, mangle, status):
    await pim_calls(api)
    body, headers = signed(api.settings, {"source": "pim", "entity": "product", "keys": ["p00001"]})
    body, headers = mangle(body, headers)
    response = await api.client.post("/hooks/invalidate", content=body, headers=headers)
    assert response.status_code == status
    assert await pim_calls(api) == 0, "the cache was left alone"


async def test_a_malformed_event_is_bad_user_input(api):
    body, headers = signed(api.settings, {"source": "erp", "entity": "product", "keys": ["x"]})
    response = await api.client.post("/hooks/invalidate", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_USER_INPUT"
    assert "source must be one of" in response.json()["error"]["message"]


async def test_metrics_count_calls_and_cache_results_per_source(api):
    await pim_calls(api)
    await pim_calls(api)
    text = (await api.client.get("/metrics")).text
    assert 'gateway_source_calls_total{operation="products",outcome="ok",source="pim"} 1.0' in text
    assert 'gateway_source_cache_total{result="hit",source="pim"} 1.0' in text
    assert 'gateway_source_breaker_state{source="pricing"} 0.0' in text


@pytest.fixture
def redis_settings(seeded_url, ledger_url):
    url = require_redis()
    return Settings.load(
        None,
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "GATEWAY_DATABASE__URL": ledger_url,
            "REDIS_URL": url,
            "GATEWAY_CACHE__BACKEND": "redis",
            "GATEWAY_SERVER__DEBUG_SOURCE_CALLS": "true",
        },
    )


async def test_two_instances_share_redis_and_hear_each_others_invalidations(redis_settings):
    # given two gateway instances on one Redis, with a product unknown to the cache
    marker = uuid.uuid4().hex[:8]
    import gateway.bootstrap as bootstrap

    released = bootstrap.CACHE_VERSION
    bootstrap.CACHE_VERSION = f"test-{marker}"  # a key space of this test's own
    try:
        first_runtime = await open_runtime(redis_settings, clock=CLOCK)
        second_runtime = await open_runtime(redis_settings, clock=CLOCK)
        async with (
            serve(create_app(redis_settings, runtime=first_runtime), redis_settings) as first,
            serve(create_app(redis_settings, runtime=second_runtime), redis_settings) as second,
        ):
            ready = (await first.client.get("/readyz")).json()
            assert ready["checks"]["redis"] == "ok"
            # when the first reads it, the second finds it in the shared cache
            assert await pim_calls(first) == 1
            assert await pim_calls(second) == 0
            # when the PIM says it changed, through the second instance
            body, headers = signed(
                redis_settings, {"source": "pim", "entity": "product", "keys": ["p00001"]}
            )
            accepted = await second.client.post("/hooks/invalidate", content=body, headers=headers)
            assert accepted.status_code == 202
            # then both read it from the PIM again: the first once the event has reached its
            # local front over pub/sub (the second applied it to Redis and its own front)
            assert isinstance(first_runtime.cache, TieredCache)
            await eventually(lambda: len(first_runtime.cache.front) == 0)
            assert await pim_calls(first) == 1
            assert await pim_calls(second) == 0
    finally:
        bootstrap.CACHE_VERSION = released
