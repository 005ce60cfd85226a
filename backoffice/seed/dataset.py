"""The seed's rows, system by system, deterministically: streamed where they are many."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import chain
from typing import Any

from backoffice.pricing.engine import Promotion
from backoffice.seed import story
from backoffice.seed.bulk import TableRow
from backoffice.seed.calendar import Calendar
from backoffice.seed.catalogue import catalogue_rows, random_drafts
from backoffice.seed.customers import Crm, add_customers, random_customers, random_service
from backoffice.seed.loyalty import loyalty_tables
from backoffice.seed.orders import OrderBook
from backoffice.seed.prices import price_rows, promotion_rows, promotions
from backoffice.seed.returns import add_returns
from backoffice.seed.shopping import random_orders
from backoffice.seed.sizes import SeedSize
from backoffice.seed.stores import location_rows, stock_rows
from backoffice.seed.variants import Catalogue

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


def systems(
    size: SeedSize, *, random_seed: int, today: date
) -> Iterator[tuple[str, Iterator[TableRow]]]:
    """Each system's name and its rows, in SYSTEM_TABLES order, made as they are taken.

    Take each system's rows whole before asking for the next system: the catalogue that
    pricing, stock and orders work from fills up as the PIM's rows are made. The catalogue,
    prices and stock stream (a few bytes a variant stay behind); customers and orders are
    made whole, as the returns and loyalty go back over them, and sized to fit.

    Each part draws from its own random stream, so adding orders does not reshuffle the
    catalogue, and the story's items are laid down first so their ids never move.
    """

    def stream(part: str) -> random.Random:
        return random.Random(f"{random_seed}:{part}")

    calendar = Calendar(today)
    random_products = max(size.products - len(story.PRODUCTS), 0)
    catalogue = Catalogue()
    drafts = chain(story.PRODUCTS, random_drafts(stream("catalogue"), random_products))
    yield "pim", catalogue_rows(drafts, catalogue)
    if catalogue.product_count != len(story.PRODUCTS) + random_products:
        raise RuntimeError("the PIM's rows were not all taken before the next system's")

    offers = promotions(stream("promotions"), calendar, catalogue, story.PAINT_PRODUCT_ID)
    yield (
        "pricing",
        chain(price_rows(catalogue), _in("price_promotion", promotion_rows(offers))),
    )
    stock = stock_rows(stream("stock"), calendar, catalogue, story.stock_overrides(catalogue))
    yield (
        "inventory",
        chain(_in("inv_location", location_rows(stream("locations"))), _in("inv_stock", stock)),
    )

    tables = _sales(size, stream, calendar, catalogue, offers)
    for system in ("crm", "loyalty", "orders"):
        yield system, ((name, row) for name in SYSTEM_TABLES[system] for row in tables[name])


def build(size: SeedSize, *, random_seed: int, today: date) -> dict[str, list[Row]]:
    """Every table's rows, all in memory: `systems` for a small size, to look at whole."""
    tables: dict[str, list[Row]] = {name: [] for names in SYSTEM_TABLES.values() for name in names}
    for _, rows in systems(size, random_seed=random_seed, today=today):
        for name, row in rows:
            tables[name].append(row)
    return tables


def _in(table: str, rows: Iterable[Row]) -> Iterator[TableRow]:
    return ((table, row) for row in rows)


def _sales(
    size: SeedSize,
    stream: Callable[[str], random.Random],
    calendar: Calendar,
    catalogue: Catalogue,
    offers: list[Promotion],
) -> dict[str, list[Row]]:
    """The CRM's, the OMS's and loyalty's rows: customers, what they bought, returned, earned."""
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
    return {
        **crm.all_tables(),
        **book.tables,
        **loyalty_tables(stream("loyalty"), calendar, crm.customers, [p.seed for p in book.placed]),
    }
