"""Bad input to carts and checkout: a coded userErrors entry, never a 500, nothing written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from backoffice.db import create_engine, sessionmaker
from backoffice.pricing.models import Promotion
from backoffice.seed import DEMO_CUSTOMER_ID
from backoffice.seed.story import LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID, PAINT_VARIANT_ID
from resolvers.ids import to_global_id
from tests.api import NOW
from tests.sell.conftest import Shop
from tests.sell.documents import (
    ADD,
    CART,
    CHECKOUT,
    CREATE,
    LOYALTY,
    STOCK,
    UPDATE,
    checkout_input,
    line,
    location,
    variant,
)

pytestmark = pytest.mark.anyio

CUSTOMER = {"role": "customer", "customer_id": DEMO_CUSTOMER_ID}
OTHER_CUSTOMER = {"role": "customer", "customer_id": "cu00003"}
#: A product whose mandatory data is incomplete: not sold in customer-facing channels.
INCOMPLETE_VARIANT_ID = "v000160"


async def _create(shop: Shop, lines: list[dict[str, Any]], **auth: Any) -> dict[str, Any]:
    return (await shop.ok(CREATE, {"lines": lines}, **auth))["cartCreate"]


async def _cart(shop: Shop, quantity: int = 1) -> dict[str, Any]:
    return (await _create(shop, [line(PAINT_VARIANT_ID, quantity)], **CUSTOMER))["cart"]


def _checkout(cart: dict[str, Any], key: str, **extra: Any) -> dict[str, Any]:
    return checkout_input(cart["id"], key, **extra)


async def _world(shop: Shop) -> tuple[int, int]:
    """What a refused checkout must leave alone: the paint's stock in the DC, and points."""
    stock = await shop.ok(
        STOCK, {"variant": variant(PAINT_VARIANT_ID), "stores": [location("dc1")]}
    )
    points = await shop.ok(LOYALTY, **CUSTOMER)
    return (
        stock["variant"]["availability"]["locations"][0]["quantity"],
        points["me"]["loyalty"]["points"],
    )


@pytest.mark.parametrize(
    ("lines", "code", "field"),
    [
        ([line("v999999", 1)], "UNKNOWN_VARIANT", ["lines", "0", "variantId"]),
        ([line(INCOMPLETE_VARIANT_ID, 1)], "NOT_SELLABLE", ["lines", "0", "variantId"]),
        ([line(PAINT_VARIANT_ID, 0)], "INVALID_QUANTITY", ["lines", "0", "quantity"]),
        ([line(PAINT_VARIANT_ID, -2)], "INVALID_QUANTITY", ["lines", "0", "quantity"]),
        ([line(PAINT_VARIANT_ID, 100)], "INVALID_QUANTITY", ["lines", "0", "quantity"]),
        (
            [line(LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID, 99)],
            "INSUFFICIENT_STOCK",
            ["lines", "0", "quantity"],
        ),
    ],
    ids=["unknown", "incomplete", "zero", "negative", "above-maximum", "more-than-stock"],
)
async def test_a_cart_refuses_lines_it_cannot_sell(shop: Shop, lines, code, field):
    reply = await _create(shop, lines, **CUSTOMER)
    assert reply["cart"] is None
    assert [(e["code"], e["field"]) for e in reply["userErrors"]] == [(code, field)]


async def test_adding_beyond_the_maximum_counts_what_the_cart_holds(shop: Shop):
    cart = await _cart(shop, 60)
    refused = (
        await shop.ok(ADD, {"cart": cart["id"], "lines": [line(PAINT_VARIANT_ID, 40)]}, **CUSTOMER)
    )["cartLinesAdd"]
    assert refused["userErrors"][0]["code"] == "INVALID_QUANTITY"
    unchanged = (await shop.ok(CART, {"id": cart["id"]}, **CUSTOMER))["cart"]
    assert unchanged["version"] == cart["version"]
    assert unchanged["lines"][0]["quantity"] == 60


async def test_a_malformed_id_is_a_graphql_error_not_a_500(shop: Shop):
    reply = await shop.query(ADD, {"cart": "not-an-id", "lines": [line(PAINT_VARIANT_ID, 1)]})
    assert reply.status == 200
    assert reply.codes == ["BAD_USER_INPUT"]


async def test_another_customers_cart_cannot_be_checked_out(shop: Shop):
    cart = await _cart(shop)
    world = await _world(shop)
    refused = (await shop.ok(CHECKOUT, _checkout(cart, "not-mine"), **OTHER_CUSTOMER))["checkout"]
    assert refused["order"] is None
    assert refused["userErrors"][0]["code"] == "CART_NOT_FOUND"
    assert await _world(shop) == world


async def test_an_empty_cart_cannot_be_checked_out(shop: Shop):
    cart = (await _create(shop, [], **CUSTOMER))["cart"]
    refused = (await shop.ok(CHECKOUT, _checkout(cart, "empty"), **CUSTOMER))["checkout"]
    assert refused["userErrors"][0]["code"] == "EMPTY_CART"


