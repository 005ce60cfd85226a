"""Whole public responses are cached, CDN-cacheable, private ones never, and events drop them."""

import time

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from gateway.hooks import sign
from tests.api import CLOCK, serve

pytestmark = pytest.mark.anyio

LISTING = "{ products(first: 5) { edges { node { id sku price { amount { amount } } } } } }"


@pytest.fixture
async def public_api(seeded_url, ledger_url):
    # The response cache is off while debug_source_calls is on (the other tests' setting).
    settings = Settings.load(
        None,
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "GATEWAY_DATABASE__URL": ledger_url,
            "GATEWAY_SERVER__DEBUG_SOURCE_CALLS": "false",
        },
    )
    runtime = await open_runtime(settings, clock=CLOCK)
    async with serve(create_app(settings, runtime=runtime), settings) as api:
        yield api


async def test_a_public_listing_is_served_whole_from_the_cache(public_api):
    first = await public_api.client.post("/graphql", json={"query": LISTING})
    again = await public_api.client.post(
        "/graphql", json={"query": "  " + LISTING.replace(" ", "  ")}
    )
    assert first.headers["x-cache"] == "MISS"
    assert again.headers["x-cache"] == "HIT"
    assert again.content == first.content
    assert first.headers["cache-control"] == "public, max-age=300", "the price TTL is the shortest"
    by_get = await public_api.client.get("/graphql", params={"query": LISTING})
    assert by_get.headers["x-cache"] == "HIT"


async def test_each_channel_and_locale_has_its_own_entry(public_api):
    await public_api.client.post("/graphql", json={"query": LISTING})
    english = await public_api.client.post(
        "/graphql", json={"query": LISTING}, headers={"accept-language": "en"}
    )
    assert english.headers["x-cache"] == "MISS"


async def test_customer_responses_are_never_stored(public_api):
    token = public_api.token("customer", customer_id=DEMO_CUSTOMER_ID)
    headers = {"authorization": f"Bearer {token}"}
    query = "{ me { name } products(first: 1) { edges { node { sku } } } }"
    first = await public_api.client.post("/graphql", json={"query": query}, headers=headers)
    second = await public_api.client.post("/graphql", json={"query": query}, headers=headers)
    assert "x-cache" not in first.headers
    assert "x-cache" not in second.headers


async def test_an_invalidation_event_drops_the_responses_that_showed_the_product(public_api):
    first = await public_api.client.post("/graphql", json={"query": LISTING})
    product_key = "p" + first.json()["data"]["products"]["edges"][0]["node"]["sku"][2:]
    body = b'{"source": "pim", "entity": "product", "keys": ["%s"]}' % product_key.encode()
    stamp = str(int(time.time()))
    response = await public_api.client.post(
        "/hooks/invalidate",
        content=body,
        headers={
            "x-gateway-timestamp": stamp,
            "x-gateway-signature": sign(public_api.settings.server.webhook_secret, stamp, body),
        },
    )
    assert response.status_code == 202
    after = await public_api.client.post("/graphql", json={"query": LISTING})
    assert after.headers["x-cache"] == "MISS"
