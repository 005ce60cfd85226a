"""A listing with its variants' GTINs: one call per source and level, embedded and over HTTP.

The PIM's search carries the page's variants, which the listing hands to its products and
the request's loaders know: `Product.variants` on a listing calls no source, nor does a
variant's `product`, and what else the nodes ask for is
fetched for the whole page in one batched place (`resolvers.listing`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from resolvers.ids import to_global_id
from tests.api import CLOCK, Api, serve
from tests.backoffice import live

pytestmark = pytest.mark.anyio

STORES = [to_global_id("Location", s) for s in ("s01", "s02", "s03")]

LISTING = """
query($first: Int!, $stores: [ID!]!) {
  products(first: $first) {
    edges { node {
      sku name brand
      variants { sku gtin name attributes { name value } }
      price { amount { amount currency } listAmount { amount } promotions { name } }
      availability(locationIds: $stores) {
        available
        locations { quantity status location { code name } }
      }
    } }
  }
}
"""

#: The PIM, pricing and inventory over HTTP, served by the session's live back office.
OVER_HTTP = ("pim", "pricing", "inventory")


@pytest.fixture
def backoffice(request: pytest.FixtureRequest, seeded_url: str) -> live.LiveBackoffice:
    return live.running(request, seeded_url)


@pytest.fixture
async def http_api(
    backoffice: live.LiveBackoffice, seeded_url: str, ledger_url: str, engine: AsyncEngine
) -> AsyncIterator[Api]:
    env = {
        "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
        "GATEWAY_DATABASE__URL": ledger_url,
        "GATEWAY_SERVER__DEBUG_SOURCE_CALLS": "true",
    }
    for source in OVER_HTTP:
        env[f"GATEWAY_SOURCES__{source.upper()}__KIND"] = "http"
        env[f"GATEWAY_SOURCES__{source.upper()}__BASE_URL"] = backoffice.url
    settings = Settings.load(None, env=env)
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    async with serve(create_app(settings, runtime=runtime), settings) as client:
        yield client


async def _variants_of(api: Api, sku: str) -> list[dict[str, object]]:
    reply = await api.query(
        "query($sku: String) { product(sku: $sku) { variants { sku gtin name attributes { name value } } } }",
        {"sku": sku},
    )
    variants: list[dict[str, object]] = reply.data["product"]["variants"]
    return variants


async def _assert_listing_with_gtins_makes_one_call_per_source(api: Api) -> None:
    reply = await api.query(LISTING, {"first": 48, "stores": STORES})

    assert reply.errors is None, reply.errors
    nodes = [edge["node"] for edge in reply.data["products"]["edges"]]
    assert len(nodes) == 48
    assert all(node["variants"] for node in nodes)
    assert all(len(v["gtin"]) == 13 for node in nodes for v in node["variants"])
    assert all(node["price"] is not None for node in nodes)
    assert all(len(node["availability"]["locations"]) == 3 for node in nodes)
    # pim: the page with its variants; pricing: the page's prices; inventory: the stock
    # levels, and the named stores' locations (fetched beside the page, a level earlier).
    assert reply.calls_by_source() == {"pim": 1, "pricing": 1, "inventory": 2}
    # The variants the page carried are those the PIM's variant reads give.
    assert nodes[0]["variants"] == await _variants_of(api, nodes[0]["sku"])


async def test_a_listing_with_gtins_calls_each_source_once_a_level_embedded(api: Api) -> None:
    await _assert_listing_with_gtins_makes_one_call_per_source(api)


async def test_a_listing_with_gtins_calls_each_source_once_a_level_over_http(
    http_api: Api, backoffice: live.LiveBackoffice
) -> None:
    backoffice.reset_requests()

    await _assert_listing_with_gtins_makes_one_call_per_source(http_api)

    requests = backoffice.requests()
    assert requests.pop("GET /pim/v1/products") == 1  # the comparison's product(sku:)
    assert requests.pop("GET /pim/v1/variants") == 1  # ... and its variants
    assert requests == {
        "GET /pim/v1/products/search": 1,
        "GET /pricing/v1/prices": 1,
        "GET /inventory/v1/stock": 1,
        "GET /inventory/v1/locations": 1,
    }


async def test_a_listing_with_gtins_waits_for_two_levels_of_calls(
    http_api: Api, backoffice: live.LiveBackoffice
) -> None:
    backoffice.set_faults(latency_ms=100)

    reply = await http_api.query(LISTING, {"first": 48, "stores": STORES})

    assert reply.errors is None, reply.errors
    levels: list[set[str]] = []
    last = None
    for call in reply.body["extensions"]["sourceCalls"]["waterfall"]:
        if last is None or call["startMs"] - last >= 50:  # each level waits ~100 ms
            levels.append(set())
        levels[-1].add(f"{call['source']}.{call['operation']}")
        last = call["startMs"]
    assert levels == [
        {"pim.search_products", "inventory.locations"},
        {"pricing.prices", "inventory.stock"},
    ]


@pytest.mark.parametrize(
    ("fields", "calls"),
    [
        ("sku", {"pim": 1}),
        ("sku variants { gtin }", {"pim": 1}),
        ("sku variants { product { sku } }", {"pim": 1}),
        ("sku price { amount { amount } }", {"pim": 1, "pricing": 1}),
        (
            f"availability(locationIds: {STORES}) {{ live }}".replace("'", '"'),
            {"pim": 1, "inventory": 2},
        ),
    ],
)
async def test_a_listing_fetches_only_what_its_nodes_ask_for(
    api: Api, fields: str, calls: dict[str, int]
) -> None:
    reply = await api.query(f"{{ products(first: 12) {{ edges {{ node {{ {fields} }} }} }} }}")

    assert reply.errors is None, reply.errors
    assert len(reply.data["products"]["edges"]) == 12
    assert reply.calls_by_source() == calls
