"""What a listing fetches for its page at once, and what it leaves to each product's field.

`resolvers.listing` fetches the prices and the availability every node asks for in one
batched place; aliases asking availability with different arguments get a resolver each,
and a failed part fails only its own field of each product, at that field's path.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.errors import SourceUnavailable
from connectors.guard import CachePolicy
from connectors.pricing.guarded import GuardedPricingConnector
from gateway.app import create_app
from gateway.bootstrap import build_stack, open_runtime
from gateway.config import Settings
from resolvers.ids import to_global_id
from tests.api import CLOCK, Api, serve

pytestmark = pytest.mark.anyio

S01, S02, S03 = (to_global_id("Location", s) for s in ("s01", "s02", "s03"))


def _stock(node: dict[str, Any], field: str) -> list[tuple[str, int]]:
    return [(row["location"]["code"], row["quantity"]) for row in node[field]["locations"]]


async def test_aliases_asking_other_stores_each_get_their_own_stores(api: Api) -> None:
    both = await api.query(
        """query($a: [ID!], $b: [ID!]) { products(first: 6) { edges { node { sku
             near: availability(locationIds: $a) { locations { quantity location { code } } }
             far: availability(locationIds: $b) { locations { quantity location { code } } }
           } } } }""",
        {"a": [S01], "b": [S02, S03]},
    )
    alone = await api.query(
        """query($b: [ID!]) { products(first: 6) { edges { node { sku
             far: availability(locationIds: $b) { locations { quantity location { code } } }
           } } } }""",
        {"b": [S02, S03]},
    )

    assert both.errors is None, both.errors
    nodes = [edge["node"] for edge in both.data["products"]["edges"]]
    assert len(nodes) == 6
    assert all([code for code, _ in _stock(node, "near")] == ["NL001"] for node in nodes)
    assert [_stock(node, "far") for node in nodes] == [
        _stock(edge["node"], "far") for edge in alone.data["products"]["edges"]
    ]


async def test_aliases_asking_the_same_stores_share_one_fetch(api: Api) -> None:
    reply = await api.query(
        """query($a: [ID!]) { products(first: 6) { edges { node {
             one: availability(locationIds: $a) { available }
             two: availability(locationIds: $a) { available locations { quantity } }
           } } } }""",
        {"a": [S01, S02]},
    )

    assert reply.errors is None, reply.errors
    nodes = [edge["node"] for edge in reply.data["products"]["edges"]]
    assert [node["one"]["available"] for node in nodes] == [
        node["two"]["available"] for node in nodes
    ]
    assert all(len(node["two"]["locations"]) == 2 for node in nodes)
    assert reply.calls_by_source() == {"pim": 1, "inventory": 2}  # stock, locations


class _DownPricing:
    async def get_prices(self, *args: Any, **kwargs: Any) -> Any:
        raise SourceUnavailable("pricing", "connection refused")

    quote = get_promotions = get_prices


async def test_a_failed_price_fetch_fails_each_products_price_at_its_own_path(
    settings: Settings, engine: AsyncEngine
) -> None:
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    guard = build_stack("pricing", cache=None, timeout=0.2, clock=CLOCK)
    pricing = GuardedPricingConnector(_DownPricing(), guard, CachePolicy())  # type: ignore[arg-type]
    runtime.sources = dataclasses.replace(runtime.sources, pricing=pricing)

    async with serve(create_app(settings, runtime=runtime), settings) as api:
        reply = await api.query(
            """{ products(first: 4) { edges { node { sku price { amount { amount } }
                 availability(locationIds: ["TG9jYXRpb246czAx"]) { available } } } } }"""
        )

    nodes = [edge["node"] for edge in reply.data["products"]["edges"]]
    assert [node["price"] for node in nodes] == [None] * 4
    assert all(node["sku"] and node["availability"] is not None for node in nodes)
    assert sorted(tuple(error["path"]) for error in reply.errors) == [
        ("products", "edges", index, "node", "price") for index in range(4)
    ]
    assert set(reply.codes) == {"SOURCE_UNAVAILABLE"}


async def test_a_listing_hands_its_fetched_prices_and_stock_to_plain_fields(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def per_product(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a listing's product fetched its own price or availability")

    # The one-product paths; a listing must not take them for fields it fetched itself.
    monkeypatch.setattr("resolvers.price.price_of", per_product)
    monkeypatch.setattr("schema.product.resolve_availability", per_product)

    reply = await api.query(
        """query($a: [ID!]) { products(first: 12) { edges { node { sku
             price { amount { amount } } availability(locationIds: $a) { available } } } } }""",
        {"a": [S01, S02]},
    )

    assert reply.errors is None, reply.errors
    nodes = [edge["node"] for edge in reply.data["products"]["edges"]]
    assert all(node["price"]["amount"]["amount"] for node in nodes)
    assert all(isinstance(node["availability"]["available"], bool) for node in nodes)
