"""Builds every row of the seed in memory, deterministically, before anything touches a database."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from backoffice.seed import story
from backoffice.seed.calendar import Calendar
from backoffice.seed.catalogue import build_catalogue, random_drafts
from backoffice.seed.customers import Crm, add_customers, random_customers, random_service
from backoffice.seed.loyalty import loyalty_tables
from backoffice.seed.orders import OrderBook
from backoffice.seed.prices import price_tables, promotion_rows, promotions
from backoffice.seed.returns import add_returns
from backoffice.seed.shopping import random_orders
from backoffice.seed.sizes import SeedSize
from backoffice.seed.stores import location_rows, stock_rows

Row = dict[str, Any]

#: Tables per system, in insertion order (parents before children); one transaction each.
SYSTEM_TABLES: dict[str, tuple[str, ...]] = {
    "pim": ("pim_category", "pim_product", "pim_product_category", "pim_variant"),
    "pricing": ("price_list_price", "price_item", "price_promotion"),
    "inventory": ("inv_location", "inv_stock"),
    "crm": ("crm_customer", "crm_identifier", "crm_consent", "crm_interaction", "crm_voucher"),
    "loyalty": ("loy_account", "loy_points_entry"),
    "orders": (
        "oms_order",
        "oms_order_line",
        "oms_line_discount",
        "oms_payment",
        "oms_fulfillment",
        "oms_history",
        "oms_return",
        "oms_return_line",
    ),
}


def build(size: SeedSize, *, random_seed: int, today: date) -> dict[str, list[Row]]:
    """Every table's rows for this size, seed and day: the same arguments give the same rows.

    Each part draws from its own random stream, so adding orders does not reshuffle the
    catalogue, and the story's items are laid down first so their ids never move.
    """

    def stream(part: str) -> random.Random:
        return random.Random(f"{random_seed}:{part}")

    calendar = Calendar(today)
    random_products = max(size.products - len(story.PRODUCTS), 0)
    catalogue = build_catalogue(
        [*story.PRODUCTS, *random_drafts(stream("catalogue"), random_products)]
    )
    offers = promotions(stream("promotions"), calendar, catalogue.variants, story.PAINT_PRODUCT_ID)
    tables = {
        **catalogue.tables,
        **price_tables(catalogue.variants),
        "price_promotion": promotion_rows(offers),
        "inv_location": location_rows(stream("locations")),
        "inv_stock": stock_rows(
            stream("stock"), calendar, catalogue.variants, story.stock_overrides(catalogue)
        ),
    }

    crm = Crm()
    fixed = story.customers(calendar)
    add_customers(crm, fixed)
    birthday, _ = story.vouchers(calendar, crm)
    taken = {value for draft in fixed for value in (draft.email, draft.phone) if value}
    people = stream("customers")
    for draft, weight in random_customers(people, calendar, size.customers, taken):
        add_customers(crm, [draft], weight)
    shoppers = crm.customers[len(fixed) :]
    random_service(people, calendar, crm, shoppers)
    # Numbered after the random ones, so that adding it moved no other voucher's id.
    story.expired_voucher(calendar, crm)

    book = OrderBook(stream("checkout"), calendar, offers, crm)
    book.place_all(
        [
            *story.orders(calendar, catalogue, crm, birthday),
            *random_orders(
                stream("orders"),
                calendar,
                catalogue,
                shoppers,
                size.orders,
                busy_week_products=(story.PAINT_PRODUCT_ID,),
            ),
        ]
    )
    add_returns(stream("returns"), calendar, book)
    story.interactions(calendar, crm, book.numbers)
    tables.update(crm.all_tables())
    tables.update(book.tables)
    tables.update(
        loyalty_tables(stream("loyalty"), calendar, crm.customers, [p.seed for p in book.placed])
    )
    return tables
