"""The gateway against the back office served over real HTTP: batching, faults, breaker, stale data."""

import asyncio
import base64
import time

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from resolvers.ids import to_global_id, to_keyset_cursor
from tests.api import CLOCK, serve
from tests.backoffice import live

pytestmark = pytest.mark.anyio

STORES = [to_global_id("Location", s) for s in ("s01", "s02", "s03")]
LISTING = """query($stores: [ID!]) { products(first: 48) { edges { node { sku name
  price { amount { amount } }
  availability(locationIds: $stores) { available locations { quantity location { code } } } } } } }"""


@pytest.fixture
def backoffice(request, seeded_url):
    return live.running(request, seeded_url)


def http_settings(seeded_url, ledger_url, url, **overrides):
    env = {
        "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
        "GATEWAY_DATABASE__URL": ledger_url,
        "GATEWAY_SERVER__DEBUG_SOURCE_CALLS": "true",
        "GATEWAY_SOURCES__CRM__HEADERS": '{ Authorization = "Bearer ${TEST_CRM_TOKEN}" }',
        "GATEWAY_SOURCES__LOYALTY__HEADERS": '{ Authorization = "Bearer ${TEST_LOYALTY_TOKEN}" }',
        "TEST_CRM_TOKEN": live.CRM_TOKEN,
        "TEST_LOYALTY_TOKEN": live.LOYALTY_TOKEN,
    }
    for source in ("pim", "pricing", "inventory", "crm", "orders", "loyalty"):
        env[f"GATEWAY_SOURCES__{source.upper()}__KIND"] = "http"
        env[f"GATEWAY_SOURCES__{source.upper()}__BASE_URL"] = url
        env[f"GATEWAY_SOURCES__{source.upper()}__TIMEOUT"] = "0.5"
        env[f"GATEWAY_SOURCES__{source.upper()}__RETRIES"] = "1"
        env[f"GATEWAY_SOURCES__{source.upper()}__BREAKER_FAILURES"] = "3"
        env[f"GATEWAY_SOURCES__{source.upper()}__BREAKER_RESET_SECONDS"] = "0.5"
    env.update(overrides)
    return Settings.load(None, env=env)


@pytest.fixture
async def api(backoffice, seeded_url, ledger_url, monkeypatch):
    # The clients read header credentials from the process environment.
    monkeypatch.setenv("TEST_CRM_TOKEN", live.CRM_TOKEN)
    monkeypatch.setenv("TEST_LOYALTY_TOKEN", live.LOYALTY_TOKEN)
    settings = http_settings(seeded_url, ledger_url, backoffice.url, GATEWAY_CACHE__TTL__PRICE="1")
    runtime = await open_runtime(settings, clock=CLOCK)
    assert runtime.engine is None, "no back-office database is opened when every source is remote"
    async with serve(create_app(settings, runtime=runtime), settings) as client:
        yield client


async def test_a_listing_over_http_makes_one_request_per_source_and_level(api, backoffice):
    backoffice.reset_requests()
    reply = await api.query(LISTING, {"stores": STORES})
    assert reply.errors is None, reply.errors
    assert len(reply.data["products"]["edges"]) == 48
    assert reply.calls_by_source() == {"pim": 1, "pricing": 1, "inventory": 2}
    assert backoffice.requests() == {
        "GET /pim/v1/products/search": 1,
        "GET /pricing/v1/prices": 1,
        "GET /inventory/v1/stock": 1,
        "GET /inventory/v1/locations": 1,
    }


def _levels(reply, *, gap_ms: float) -> list[set[str]]:
    """The request's source calls grouped by when they went out: a call leaving `gap_ms` or
    more after the one before starts a new level (each level waits for the one before)."""
    levels: list[set[str]] = []
    last = None
    for call in reply.body["extensions"]["sourceCalls"]["waterfall"]:
        if last is None or call["startMs"] - last >= gap_ms:
            levels.append(set())
        levels[-1].add(f"{call['source']}.{call['operation']}")
        last = call["startMs"]
    return levels


