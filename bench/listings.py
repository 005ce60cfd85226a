"""The two listings: issue 3's (price and stock with the stores' names) and issue 10's
(the variants' GTINs, price and stock by store id), in our schema and in the peer's.

Issue 10's listing is the one its targets are stated for: a page of 48 products with name,
the variants' GTINs, the default variant's price and its stock in three stores. Everything
it asks is in the PIM search answer (GTINs: once the search carries the variants), the
prices and the stock: one call per source, in two levels (40 ms of critical path at 20 ms).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from bench.subjects import CHANNEL, Fingerprint, Subjects, items, stock
from resolvers.ids import from_global_id

# --- issue 3's listing --------------------------------------------------------------------

LISTING = """
query Listing($first: Int!, $stores: [ID!]!) {
  products(first: $first) {
    edges {
      node {
        sku name brand
        price { amount { amount currency } listAmount { amount } promotions { name } }
        availability(locationIds: $stores) {
          available
          locations { quantity status location { code name } }
        }
      }
    }
  }
}
"""

PEER_LISTING = """
query Listing($limit: NonNegativeInt) {
  Pim_search_products(limit: $limit, complete_only: true) {
    items {
      sku name brand variant_ids
      price { variant_id amount list_amount currency promotions { name } }
      stock { variant_id quantity location_id location { id code name channels } }
    }
  }
}
"""


def ours_listing(data: Any) -> Fingerprint:
    return {
        edge["node"]["sku"]: (
            edge["node"]["price"]["amount"]["amount"],
            stock(
                (s["location"]["code"], s["quantity"])
                for s in edge["node"]["availability"]["locations"]
            ),
        )
        for edge in data["products"]["edges"]
    }


def peer_listing(data: Any) -> Fingerprint:
    return {
        item["sku"]: (
            item["price"]["amount"],
            stock((s["location"]["code"], s["quantity"]) for s in item["stock"]),
        )
        for item in data["Pim_search_products"]["items"]
    }


async def _search(client: httpx.AsyncClient, s: Subjects) -> list[Any]:
    params: dict[str, Any] = {"limit": s.listing_size, "complete_only": "true"}
    if s.category_id is not None:
        params["category_id"] = s.category_id
    response = await client.get("/pim/v1/products/search", params=params)
    response.raise_for_status()
    found: list[Any] = response.json()["items"]
    return found


async def direct_listing(client: httpx.AsyncClient, s: Subjects) -> None:
    ids = [product["variant_ids"][0] for product in await _search(client, s)]
    await asyncio.gather(
        items(client, "/pricing/v1/prices", variant_id=ids, channel=CHANNEL),
        items(client, "/inventory/v1/stock", variant_id=ids, location_id=list(s.listing_stores)),
    )
    await items(client, "/inventory/v1/locations", id=list(s.listing_stores))


# --- issue 10's listing -------------------------------------------------------------------

LISTING_GTIN = """
query ListingGtin($first: Int!, $stores: [ID!]!) {
  products(first: $first) {
    edges {
      node {
        sku name
        variants { sku gtin }
        price { amount { amount currency } }
        availability(locationIds: $stores) { locations { quantity location { id } } }
      }
    }
  }
}
"""

# The GTINs: through the PIM's variants batch read while the search does not carry the
# variants; once its OpenAPI document says it does, mesh.config.ts leaves `variants` to the
# search answer (each gateway may use what the source serves) and the PIM call of the
# second level goes.
PEER_LISTING_GTIN = """
query ListingGtin($limit: NonNegativeInt) {
  Pim_search_products(limit: $limit, complete_only: true) {
    items {
      sku name variant_ids
      variants { id sku gtin }
      price { variant_id amount currency }
      stock { variant_id quantity location_id }
    }
  }
}
"""


# --- issue 10's listing, rotating over category pages -------------------------------------

# The same selection as LISTING_GTIN, a page per category: a load that rotates over them asks
# distinct pages at once, so that no two requests in flight share a source call
# (`tests/bench/test_rotation.py` checks that the selections stay the same).
LISTING_GTIN_BY_CATEGORY = """
query ListingGtinByCategory($first: Int!, $stores: [ID!]!, $category: ID!) {
  products(first: $first, categoryId: $category) {
    edges {
      node {
        sku name
        variants { sku gtin }
        price { amount { amount currency } }
        availability(locationIds: $stores) { locations { quantity location { id } } }
      }
    }
  }
}
"""

PEER_LISTING_GTIN_BY_CATEGORY = """
query ListingGtinByCategory($limit: NonNegativeInt, $category: String) {
  Pim_search_products(limit: $limit, complete_only: true, category_id: $category) {
    items {
      sku name variant_ids
      variants { id sku gtin }
      price { variant_id amount currency }
      stock { variant_id quantity location_id }
    }
  }
}
"""


def ours_listing_gtin(data: Any) -> Fingerprint:
    return {
        node["sku"]: (
            node["name"],
            sorted(v["gtin"] for v in node["variants"]),
            node["price"]["amount"]["amount"],
            stock(
                (from_global_id(s["location"]["id"])[1], s["quantity"])
                for s in node["availability"]["locations"]
            ),
        )
        for node in (edge["node"] for edge in data["products"]["edges"])
    }


def peer_listing_gtin(data: Any) -> Fingerprint:
    # The PIM's names are per locale; ours answers in the default one (nl).
    return {
        item["sku"]: (
            item["name"]["nl"] if isinstance(item["name"], dict) else item["name"],
            sorted(v["gtin"] for v in item["variants"]),
            item["price"]["amount"],
            stock((s["location_id"], s["quantity"]) for s in item["stock"]),
        )
        for item in data["Pim_search_products"]["items"]
    }


async def direct_listing_gtin(client: httpx.AsyncClient, s: Subjects) -> None:
    products = await _search(client, s)
    defaults = [product["variant_ids"][0] for product in products]
    fetches = [
        items(client, "/pricing/v1/prices", variant_id=defaults, channel=CHANNEL),
        items(
            client, "/inventory/v1/stock", variant_id=defaults, location_id=list(s.listing_stores)
        ),
    ]
    if not all("variants" in product for product in products):
        variants = [v for product in products for v in product["variant_ids"]]
        fetches.append(items(client, "/pim/v1/variants", id=variants))
    await asyncio.gather(*fetches)
