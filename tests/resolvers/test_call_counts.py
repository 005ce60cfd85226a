"""N+1 guard: a listing makes one call per source per query level, whatever the page size."""

import time

import pytest

from resolvers.ids import to_global_id

pytestmark = pytest.mark.anyio

LISTING = """
query($first: Int!, $stores: [ID!]) {
  products(first: $first) {
    edges { node {
      sku name brand
      price { amount { amount currency } listAmount { amount } promotions { name } }
      availability(locationIds: $stores) {
        available asOf live
        locations { quantity status location { code name } }
      }
    } }
  }
}
"""

STORES = [to_global_id("Location", s) for s in ("s01", "s02", "s03")]


@pytest.mark.parametrize("page_size", [1, 12, 48])
async def test_a_listing_with_price_and_stock_in_three_stores_makes_one_call_per_source_and_level(
    api, page_size
):
    started = time.perf_counter()
    reply = await api.query(LISTING, {"first": page_size, "stores": STORES})
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert reply.errors is None, reply.errors
    edges = reply.data["products"]["edges"]
    assert len(edges) == page_size
    assert all(len(e["node"]["availability"]["locations"]) == 3 for e in edges)
    assert all(e["node"]["price"] is not None for e in edges)
    # level 1: the product page (PIM); level 2: prices (price engine) and stock (inventory);
    # level 3: the locations behind `available` (inventory), reused by `location` below it.
    assert reply.calls_by_source() == {"pim": 1, "pricing": 1, "inventory": 2}
    print(
        f"\n{page_size} products, cold cache: {elapsed_ms:.1f} ms, calls {reply.calls_by_source()}"
    )


async def test_a_warm_listing_is_served_from_the_cache(api):
    await api.query(LISTING, {"first": 48, "stores": STORES})
    warm = await api.query(LISTING, {"first": 48, "stores": STORES})
    # The page (tagged with its products), prices, stock and locations all come from the cache.
    assert warm.calls_by_source() == {}
    hits = warm.body["extensions"]["sourceCalls"]["sources"]
    assert hits["pim"]["cacheHits"] == 1
    assert hits["pricing"]["cacheHits"] == 48
    assert hits["inventory"]["cacheHits"] == 48 * 3 + 3


async def test_a_customer_page_makes_one_call_per_source_and_level(api):
    from backoffice.seed import DEMO_CUSTOMER_ID

    reply = await api.query(
        """{ me { name tier loyalty { points }
             orders(first: 10) { edges { node { number total { amount }
               lines { sku variant { sku name } } location { name } } } } } }""",
        role="customer",
        customer_id=DEMO_CUSTOMER_ID,
    )
    assert reply.errors is None, reply.errors
    orders = reply.data["me"]["orders"]["edges"]
    assert len(orders) >= 3
    assert sum(len(o["node"]["lines"]) for o in orders) > len(orders), "several lines to batch"
    # crm: the customer; loyalty: the account; orders: the customer's orders;
    # pim: every line's variant in one batch; inventory: every order's store in one batch.
    assert reply.calls_by_source() == {
        "crm": 1,
        "loyalty": 1,
        "orders": 1,
        "pim": 1,
        "inventory": 1,
    }


@pytest.mark.parametrize("role", [None, "associate", "service"])
async def test_me_for_someone_who_is_no_customer_calls_no_source(api, role):
    # `me`'s loyalty and orders are loaded ahead of the customer, but only for a customer.
    claims = {"store_id": "s01"} if role == "associate" else {}
    reply = await api.query(
        "{ me { name loyalty { points } orders(first: 1) { edges { node { number } } } } }",
        role=role,
        **claims,
    )
    assert reply.data == {"me": None}
    assert reply.calls_by_source() == {}
