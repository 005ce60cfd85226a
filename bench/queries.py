"""The three measured queries, in our schema and in the peer's, and what each must fetch.

Each `BenchQuery` asks the same data of both gateways: our document over the public schema,
the peer's document over the schema GraphQL Mesh composes from the back office's OpenAPI
documents (`bench/peer/mesh.config.ts`), and a `fingerprint` of each answer, so that a run
can check that both really returned the same products, prices, stock, orders and points.

`levels` is the depth of the query's source dependencies: a field whose keys come from
its parent's answer is one level below it. With one call per source per level, a cold
answer cannot be faster than `levels` × the sources' latency (the critical path);
`calls` is that one-call-per-level count for each source.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.ids import to_global_id

#: The product of the product page: five colour variants in every seed size.
PRODUCT_SKU = "P100001"
#: The stores of the product page's availability, and the listing's.
PRODUCT_STORES = ("s01", "s02", "s03", "s04", "s05")
LISTING_STORES = ("s01", "s02", "s03")
LISTING_SIZE = 48
#: The customer page lists this many orders; the picked customer has (about) this many.
CUSTOMER_ORDERS = 10
#: Under load the customer page rotates over this many customers (identical requests would
#: measure the single-flight of a gateway that has one, not its work).
LOAD_CUSTOMERS = 32
#: The channel both gateways price in (ours takes it from the request's default).
CHANNEL = "WEB"

Fingerprint = Any


@dataclass(frozen=True, slots=True)
class Subjects:
    """What the queries ask about: found in the seeded back office, identical for both gateways."""

    product_sku: str = PRODUCT_SKU
    product_stores: tuple[str, ...] = PRODUCT_STORES
    listing_stores: tuple[str, ...] = LISTING_STORES
    listing_size: int = LISTING_SIZE
    customer_id: str = "cu00001"
    #: The customers the load rotates over, `customer_id` first.
    customer_ids: tuple[str, ...] = ("cu00001",)

    def for_customer(self, customer_id: str) -> Subjects:
        return dataclasses.replace(self, customer_id=customer_id)


@dataclass(frozen=True, slots=True)
class BenchQuery:
    """One measured query: both documents, their variables, and what it should cost upstream."""

    name: str
    title: str
    ours: str
    peer: str
    ours_variables: Callable[[Subjects], Mapping[str, Any]]
    peer_variables: Callable[[Subjects], Mapping[str, Any]]
    ours_fingerprint: Callable[[Any], Fingerprint]
    peer_fingerprint: Callable[[Any], Fingerprint]
    levels: int
    calls: Mapping[str, int]
    #: The same data fetched straight from the back office, level by level, each level's
    #: calls at once: what a gateway with no work of its own would take (the upstream floor).
    direct: Callable[[httpx.AsyncClient, Subjects], Awaitable[None]]
    #: Asked as the customer (our gateway: a customer token; the peer: the id as a variable).
    as_customer: bool = False
    #: Sources whose calls depend on the data (an order without a store reads no location).
    optional: frozenset[str] = field(default_factory=frozenset)


def _ids(kind: str, keys: Sequence[str]) -> list[str]:
    return [to_global_id(kind, key) for key in keys]


async def _items(client: httpx.AsyncClient, path: str, **params: Any) -> list[Any]:
    response = await client.get(path, params=params)
    response.raise_for_status()
    items: list[Any] = response.json()["items"]
    return items


def _stock(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    # Ours lists every store asked, with 0 where the inventory has no row; the peer only
    # the rows the inventory answered.
    return {code: quantity for code, quantity in rows if quantity}


# --- product page -------------------------------------------------------------------------

PRODUCT_PAGE = """
query ProductPage($sku: String!, $stores: [ID!]!) {
  product(sku: $sku) {
    sku name description brand
    media { url alt }
    variants {
      sku gtin name
      attributes { name value }
      price { amount { amount currency } listAmount { amount } promotions { name } validUntil }
      availability(locationIds: $stores) {
        available
        locations { quantity status location { code name } }
      }
    }
  }
}
"""

# The peer's stock fields carry their stores in the composed schema (bench/peer/mesh.config.ts):
# Mesh's batched @resolveTo takes fixed extra arguments, not the query's.
PEER_PRODUCT_PAGE = """
query ProductPage($sku: [String]) {
  Pim_get_products(sku: $sku) {
    items {
      sku name description brand variant_ids
      media { url alt }
      variants {
        id sku gtin name
        attributes { code name value }
        price { variant_id amount list_amount currency promotions { name } valid_until }
        stock { variant_id quantity location_id location { id code name channels } }
      }
    }
  }
}
"""


def _ours_product(data: Any) -> Fingerprint:
    product = data["product"]
    return {
        "sku": product["sku"],
        "variants": {
            v["sku"]: (
                v["price"]["amount"]["amount"],
                _stock(
                    (s["location"]["code"], s["quantity"]) for s in v["availability"]["locations"]
                ),
            )
            for v in product["variants"]
        },
    }


def _peer_product(data: Any) -> Fingerprint:
    (product,) = data["Pim_get_products"]["items"]
    return {
        "sku": product["sku"],
        "variants": {
            v["sku"]: (
                v["price"]["amount"],
                _stock((s["location"]["code"], s["quantity"]) for s in v["stock"]),
            )
            for v in product["variants"]
        },
    }


async def _direct_product(client: httpx.AsyncClient, s: Subjects) -> None:
    (product,) = await _items(client, "/pim/v1/products", sku=[s.product_sku])
    ids = product["variant_ids"]
    await _items(client, "/pim/v1/variants", id=ids)
    await asyncio.gather(
        _items(client, "/pricing/v1/prices", variant_id=ids, channel=CHANNEL),
        _items(client, "/inventory/v1/stock", variant_id=ids, location_id=list(s.product_stores)),
    )
    await _items(client, "/inventory/v1/locations", id=list(s.product_stores))


# --- listing ------------------------------------------------------------------------------

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


def _ours_listing(data: Any) -> Fingerprint:
    return {
        edge["node"]["sku"]: (
            edge["node"]["price"]["amount"]["amount"],
            _stock(
                (s["location"]["code"], s["quantity"])
                for s in edge["node"]["availability"]["locations"]
            ),
        )
        for edge in data["products"]["edges"]
    }


def _peer_listing(data: Any) -> Fingerprint:
    return {
        item["sku"]: (
            item["price"]["amount"],
            _stock((s["location"]["code"], s["quantity"]) for s in item["stock"]),
        )
        for item in data["Pim_search_products"]["items"]
    }


async def _direct_listing(client: httpx.AsyncClient, s: Subjects) -> None:
    response = await client.get(
        "/pim/v1/products/search", params={"limit": s.listing_size, "complete_only": "true"}
    )
    response.raise_for_status()
    ids = [product["variant_ids"][0] for product in response.json()["items"]]
    await asyncio.gather(
        _items(client, "/pricing/v1/prices", variant_id=ids, channel=CHANNEL),
        _items(client, "/inventory/v1/stock", variant_id=ids, location_id=list(s.listing_stores)),
    )
    await _items(client, "/inventory/v1/locations", id=list(s.listing_stores))


# --- customer page ------------------------------------------------------------------------

CUSTOMER_PAGE = """
query CustomerPage($orders: Int!) {
  me {
    customerNumber name email phone tier
    loyalty { cardNumber points }
    orders(first: $orders) {
      edges {
        node {
          number channel status placedAt
          total { amount currency }
          lines { sku quantity total { amount } variant { sku name } }
          location { code name }
        }
      }
    }
  }
}
"""

PEER_CUSTOMER_PAGE = """
query CustomerPage($id: [String]) {
  Crm_get_customers(id: $id) {
    items {
      id customer_number first_name last_name email phone tier
      loyalty { customer_id card_number points }
      orders {
        number channel status placed_at total currency
        lines { sku quantity total variant_id variant { id sku name } }
        location_id location { id code name }
      }
    }
  }
}
"""


def _ours_customer(data: Any) -> Fingerprint:
    me = data["me"]
    return {
        "number": me["customerNumber"],
        "points": me["loyalty"]["points"],
        "orders": {
            edge["node"]["number"]: (
                edge["node"]["total"]["amount"],
                sorted(line["variant"]["sku"] for line in edge["node"]["lines"]),
                (edge["node"]["location"] or {}).get("code"),
            )
            for edge in me["orders"]["edges"]
        },
    }


def _peer_customer(data: Any) -> Fingerprint:
    (customer,) = data["Crm_get_customers"]["items"]
    return {
        "number": customer["customer_number"],
        "points": customer["loyalty"]["points"],
        "orders": {
            order["number"]: (
                order["total"],
                sorted(line["variant"]["sku"] for line in order["lines"]),
                (order["location"] or {}).get("code"),
            )
            for order in customer["orders"][:CUSTOMER_ORDERS]
        },
    }


async def _direct_customer(client: httpx.AsyncClient, s: Subjects) -> None:
    await _items(client, "/crm/v1/customers", id=[s.customer_id])
    answers = await asyncio.gather(
        _items(client, "/loyalty/v1/accounts", customer_id=[s.customer_id]),
        _items(client, "/orders/v1/orders", customer_id=[s.customer_id]),
    )
    recent = answers[1][:CUSTOMER_ORDERS]
    variants = sorted({line["variant_id"] for order in recent for line in order["lines"]})
    stores = sorted({order["location_id"] for order in recent if order["location_id"]})
    await asyncio.gather(
        _items(client, "/pim/v1/variants", id=variants),
        *([_items(client, "/inventory/v1/locations", id=stores)] if stores else []),
    )


QUERIES: tuple[BenchQuery, ...] = (
    BenchQuery(
        name="product",
        title="product page (1 product, 5 variants: price, stock in 5 stores)",
        ours=PRODUCT_PAGE,
        peer=PEER_PRODUCT_PAGE,
        ours_variables=lambda s: {
            "sku": s.product_sku,
            "stores": _ids("Location", s.product_stores),
        },
        peer_variables=lambda s: {"sku": [s.product_sku]},
        ours_fingerprint=_ours_product,
        peer_fingerprint=_peer_product,
        # product -> its variants -> their prices and stock -> the stock's locations
        levels=4,
        calls={"pim": 2, "pricing": 1, "inventory": 2},
        direct=_direct_product,
    ),
    BenchQuery(
        name="listing",
        title="listing (48 products: price, stock in 3 stores)",
        ours=LISTING,
        peer=PEER_LISTING,
        ours_variables=lambda s: {
            "first": s.listing_size,
            "stores": _ids("Location", s.listing_stores),
        },
        peer_variables=lambda s: {"limit": s.listing_size},
        ours_fingerprint=_ours_listing,
        peer_fingerprint=_peer_listing,
        # the page of products -> their prices and stock -> the stock's locations
        levels=3,
        calls={"pim": 1, "pricing": 1, "inventory": 2},
        direct=_direct_listing,
    ),
    BenchQuery(
        name="customer",
        title="customer page (profile, loyalty, last 10 orders with lines and store)",
        ours=CUSTOMER_PAGE,
        peer=PEER_CUSTOMER_PAGE,
        ours_variables=lambda s: {"orders": CUSTOMER_ORDERS},
        peer_variables=lambda s: {"id": [s.customer_id]},
        ours_fingerprint=_ours_customer,
        peer_fingerprint=_peer_customer,
        # the customer -> loyalty account and orders -> the lines' variants and orders' stores
        levels=3,
        calls={"crm": 1, "loyalty": 1, "orders": 1, "pim": 1, "inventory": 1},
        direct=_direct_customer,
        as_customer=True,
        optional=frozenset({"inventory"}),
    ),
)

BY_NAME: Mapping[str, BenchQuery] = {query.name: query for query in QUERIES}


async def pick_subjects(engine: AsyncEngine) -> Subjects:
    """Customers for the customer page: loyalty members with about 10 orders, some in a store.

    Chosen in the data rather than fixed, since the seed dates orders from the day it runs.
    """
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    """
                    SELECT o.customer_id
                    FROM oms_order o JOIN loy_account a ON a.customer_id = o.customer_id
                    GROUP BY o.customer_id
                    ORDER BY ABS(COUNT(*) - :wanted),
                             CASE WHEN SUM(CASE WHEN o.location_id IS NULL THEN 0 ELSE 1 END) > 0
                                  THEN 0 ELSE 1 END,
                             o.customer_id
                    LIMIT :customers
                    """
                ),
                {"wanted": CUSTOMER_ORDERS, "customers": LOAD_CUSTOMERS},
            )
        ).all()
    if not rows:
        raise RuntimeError("the back office holds no customer with orders and a loyalty card")
    ids = tuple(str(row.customer_id) for row in rows)
    return Subjects(customer_id=ids[0], customer_ids=ids)
