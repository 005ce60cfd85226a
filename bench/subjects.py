"""What the measured queries ask about, picked in the seeded back office, and shared helpers.

The same subjects go to both gateways, so that a run can check they returned the same data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
    #: The listing's category (None: every product), a page of the rotating listing.
    category_id: str | None = None
    #: The rotating listing's pages: each leaf category and its complete products. A seeded
    #: product sits in exactly one leaf category, so no two pages share a product.
    categories: tuple[tuple[str, int], ...] = ()

    def for_customer(self, customer_id: str) -> Subjects:
        return dataclasses.replace(self, customer_id=customer_id)

    def for_category(self, category_id: str) -> Subjects:
        return dataclasses.replace(self, category_id=category_id)


def global_ids(kind: str, keys: Sequence[str]) -> list[str]:
    return [to_global_id(kind, key) for key in keys]


async def items(client: httpx.AsyncClient, path: str, **params: Any) -> list[Any]:
    """The `items` of one back-office list answer."""
    response = await client.get(path, params=params)
    response.raise_for_status()
    found: list[Any] = response.json()["items"]
    return found


def stock(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Stock by location without the zeros: ours lists every store asked, with 0 where the
    inventory has no row; the peer only the rows the inventory answered."""
    return {code: quantity for code, quantity in rows if quantity}


async def pick_subjects(engine: AsyncEngine) -> Subjects:
    """Customers for the customer page: loyalty members with about 10 orders, some in a store;
    the leaf categories with complete products for the rotating listing.

    Chosen in the data rather than fixed, since the seed dates orders from the day it runs.
    """
    async with engine.connect() as connection:
        categories = (
            await connection.execute(
                text(
                    """
                    SELECT pc.category_id, COUNT(*) AS products
                    FROM pim_product_category pc JOIN pim_product p ON p.id = pc.product_id
                    WHERE p.complete AND pc.category_id NOT IN (
                        SELECT parent_id FROM pim_category WHERE parent_id IS NOT NULL
                    )
                    GROUP BY pc.category_id
                    ORDER BY pc.category_id
                    """
                )
            )
        ).all()
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
    if not categories:
        raise RuntimeError("the back office holds no leaf category with complete products")
    ids = tuple(str(row.customer_id) for row in rows)
    return Subjects(
        customer_id=ids[0],
        customer_ids=ids,
        categories=tuple((str(row.category_id), int(row.products)) for row in categories),
    )
