"""Both modes, the whole dataset, identical records: every read through the embedded and the HTTP adapters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.crm.models import Customer, Identifier
from backoffice.inventory.models import Location
from backoffice.loyalty.models import Account
from backoffice.orders.models import Order, Return
from backoffice.pim.models import Category, Product, Variant
from connectors.crm.records import IdentifierType
from connectors.pricing.records import QuoteLineRequest
from tests.connectors.contracts.modes import Connectors, embedded_connectors

pytestmark = pytest.mark.anyio


async def _ids(engine: AsyncEngine, column: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(column).order_by(column))).scalars())


Reads = Callable[[Connectors, AsyncEngine], Awaitable[list[Any]]]


async def pim_reads(c: Connectors, engine: AsyncEngine) -> list[Any]:
    products, variants = await _ids(engine, Product.id), await _ids(engine, Variant.id)
    first = await c.pim.search_products(
        search="a", category_id=None, complete_only=True, after=None, limit=5, with_total=False
    )
    return [
        list((await c.pim.get_products([*products, "nope"])).items()),
        list((await c.pim.get_products_by_sku(await _ids(engine, Product.sku))).items()),
        list((await c.pim.get_variants([*reversed(variants), "nope"])).items()),
        list((await c.pim.get_variants_by_sku(await _ids(engine, Variant.sku))).items()),
        list((await c.pim.get_variants_by_gtin(await _ids(engine, Variant.gtin))).items()),
        list((await c.pim.get_categories(await _ids(engine, Category.id))).items()),
        await c.pim.search_products(
            search=None,
            category_id="c02",
            complete_only=False,
            after=None,
            limit=500,
            with_total=True,
        ),
        first,
        await c.pim.search_products(
            search="a",
            category_id=None,
            complete_only=True,
            after=first.cursors[-1],
            limit=7,
            with_total=True,
        ),
    ]


async def pricing_reads(c: Connectors, engine: AsyncEngine) -> list[Any]:
    variants = await _ids(engine, Variant.id)
    return [
        list(
            (
                await c.pricing.get_prices(variants, channel=channel, quantity=quantity, tier=tier)
            ).items()
        )
        for channel, quantity, tier in (
            ("WEB", 1, None),
            ("STORE", 3, "GOLD"),
            ("APP", 2, "SILVER"),
        )
    ] + [
        await c.pricing.quote(
            [QuoteLineRequest(v, 1 + n % 3) for n, v in enumerate(variants[:40])],
            channel="WEB",
            customer_id="cu00001",
            tier="GOLD",
        ),
    ]


async def inventory_reads(c: Connectors, engine: AsyncEngine) -> list[Any]:
    locations = await _ids(engine, Location.id)
    return [
        list((await c.inventory.get_locations(locations)).items()),
        await c.inventory.list_locations(None),
        await c.inventory.list_locations(["STORE"]),
        list((await c.inventory.get_stock(await _ids(engine, Variant.id), locations)).items()),
    ]


async def crm_reads(c: Connectors, engine: AsyncEngine) -> list[Any]:
    customers = await _ids(engine, Customer.id)
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Identifier.type, Identifier.value).order_by(Identifier.id)
        )
        # The CRM stores identifier types as plain strings; the port types them.
        identifiers = [(cast(IdentifierType, t), v) for t, v in rows]
    return [
        list((await c.crm.get_customers(customers)).items()),
        list((await c.crm.find_customers([*identifiers, ("EMAIL", "nobody@example.com")])).items()),
        list((await c.crm.get_interactions(customers)).items()),
        list((await c.crm.get_vouchers(customers)).items()),
    ]


async def orders_reads(c: Connectors, engine: AsyncEngine) -> list[Any]:
    customers = await _ids(engine, Customer.id)
    orders = await _ids(engine, Order.id)
    return [
        list((await c.orders.get_orders(orders)).items()),
        list((await c.orders.get_orders_by_number(await _ids(engine, Order.number))).items()),
        list((await c.orders.get_customer_orders(customers, channel=None)).items()),
        list((await c.orders.get_customer_orders(customers, channel="STORE")).items()),
        list((await c.orders.get_returns(await _ids(engine, Return.id))).items()),
        list((await c.orders.get_order_returns(orders)).items()),
    ]


async def loyalty_reads(c: Connectors, engine: AsyncEngine) -> list[Any]:
    return [
        list((await c.loyalty.get_accounts(await _ids(engine, Account.customer_id))).items()),
        list((await c.loyalty.find_by_card(await _ids(engine, Account.card_number))).items()),
    ]


READS: dict[str, Reads] = {
    "pim": pim_reads,
    "pricing": pricing_reads,
    "inventory": inventory_reads,
    "crm": crm_reads,
    "orders": orders_reads,
    "loyalty": loyalty_reads,
}


@pytest.mark.parametrize("domain", READS)
async def test_embedded_and_http_give_identical_records_for_the_whole_dataset(
    domain, engine, http_connectors
):
    read = READS[domain]

    embedded = await read(embedded_connectors(engine), engine)
    over_http = await read(http_connectors, engine)

    assert over_http == embedded
    assert all(embedded), "every read finds something"
