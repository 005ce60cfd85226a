"""One behaviour suite, run against the embedded and the HTTP adapter of every domain.

Both read the seeded small retailer: the embedded adapters through the services in this
process, the HTTP adapters through the back office served by uvicorn on 127.0.0.1 (price
engine and inventory on the same pinned clock). Every behaviour test runs once per mode;
`test_identical_records` reads the whole dataset through both and requires identical records.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from math import floor

import pytest

from backoffice.seed.calendar import Calendar
from backoffice.seed.loyalty import WELCOME_POINTS
from connectors.errors import SourceRejected, UnknownKeys
from connectors.pricing.records import QuoteLineRequest
from tests.backoffice import live

pytestmark = pytest.mark.anyio


# PIM


async def test_products_come_back_under_the_requested_keys(sources):
    by_id = await sources.pim.get_products(["p00002", "nope", "p00001"])
    by_sku = await sources.pim.get_products_by_sku(["P100003", "NOPE"])

    assert list(by_id) == ["p00002", "p00001"]
    assert (by_id["p00001"].sku, by_id["p00001"].brand, by_id["p00001"].category_ids) == (
        "P100001",
        "Polderverf",
        ("c0201",),
    )
    assert by_id["p00001"].variant_ids[:2] == ("v000001", "v000002")
    assert by_id["p00002"].name == {
        "nl": "Laptoptas Amsterdam 15,6 inch",
        "en": "Laptop bag Amsterdam 15.6 inch",
    }
    assert {sku: product.id for sku, product in by_sku.items()} == {"P100003": "p00003"}


async def test_variants_are_keyed_by_id_sku_or_gtin(sources):
    by_id = await sources.pim.get_variants(["v000002", "nope"])
    by_sku = await sources.pim.get_variants_by_sku(["P100001-WHITE"])
    by_gtin = await sources.pim.get_variants_by_gtin(["8712115000012", "0000000000000"])

    assert {key: v.sku for key, v in by_id.items()} == {"v000002": "P100001-OFFWHITE"}
    assert {key: v.id for key, v in by_sku.items()} == {"P100001-WHITE": "v000001"}
    assert {key: (v.id, v.product_id) for key, v in by_gtin.items()} == {
        "8712115000012": ("v000001", "p00001")
    }


async def test_categories_know_their_parent(sources):
    categories = await sources.pim.get_categories(["c0201", "c02", "nope"])

    assert {key: (c.parent_id, c.name["en"]) for key, c in categories.items()} == {
        "c0201": ("c02", "Wall paint"),
        "c02": (None, "DIY & paint"),
    }


async def test_a_search_page_carries_whole_products_and_the_total(sources):
    first = await sources.pim.search_products(
        search="laptoptas",
        category_id=None,
        complete_only=True,
        after=None,
        limit=1,
        with_total=False,
    )
    page = await sources.pim.search_products(
        search="laptoptas",
        category_id=None,
        complete_only=True,
        after=first.cursors[0],
        limit=2,
        with_total=True,
    )

    # Best tier first, then by SKU: all three hold "laptoptas" in their names.
    assert (first.total, first.has_more, [p.id for p in first.products]) == (None, True, ["p00002"])
    assert ([p.id for p in page.products], page.total, page.has_more) == (
        ["p00022", "p00046"],
        3,
        False,
    )
    assert len(set(page.cursors)) == 2
    assert page.products[0].variant_ids


async def test_a_search_refuses_a_cursor_it_did_not_give_out(sources):
    with pytest.raises(SourceRejected):
        await sources.pim.search_products(
            search=None,
            category_id=None,
            complete_only=False,
            after="bm90IGEgdG9rZW4",
            limit=2,
            with_total=False,
        )


# Pricing


async def test_prices_apply_the_promotion_for_the_quantity_bought(sources):
    one = await sources.pricing.get_prices(
        ["v000001", "nope"], channel="WEB", quantity=1, tier=None
    )
    three = await sources.pricing.get_prices(["v000001"], channel="WEB", quantity=3, tier="GOLD")

    assert list(one) == ["v000001"]
    assert (one["v000001"].list_amount, one["v000001"].amount, one["v000001"].promotions) == (
        Decimal("39.95"),
        Decimal("39.95"),
        (),
    )
    assert (three["v000001"].amount, [p.id for p in three["v000001"].promotions]) == (
        Decimal("26.63"),
        ["pr01"],
    )
    # The 3-for-2 runs this week: the price holds until next Monday, 00:00 UTC.
    assert three["v000001"].valid_until == Calendar(live.NOW.date()).week_start + timedelta(days=7)


async def test_a_quote_prices_the_basket_with_the_promotion(sources):
    quote = await sources.pricing.quote(
        [QuoteLineRequest("v000001", 3)], channel="WEB", customer_id="cu00001", tier="GOLD"
    )

    assert (quote.subtotal, quote.discount_total, quote.total) == (
        Decimal("119.85"),
        Decimal("39.95"),
        Decimal("79.90"),
    )
    assert [(d.promotion_id, d.amount) for d in quote.lines[0].discounts] == [
        ("pr01", Decimal("39.95"))
    ]


async def test_a_quote_with_unpriced_variants_names_them(sources):
    lines = [QuoteLineRequest("zz", 1), QuoteLineRequest("v000001", 1), QuoteLineRequest("aa", 1)]

    with pytest.raises(UnknownKeys) as raised:
        await sources.pricing.quote(lines, channel="WEB", customer_id=None, tier=None)

    assert (raised.value.source, raised.value.keys) == ("pricing", ("aa", "zz"))


async def test_a_quote_the_engine_refuses_is_a_rejected_request(sources):
    with pytest.raises(SourceRejected, match="quantity must be a whole number of 1 or more, got 0"):
        await sources.pricing.quote(
            [QuoteLineRequest("v000001", 0)], channel="WEB", customer_id=None, tier=None
        )


async def test_prices_for_a_quantity_below_one_are_a_rejected_request(sources):
    with pytest.raises(SourceRejected, match="quantity must be 1 or more, got 0"):
        await sources.pricing.get_prices(["v000001"], channel="WEB", quantity=0, tier=None)


# Inventory


async def test_locations_by_id_and_by_type(sources):
    by_id = await sources.inventory.get_locations(["s03", "nope", "dc1"])
    warehouses = await sources.inventory.list_locations(["DISTRIBUTION_CENTER", "PARTNER"])
    everything = await sources.inventory.list_locations(None)
    nothing = await sources.inventory.list_locations([])

    assert list(by_id) == ["s03", "dc1"]
    assert (by_id["dc1"].type, by_id["dc1"].address and by_id["dc1"].address.city) == (
        "DISTRIBUTION_CENTER",
        "Waalwijk",
    )
    assert [location.id for location in warehouses] == ["dc1", "pw1"]
    assert len(everything) == 16
    assert nothing == ()


async def test_stock_is_grouped_by_variant_and_a_variant_nowhere_in_stock_is_empty(sources):
    stock = await sources.inventory.get_stock(["v000007", "nope"], ["s01", "s03", "dc1"])

    assert list(stock) == ["v000007", "nope"]
    assert [(level.location_id, level.quantity) for level in stock["v000007"]] == [
        ("dc1", 0),
        ("s01", 0),
        ("s03", 2),
    ]
    assert {level.as_of for level in stock["v000007"]} == {live.NOW}
    assert stock["nope"] == ()


# CRM


async def test_customers_with_their_identifiers(sources):
    customers = await sources.crm.get_customers(["cu00002", "nope", "cu00001"])

    assert list(customers) == ["cu00002", "cu00001"]
    jeroen = customers["cu00001"]
    assert (jeroen.first_name, jeroen.tier, jeroen.email) == (
        "Jeroen",
        "GOLD",
        "jeroen.bakker@example.com",
    )
    assert ("LOYALTY_CARD", "2600000000017") in {(i.type, i.value) for i in jeroen.identifiers}


async def test_customers_are_found_by_identifier_as_the_crm_compares_them(sources):
    keys = [
        ("EMAIL", "Jeroen.Bakker@Example.COM"),
        ("PHONE", "+31 6 87654321"),
        ("EMAIL", "nobody@example.com"),
        ("LOYALTY_CARD", "2600000000031"),
    ]

    found = await sources.crm.find_customers(keys)

    assert found == {
        ("EMAIL", "Jeroen.Bakker@Example.COM"): "cu00001",
        ("PHONE", "+31 6 87654321"): "cu00002",
        ("LOYALTY_CARD", "2600000000031"): "cu00003",
    }


async def test_interactions_and_vouchers_come_newest_first_per_customer(sources):
    interactions = await sources.crm.get_interactions(["cu00001", "nope"])
    vouchers = await sources.crm.get_vouchers(["cu00001"])

    assert [(i.id, i.kind) for i in interactions["cu00001"]] == [
        ("in00023", "store_visit"),
        ("in00022", "complaint"),
        ("in00017", "call"),
    ]
    assert interactions["nope"] == ()
    assert [(v.code, v.amount, v.reason) for v in vouchers["cu00001"]] == [
        ("TB-SORRY-10EUR", Decimal("10.00"), "Compensatie voor late levering"),
        ("TB-VERJ-5EUR", Decimal("5.00"), "Verjaardagsattentie"),
    ]


# Orders


async def test_orders_by_id_and_by_number(sources):
    # The seed numbers orders by time from the day it runs: take the demo customer's.
    newest, older = (await sources.orders.get_customer_orders(["cu00001"], channel=None))[
        "cu00001"
    ][:2]
    by_id = await sources.orders.get_orders([newest.id, "nope"])
    by_number = await sources.orders.get_orders_by_number([older.number, "X-1"])

    assert by_id == {newest.id: newest}
    prefix = {"WEB": "W", "APP": "A", "STORE": "S"}[newest.channel]
    assert newest.number == f"{prefix}-{newest.id.removeprefix('o')}"
    assert newest.total == newest.subtotal - newest.discount_total + newest.shipping
    assert {number: o.id for number, o in by_number.items()} == {older.number: older.id}


async def test_a_customers_orders_come_from_every_channel_newest_first(sources):
    every = await sources.orders.get_customer_orders(["cu00001", "nope"], channel=None)
    web = await sources.orders.get_customer_orders(["cu00001"], channel="WEB")

    demo = every["cu00001"]
    assert {o.channel for o in demo} == {"WEB", "APP", "STORE"}
    assert [o.placed_at for o in demo] == sorted((o.placed_at for o in demo), reverse=True)
    assert every["nope"] == ()
    assert web["cu00001"] == tuple(o for o in demo if o.channel == "WEB")


async def test_returns_by_id_and_by_order(sources):
    by_id = await sources.orders.get_returns(["r000001", "nope"])
    by_order = await sources.orders.get_order_returns(["o000019", "o000312"])

    assert by_id["r000001"].refund is not None
    assert (by_id["r000001"].order_id, by_id["r000001"].refund.amount) == (
        "o000019",
        Decimal("79.95"),
    )
    assert [r.id for r in by_order["o000019"]] == ["r000001"]
    assert by_order["o000312"] == ()


# Loyalty


async def test_loyalty_accounts_by_customer_and_by_card(sources):
    by_customer = await sources.loyalty.get_accounts(["cu00002", "nope", "cu00001"])
    by_card = await sources.loyalty.find_by_card(["2600000000017"])
    orders = await sources.orders.get_customer_orders(["cu00001", "cu00002"], channel=None)

    # The story's two customers earned a point per euro of every order after their welcome
    # bonus, and returned or redeemed nothing. What the orders cost depends on the
    # promotions running on the seed's day, so the points follow from the pinned clock.
    earned = {c: WELCOME_POINTS + sum(floor(o.total) for o in orders[c]) for c in orders}
    assert {key: (a.card_number, a.points) for key, a in by_customer.items()} == {
        "cu00002": ("2600000000024", earned["cu00002"]),
        "cu00001": ("2600000000017", earned["cu00001"]),
    }
    assert len(orders["cu00001"]) == 5
    assert len(orders["cu00002"]) == 2
    assert list(by_customer) == ["cu00002", "cu00001"]
    assert by_card["2600000000017"].customer_id == "cu00001"