async def test_emptied_by_updates_the_cart_cannot_be_checked_out(shop: Shop):
    cart = await _cart(shop)
    emptied = (
        await shop.ok(
            UPDATE, {"cart": cart["id"], "lines": [line(PAINT_VARIANT_ID, 0)]}, **CUSTOMER
        )
    )["cartLinesUpdate"]["cart"]
    assert emptied["lines"] == []
    refused = (await shop.ok(CHECKOUT, _checkout(cart, "emptied"), **CUSTOMER))["checkout"]
    assert refused["userErrors"][0]["code"] == "EMPTY_CART"


async def test_cash_is_not_taken_on_the_web(shop: Shop):
    cart = await _cart(shop)
    refused = (await shop.ok(CHECKOUT, _checkout(cart, "cash", paymentMethod="CASH"), **CUSTOMER))[
        "checkout"
    ]
    assert refused["userErrors"][0]["code"] == "PAYMENT_METHOD_NOT_ACCEPTED"
    assert refused["userErrors"][0]["field"] == ["input", "paymentMethod"]


async def _expired_coupon(shop: Shop, code: str) -> None:
    """The price engine has a coupon promotion that ended yesterday."""
    engine = create_engine(shop.backoffice_url)
    try:
        async with sessionmaker(engine)() as session, session.begin():
            await session.execute(
                insert(Promotion).values(
                    id="pr-old-coupon",
                    name={"nl": "Oude kortingscode", "en": "Old coupon"},
                    description={"nl": "", "en": ""},
                    kind="PERCENT",
                    percent=5,
                    channels=["WEB", "APP", "STORE"],
                    coupon_code=code,
                    starts_at=NOW - timedelta(days=30),
                    ends_at=NOW - timedelta(days=1),
                )
            )
    finally:
        await engine.dispose()


async def test_an_expired_coupon_refuses_the_checkout_and_changes_nothing(shop: Shop):
    await _expired_coupon(shop, "OLD5")
    cart = await _cart(shop)
    quote = (await shop.ok(CART, {"id": cart["id"], "coupons": ["OLD5"]}, **CUSTOMER))["cart"]
    world = await _world(shop)

    refused = (
        await shop.ok(CHECKOUT, _checkout(cart, "old-coupon", couponCodes=["OLD5"]), **CUSTOMER)
    )["checkout"]
    assert refused["order"] is None
    assert refused["userErrors"] == [
        {
            "field": ["input", "couponCodes", "0"],
            "message": "Coupon 'OLD5' has expired.",
            "code": "COUPON_EXPIRED",
        }
    ]
    assert await _world(shop) == world
    still = (await shop.ok(CART, {"id": cart["id"]}, **CUSTOMER))["cart"]
    assert still["version"] == quote["version"]


async def test_coupons_in_a_quote_say_what_became_of_them(shop: Shop):
    await _expired_coupon(shop, "OLD5")
    reply = await shop.ok(
        """query($lines: [BasketLineInput!]!, $coupons: [String!]) {
             basketQuote(lines: $lines, couponCodes: $coupons) {
               total { amount } coupons { code status } } }""",
        {"lines": [line(PAINT_VARIANT_ID, 1)], "coupons": ["EXTRA10", "OLD5", "NOPE"]},
        **CUSTOMER,
    )
    assert reply["basketQuote"]["coupons"] == [
        {"code": "EXTRA10", "status": "APPLIED"},
        {"code": "OLD5", "status": "EXPIRED"},
        {"code": "NOPE", "status": "UNKNOWN"},
    ]


async def test_an_unknown_store_for_click_and_collect_is_refused(shop: Shop):
    cart = await _cart(shop)
    refused = (
        await shop.ok(
            CHECKOUT,
            _checkout(
                cart,
                "nowhere",
                fulfillment="CLICK_AND_COLLECT",
                locationId=to_global_id("Location", "s99"),
            ),
            **CUSTOMER,
        )
    )["checkout"]
    assert refused["userErrors"][0]["code"] == "UNKNOWN_LOCATION"


async def test_an_anonymous_checkout_without_a_key_is_refused(shop: Shop):
    cart = (await _create(shop, [line(PAINT_VARIANT_ID, 1)]))["cart"]
    refused = (await shop.ok(CHECKOUT, _checkout(cart, "   ")))["checkout"]
    assert refused["userErrors"][0]["code"] == "INVALID_IDEMPOTENCY_KEY"


async def test_an_update_names_the_line_at_fault_as_it_was_sent(shop: Shop):
    cart = await _cart(shop)
    lines = [line(PAINT_VARIANT_ID, 0), line(LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID, -1)]
    refused = (await shop.ok(UPDATE, {"cart": cart["id"], "lines": lines}, **CUSTOMER))[
        "cartLinesUpdate"
    ]
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_QUANTITY", ["lines", "1", "quantity"])
    ]
    unchanged = (await shop.ok(CART, {"id": cart["id"]}, **CUSTOMER))["cart"]
    assert unchanged["version"] == cart["version"]


async def test_a_cart_of_more_than_a_hundred_lines_is_refused_whole(shop: Shop):
    lines = [line(PAINT_VARIANT_ID, 1)] * 101
    refused = await _create(shop, lines, **CUSTOMER)
    assert refused["cart"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("TOO_MANY_LINES", ["lines"])
    ]
