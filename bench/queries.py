"""The measured queries, in our schema and in the peer's, and what each must fetch.

Each `BenchQuery` asks the same data of both gateways: our document over the public schema,
the peer's document over the schema GraphQL Mesh composes from the back office's OpenAPI
documents (`bench/peer/mesh.config.ts`), and a `fingerprint` of each answer, so that a run
can check that both really returned the same products, prices, stock, orders and points.
The listings are in `bench.listings`; what the queries ask about, in `bench.subjects`.

`levels` is the depth of the query's source dependencies: a field whose keys come from
its parent's answer is one level below it. With one call per source per level, a cold
answer cannot be faster than `levels` × the sources' latency (the critical path);
`calls` is that one-call-per-level count for each source.

Under load a query either repeats one request (a gateway that shares the source calls of
identical requests in flight then serves them all from one fetch) or rotates over distinct
`pages`: the customer page over customers, `listing-gtin-rotating` over category pages, so
that no two requests in flight share a call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import listings
from bench.subjects import (
    CHANNEL,
    CUSTOMER_ORDERS,
    LOAD_CUSTOMERS,
    Fingerprint,
    Subjects,
    global_ids,
    items,
    pick_subjects,
    stock,
)

__all__ = [
    "BY_NAME",
    "CHANNEL",
    "LOAD_CUSTOMERS",
    "QUERIES",
    "BenchQuery",
    "Subjects",
    "load_text",
    "pages_of",
    "pick_subjects",
    "select_queries",
]


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
    #: The distinct requests the load rotates over, by label, in the order sent, the first
    #: also the one sampled cold and warm (None: the load repeats one request).
    pages: Callable[[Subjects], Mapping[str, Subjects]] | None = None
    #: What the pages are, e.g. "customers" (when `pages` is set).
    pages_are: Callable[[Subjects], str] = lambda s: "pages"
    #: The query this one is a rotating variant of: the same selection, distinct pages.
    rotates: str | None = None


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
                stock(
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
                stock((s["location"]["code"], s["quantity"]) for s in v["stock"]),
            )
            for v in product["variants"]
        },
    }


async def _direct_product(client: httpx.AsyncClient, s: Subjects) -> None:
    (product,) = await items(client, "/pim/v1/products", sku=[s.product_sku])
    ids = product["variant_ids"]
    await items(client, "/pim/v1/variants", id=ids)
    await asyncio.gather(
        items(client, "/pricing/v1/prices", variant_id=ids, channel=CHANNEL),
        items(client, "/inventory/v1/stock", variant_id=ids, location_id=list(s.product_stores)),
    )
    await items(client, "/inventory/v1/locations", id=list(s.product_stores))


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
    await items(client, "/crm/v1/customers", id=[s.customer_id])
    answers = await asyncio.gather(
        items(client, "/loyalty/v1/accounts", customer_id=[s.customer_id]),
        items(client, "/orders/v1/orders", customer_id=[s.customer_id]),
    )
    recent = answers[1][:CUSTOMER_ORDERS]
    variants = sorted({line["variant_id"] for order in recent for line in order["lines"]})
    stores = sorted({order["location_id"] for order in recent if order["location_id"]})
    await asyncio.gather(
        items(client, "/pim/v1/variants", id=variants),
        *([items(client, "/inventory/v1/locations", id=stores)] if stores else []),
    )


QUERIES: tuple[BenchQuery, ...] = (
    BenchQuery(
        name="product",
        title="product page (1 product, 5 variants: price, stock in 5 stores)",
        ours=PRODUCT_PAGE,
        peer=PEER_PRODUCT_PAGE,
        ours_variables=lambda s: {
            "sku": s.product_sku,
            "stores": global_ids("Location", s.product_stores),
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
        ours=listings.LISTING,
        peer=listings.PEER_LISTING,
        ours_variables=lambda s: {
            "first": s.listing_size,
            "stores": global_ids("Location", s.listing_stores),
        },
        peer_variables=lambda s: {"limit": s.listing_size},
        ours_fingerprint=listings.ours_listing,
        peer_fingerprint=listings.peer_listing,
        # the page of products -> their prices and stock -> the stock's locations
        levels=3,
        calls={"pim": 1, "pricing": 1, "inventory": 2},
        direct=listings.direct_listing,
    ),
    BenchQuery(
        name="listing-gtin",
        title="issue 10's listing (48 products: name, variants' GTINs, price, stock in 3 stores)",
        ours=listings.LISTING_GTIN,
        peer=listings.PEER_LISTING_GTIN,
        ours_variables=lambda s: {
            "first": s.listing_size,
            "stores": global_ids("Location", s.listing_stores),
        },
        peer_variables=lambda s: {"limit": s.listing_size},
        ours_fingerprint=listings.ours_listing_gtin,
        peer_fingerprint=listings.peer_listing_gtin,
        # the page of products (with their variants) -> the prices and the stock
        levels=2,
        calls={"pim": 1, "pricing": 1, "inventory": 1},
        direct=listings.direct_listing_gtin,
    ),
    BenchQuery(
        name="listing-gtin-rotating",
        title="issue 10's listing, rotating over category pages (no two in flight alike)",
        ours=listings.LISTING_GTIN_BY_CATEGORY,
        peer=listings.PEER_LISTING_GTIN_BY_CATEGORY,
        ours_variables=lambda s: {
            "first": s.listing_size,
            "stores": global_ids("Location", s.listing_stores),
            "category": global_ids("Category", [_category(s)])[0],
        },
        peer_variables=lambda s: {"limit": s.listing_size, "category": _category(s)},
        ours_fingerprint=listings.ours_listing_gtin,
        peer_fingerprint=listings.peer_listing_gtin,
        levels=2,
        calls={"pim": 1, "pricing": 1, "inventory": 1},
        direct=listings.direct_listing_gtin,
        pages=lambda s: {category: s.for_category(category) for category, _ in s.categories},
        pages_are=lambda s: "category pages ({}–{} products)".format(*_page_sizes(s)),
        rotates="listing-gtin",
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
        pages=lambda s: {customer: s.for_customer(customer) for customer in s.customer_ids},
        pages_are=lambda s: "customers",
    ),
)

BY_NAME: Mapping[str, BenchQuery] = {query.name: query for query in QUERIES}


def _category(s: Subjects) -> str:
    if s.category_id is None:
        raise ValueError("a page of the rotating listing names its category: see pages_of()")
    return s.category_id


def _page_sizes(s: Subjects) -> tuple[int, int]:
    """The fewest and most products on a category page."""
    sizes = [min(products, s.listing_size) for _, products in s.categories] or [0]
    return min(sizes), max(sizes)


def select_queries(names: str) -> list[BenchQuery]:
    """The queries named (comma-separated), in the order of `QUERIES`; unknown names fail."""
    wanted = [name for name in names.split(",") if name]
    unknown = sorted(set(wanted) - set(BY_NAME))
    if unknown:
        raise ValueError(f"unknown queries {unknown}; known: {', '.join(BY_NAME)}")
    return [query for query in QUERIES if query.name in wanted]


def pages_of(query: BenchQuery, subjects: Subjects) -> dict[str, Subjects]:
    """The subjects of each request the load sends, by label, in turn; one if it repeats."""
    if query.pages is None:
        return {query.name: subjects}
    pages = dict(query.pages(subjects))
    if not pages:
        raise ValueError(f"{query.name}: no pages to rotate over")
    return pages


def load_text(query: BenchQuery, subjects: Subjects) -> str:
    """What the load sends, e.g. "rotates over 24 category pages (40–43 products)"."""
    if query.pages is None:
        return "repeats one request"
    return f"rotates over {len(pages_of(query, subjects))} {query.pages_are(subjects)}"
