"""A failing source degrades only the fields it serves; hidden products stay hidden."""

import asyncio
import dataclasses

import pytest
from sqlalchemy import select

from backoffice.pim.models import Product as ProductRow
from connectors.errors import SourceUnavailable
from connectors.guard import CachePolicy
from connectors.pricing.guarded import GuardedPricingConnector
from gateway.app import create_app
from gateway.bootstrap import build_stack, open_runtime
from resolvers.ids import to_global_id
from tests.api import CLOCK, serve

pytestmark = pytest.mark.anyio

LISTING = """{ products(first: 3) { edges { node { sku name
  price { amount { amount } }
  availability(locationIds: ["TG9jYXRpb246czAx"]) { available } } } } }"""


class DownPricing:
    async def get_prices(self, variant_ids, *, channel, quantity, tier):
        raise SourceUnavailable("pricing", "connection refused")

    async def quote(self, lines, *, channel, customer_id, tier):
        raise SourceUnavailable("pricing", "connection refused")


class HangingPricing(DownPricing):
    async def get_prices(self, variant_ids, *, channel, quantity, tier):
        await asyncio.sleep(30)


async def gateway_with_pricing(settings, engine, pricing):
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    guard = build_stack("pricing", cache=None, timeout=0.2, clock=CLOCK)
    runtime.sources = dataclasses.replace(
        runtime.sources, pricing=GuardedPricingConnector(pricing, guard, CachePolicy())
    )
    return serve(create_app(settings, runtime=runtime), settings)


@pytest.mark.parametrize(
    ("pricing", "code"),
    [(DownPricing(), "SOURCE_UNAVAILABLE"), (HangingPricing(), "SOURCE_TIMEOUT")],
)
async def test_pricing_down_nulls_prices_only(settings, engine, pricing, code):
    async with await gateway_with_pricing(settings, engine, pricing) as api:
        reply = await api.query(LISTING)
    edges = reply.data["products"]["edges"]
    assert len(edges) == 3
    assert all(e["node"]["name"] and e["node"]["price"] is None for e in edges)
    assert all(e["node"]["availability"] is not None for e in edges)
    assert set(reply.codes) == {code}
    assert {e["extensions"]["source"] for e in reply.errors} == {"pricing"}
    assert {tuple(e["path"][-1:]) for e in reply.errors} == {("price",)}


async def test_incomplete_products_are_hidden_from_shoppers_but_not_from_staff(api, engine):
    async with engine.connect() as conn:
        incomplete = (
            await conn.execute(select(ProductRow.id).where(ProductRow.complete.is_(False)))
        ).scalar()
    if incomplete is None:
        pytest.skip("no incomplete product in this seed")
    query = "query($id: ID) { product(id: $id) { sku } }"
    variables = {"id": to_global_id("Product", incomplete)}
    web = await api.query(query, variables, headers={"x-channel": "WEB"})
    store = await api.query(query, variables, role="associate", store_id="s01")
    assert web.data == {"product": None}
    assert store.data["product"] is not None