async def test_the_locations_a_listing_names_are_fetched_beside_its_products(api, backoffice):
    backoffice.set_faults(latency_ms=100)
    reply = await api.query(LISTING, {"stores": STORES})
    assert reply.errors is None, reply.errors
    # Two levels, not three: the stores' locations do not wait for the stock levels.
    assert _levels(reply, gap_ms=50) == [
        {"pim.search_products", "inventory.locations"},
        {"pricing.prices", "inventory.stock"},
    ]


async def test_a_product_page_waits_for_three_levels_of_calls(api, backoffice):
    backoffice.set_faults(latency_ms=100)
    reply = await api.query(
        """query($stores: [ID!]) { product(sku: "P100001") { name variants { sku
             price { amount { amount } }
             availability(locationIds: $stores) { locations { quantity location { name } } } } } }""",
        {"stores": STORES},
    )
    assert reply.errors is None, reply.errors
    assert _levels(reply, gap_ms=50) == [
        {"pim.products_by_sku", "inventory.locations"},
        {"pim.variants"},
        {"pricing.prices", "inventory.stock"},
    ]


async def test_a_customer_page_fetches_loyalty_and_orders_beside_the_customer(api, backoffice):
    backoffice.set_faults(latency_ms=100)
    reply = await api.query(
        """{ me { name loyalty { points } orders(first: 10) { edges { node { number
             lines { variant { sku } } location { name } } } } } }""",
        role="customer",
        customer_id=DEMO_CUSTOMER_ID,
    )
    assert reply.errors is None, reply.errors
    # The token names the customer: loyalty and orders need not wait for the CRM.
    assert _levels(reply, gap_ms=50) == [
        {"crm.customers", "loyalty.accounts", "orders.customer_orders"},
        {"pim.variants", "inventory.locations"},
    ]


async def test_the_customer_page_over_http(api):
    reply = await api.query(
        "{ me { name loyalty { points } orders(first: 10) { edges { node { number lines { variant { sku } } } } } } }",
        role="customer",
        customer_id=DEMO_CUSTOMER_ID,
    )
    assert reply.errors is None, reply.errors
    assert reply.data["me"]["loyalty"]["points"] > 0
    assert reply.calls_by_source() == {"crm": 1, "loyalty": 1, "orders": 1, "pim": 1}


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"error_rate": 1.0}, "SOURCE_UNAVAILABLE"),
        ({"hang_rate": 1.0}, "SOURCE_TIMEOUT"),
        ({"outage": True}, "SOURCE_UNAVAILABLE"),
    ],
)
async def test_a_failing_price_engine_nulls_prices_only_within_the_timeout(
    api, backoffice, fault, code
):
    backoffice.set_faults(systems=["pricing"], **fault)
    started = time.perf_counter()
    reply = await api.query(LISTING, {"stores": STORES})
    elapsed = time.perf_counter() - started
    edges = reply.data["products"]["edges"]
    assert len(edges) == 48
    assert all(e["node"]["price"] is None and e["node"]["name"] for e in edges)
    assert all(e["node"]["availability"]["locations"] for e in edges)
    assert set(reply.codes) == {code}
    assert {e["extensions"]["source"] for e in reply.errors} == {"pricing"}
    # Bounded by the source's 0.5 s timeout, retries included, not by the hang (300 s);
    # the margin is for a loaded machine.
    assert elapsed < 5.0


async def test_the_breaker_opens_then_recovers(api, backoffice):
    backoffice.set_faults(systems=["pim"], error_rate=1.0)
    for _ in range(3):
        await api.query('{ products(first: 1, search: "verf") { totalCount } }')
    backoffice.reset_requests()
    opened = await api.query('{ products(first: 1, search: "muur") { totalCount } }')
    assert opened.codes == ["SOURCE_UNAVAILABLE"]
    assert backoffice.requests() == {}, "an open breaker fails fast without calling the PIM"
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200, "one source's breaker leaves the instance in rotation"
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["source:pim"] == "circuit open"
    backoffice.set_faults(systems=["pim"], reset=True)
    await asyncio.sleep(0.6)
    recovered = await api.query('{ products(first: 1, search: "muur") { totalCount } }')
    assert recovered.errors is None
    assert recovered.data["products"]["totalCount"] > 0


async def test_stale_prices_stand_in_while_the_price_engine_is_down(api, backoffice):
    fresh = await api.query(LISTING, {"stores": STORES})
    await asyncio.sleep(1.1)  # the price TTL is 1 s here
    backoffice.set_faults(systems=["pricing"], outage=True)
    stale = await api.query(LISTING, {"stores": STORES})
    assert stale.errors is None, stale.errors
    assert [e["node"]["price"] for e in stale.data["products"]["edges"]] == [
        e["node"]["price"] for e in fresh.data["products"]["edges"]
    ]
    assert stale.body["extensions"]["sourceCalls"]["sources"]["pricing"]["staleServed"] == 48


ME = "{ me { customerNumber name } }"


def oauth_settings(seeded_url, ledger_url, url, client_secret):
    """Every source over HTTP; the CRM with OAuth2 client credentials and no static token."""
    return http_settings(
        seeded_url,
        ledger_url,
        url,
        GATEWAY_SOURCES__CRM__HEADERS="{}",
        GATEWAY_SOURCES__CRM__OAUTH__TOKEN_URL="/oauth/token",
        GATEWAY_SOURCES__CRM__OAUTH__CLIENT_ID=live.CLIENT_ID,
        GATEWAY_SOURCES__CRM__OAUTH__CLIENT_SECRET="${TEST_CRM_CLIENT_SECRET}",
        GATEWAY_SOURCES__CRM__OAUTH__SCOPE="crm",
        TEST_CRM_CLIENT_SECRET=client_secret,
    )


async def test_an_oauth_protected_crm_is_called_with_one_token_for_many_queries(
    backoffice, seeded_url, ledger_url
):
    # given: a CRM that wants a bearer token, and a gateway holding client credentials for it
    settings = oauth_settings(seeded_url, ledger_url, backoffice.url, live.CLIENT_SECRET)
    async with serve(create_app(settings, clock=CLOCK), settings) as api:
        backoffice.reset_requests()

        # when
        replies = [
            await api.query(ME, role="customer", customer_id=DEMO_CUSTOMER_ID) for _ in range(3)
        ]

    # then
    for reply in replies:
        assert reply.errors is None, reply.errors
        assert reply.data["me"]["name"]
    assert backoffice.requests() == {"POST /oauth/token": 1, "GET /crm/v1/customers": 3}


async def test_a_refused_client_secret_fails_the_customer_fields_as_source_unavailable(
    backoffice, seeded_url, ledger_url
):
    # given
    settings = oauth_settings(seeded_url, ledger_url, backoffice.url, "not-the-client-secret")
    async with serve(create_app(settings, clock=CLOCK), settings) as api:
        backoffice.reset_requests()

        # when
        reply = await api.query(ME, role="customer", customer_id=DEMO_CUSTOMER_ID)

    # then
    assert reply.data == {"me": None}
    assert reply.codes == ["SOURCE_UNAVAILABLE"]
    assert reply.errors[0]["path"] == ["me"]
    assert reply.errors[0]["extensions"]["source"] == "crm"
    assert "not-the-client-secret" not in str(reply.body)
    assert backoffice.requests() == {"POST /oauth/token": 1}, "no call reaches the CRM"


async def test_a_cursor_the_pim_refuses_over_http_is_bad_user_input(api, backoffice):
    page = "query($after: String) { products(first: 3, after: $after) { edges { cursor } } }"
    first = await api.query(page)
    second = await api.query(page, {"after": first.data["products"]["edges"][-1]["cursor"]})
    # our wrapper around a token the PIM never gave out (one sort value where it has two)
    tampered = to_keyset_cursor(base64.urlsafe_b64encode(b'["P100001"]').decode().rstrip("="))

    refused = await api.query(page, {"after": tampered})

    assert second.errors is None
    assert len(second.data["products"]["edges"]) == 3
    assert refused.codes == ["BAD_USER_INPUT"]
    assert refused.errors[0]["extensions"]["argument"] == "after"
