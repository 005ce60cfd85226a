"""Vouchers at checkout: spent once, by their customer, before they expire; never half a checkout."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from backoffice.seed.story import PAINT_VARIANT_ID
from connectors.errors import SourceRejected, SourceUnavailable
from resolvers.ids import from_global_id
from tests.sell.conftest import Shop
from tests.sell.desk_documents import (
    CUSTOMER,
    OTHER_CUSTOMER,
    RETURNING,
    cart_of,
    issue,
    pay,
)
from tests.sell.documents import (
    CART,
    CHECKOUT,
    LOYALTY,
    STOCK,
    checkout_input,
    location,
    variant,
)

pytestmark = pytest.mark.anyio

CUSHION_VARIANT_ID = "v000016"
DC = "dc1"


async def redeemed_by(shop: Shop, code: str) -> str | None:
    found = await shop.runtime.sources.crm.get_vouchers_by_code([code])
    return found[code].redeemed_order_id


async def open_cart(shop: Shop, cart: dict[str, Any]) -> bool:
    return (await shop.ok(CART, {"id": cart["id"]}, **CUSTOMER))["cart"] is not None and (
        await shop.runtime.sources.orders.get_carts([from_global_id(cart["id"])[1]])
    )[from_global_id(cart["id"])[1]].status == "OPEN"


async def dc_stock(shop: Shop) -> int:
    """The paint's units at the distribution centre, which ships home deliveries."""
    data = await shop.ok(STOCK, {"variant": variant(PAINT_VARIANT_ID), "stores": [location(DC)]})
    quantity: int = data["variant"]["availability"]["locations"][0]["quantity"]
    return quantity


async def test_a_voucher_pays_first_and_points_follow_what_the_card_paid(shop: Shop):
    voucher = await issue(shop, "20.00")
    points = (await shop.ok(LOYALTY, **CUSTOMER))["me"]["loyalty"]["points"]
    cart = await cart_of(shop, CUSHION_VARIANT_ID)

    placed = await pay(shop, cart, "voucher-1", [voucher["code"]])

    assert placed["userErrors"] == []
    order = placed["order"]
    # Cushion 24.95 less the GOLD 10% benefit = 22.45, plus 4.95 shipping = 27.40.
    assert order["total"] == {"amount": "27.40"}
    assert order["payments"] == [
        {"method": "VOUCHER", "amount": {"amount": "20.00"}},
        {"method": "CARD", "amount": {"amount": "7.40"}},
    ]
    # The voucher pays the goods first: 2.45 of goods were paid by card, shipping earns none.
    assert (await shop.ok(LOYALTY, **CUSTOMER))["me"]["loyalty"]["points"] == points + 2
    assert await redeemed_by(shop, voucher["code"]) == from_global_id(order["id"])[1]


async def test_a_voucher_worth_more_than_the_order_pays_it_all(shop: Shop):
    voucher = await issue(shop, "50.00")
    cart = await cart_of(shop, CUSHION_VARIANT_ID)

    order = (await pay(shop, cart, "voucher-all", [voucher["code"]]))["order"]

    assert order["payments"] == [{"method": "VOUCHER", "amount": {"amount": "27.40"}}]


async def test_a_voucher_redeemed_once_is_refused_the_second_time_and_nothing_changes(shop: Shop):
    voucher = await issue(shop, "10.00")
    first_cart = await cart_of(shop, PAINT_VARIANT_ID)
    first = await pay(shop, first_cart, "twice-1", [voucher["code"]])
    stock = await dc_stock(shop)
    second_cart = await cart_of(shop, PAINT_VARIANT_ID)

    second = await pay(shop, second_cart, "twice-2", [voucher["code"]])
    retried = await pay(shop, first_cart, "twice-1", [voucher["code"]])
    reused = await pay(shop, first_cart, "twice-1", [])

    assert first["userErrors"] == []
    assert second["order"] is None
    assert second["userErrors"] == [
        {
            "field": ["input", "voucherCodes", "0"],
            "message": f"Voucher {voucher['code']} was redeemed already.",
            "code": "VOUCHER_REDEEMED",
        }
    ]
    assert await dc_stock(shop) == stock
    assert await open_cart(shop, second_cart)
    # The first checkout sent again answers its order; the key with other codes is refused.
    assert retried["order"]["id"] == first["order"]["id"]
    assert [e["code"] for e in reused["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert await redeemed_by(shop, voucher["code"]) == from_global_id(first["order"]["id"])[1]


async def test_of_two_checkouts_racing_for_one_voucher_exactly_one_gets_it(shop: Shop):
    voucher = await issue(shop, "10.00")
    carts = [await cart_of(shop, PAINT_VARIANT_ID) for _ in range(2)]
    stock = await dc_stock(shop)

    outcomes = await asyncio.gather(
        *(pay(shop, cart, f"race-{n}", [voucher["code"]]) for n, cart in enumerate(carts))
    )

    placed = [o for o in outcomes if o["order"] is not None]
    refused = [o for o in outcomes if o["order"] is None]
    assert len(placed) == 1
    assert [e["code"] for o in refused for e in o["userErrors"]] == ["VOUCHER_REDEEMED"]
    assert placed[0]["order"]["payments"][0] == {
        "method": "VOUCHER",
        "amount": {"amount": "10.00"},
    }
    # One can left the shelf; the loser's cart is open, and nothing is left to recover.
    assert await dc_stock(shop) == stock - 1
    loser = carts[outcomes.index(refused[0])]
    assert await open_cart(shop, loser)
    assert await shop.runtime.recovery.run_once() == []
    assert await redeemed_by(shop, voucher["code"]) == from_global_id(placed[0]["order"]["id"])[1]


async def test_an_expired_voucher_is_refused(shop: Shop):
    voucher = await issue(shop, "10.00")
    cart = await cart_of(shop, PAINT_VARIANT_ID)
    fleur = await cart_of(shop, PAINT_VARIANT_ID, **RETURNING)

    seeded = await pay(shop, fleur, "expired-seed", ["TB-WELKOM-5EUR"], **RETURNING)
    shop.advance(timedelta(days=91))
    expired = await pay(shop, cart, "expired-1", [voucher["code"]])

    assert [e["code"] for e in seeded["userErrors"]] == ["VOUCHER_EXPIRED"]
    assert [e["code"] for e in expired["userErrors"]] == ["VOUCHER_EXPIRED"]
    assert expired["order"] is None
    assert await redeemed_by(shop, voucher["code"]) is None


async def test_a_voucher_is_spent_only_by_its_customer_and_only_if_it_exists(shop: Shop):
    cart = await cart_of(shop, PAINT_VARIANT_ID, **OTHER_CUSTOMER)
    anonymous = (await shop.ok("mutation { cartCreate { cart { id } } }"))["cartCreate"]["cart"]
    own_cart = await cart_of(shop, PAINT_VARIANT_ID)

    not_yours = await pay(shop, cart, "not-yours", ["TB-SORRY-10EUR"], **OTHER_CUSTOMER)
    unknown = await pay(shop, own_cart, "unknown", ["TB-SORRY-10EUR", "TB-NOPE"])
    nobody = (
        await shop.ok(
            CHECKOUT,
            checkout_input(anonymous["id"], "anonymous", voucherCodes=["TB-SORRY-10EUR"]),
        )
    )["checkout"]

    assert [(e["code"], e["field"]) for e in not_yours["userErrors"]] == [
        ("VOUCHER_NOT_YOURS", ["input", "voucherCodes", "0"])
    ]
    assert [(e["code"], e["field"]) for e in unknown["userErrors"]] == [
        ("VOUCHER_NOT_FOUND", ["input", "voucherCodes", "1"])
    ]
    # An empty cart is refused before its vouchers are looked at.
    assert [e["code"] for e in nobody["userErrors"]] == ["EMPTY_CART"]
    assert await redeemed_by(shop, "TB-SORRY-10EUR") is None


async def test_a_voucher_the_vouchers_before_it_make_unneeded_is_kept(shop: Shop):
    big = await issue(shop, "40.00")
    small = await issue(shop, "5.00")
    cart = await cart_of(shop, CUSHION_VARIANT_ID)

    refused = await pay(shop, cart, "unneeded", [big["code"], small["code"]])

    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("VOUCHER_NOT_NEEDED", ["input", "voucherCodes", "1"])
    ]
    assert await redeemed_by(shop, big["code"]) is None


# The saga: a failure after the vouchers were redeemed, before the order, gives them back.


class Killed(BaseException):
    """The process dies here: nothing after this line of the checkout runs."""


async def test_stock_failing_after_the_redemption_gives_the_voucher_back(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    voucher = await issue(shop, "10.00")
    cart = await cart_of(shop, PAINT_VARIANT_ID)

    async def down(*args: Any, **kwargs: Any) -> Any:
        raise SourceUnavailable("inventory", "connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(shop.runtime.sources.inventory, "reserve", down)
        reply = await shop.query(
            CHECKOUT,
            checkout_input(cart["id"], "no-stock", voucherCodes=[voucher["code"]]),
            **CUSTOMER,
        )

    assert reply.codes == ["SOURCE_UNAVAILABLE"]
    assert await redeemed_by(shop, voucher["code"]) is None
    assert await shop.runtime.recovery.run_once() == []
    # The same key goes through once the inventory is back.
    placed = await pay(shop, cart, "no-stock", [voucher["code"]])
    assert placed["userErrors"] == []


async def test_an_order_the_oms_refuses_gives_the_voucher_and_the_stock_back(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    voucher = await issue(shop, "10.00")
    cart = await cart_of(shop, PAINT_VARIANT_ID)
    stock = await dc_stock(shop)

    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise SourceRejected("orders", "400 INVALID_REQUEST: amounts do not add up")

    with monkeypatch.context() as patch:
        patch.setattr(shop.runtime.sources.orders, "create_order", refuse)
        reply = await shop.query(
            CHECKOUT,
            checkout_input(cart["id"], "refused", voucherCodes=[voucher["code"]]),
            **CUSTOMER,
        )

    assert reply.codes == ["SOURCE_UNAVAILABLE"]
    assert await redeemed_by(shop, voucher["code"]) is None
    assert await dc_stock(shop) == stock


async def test_a_checkout_killed_before_the_order_gives_the_voucher_back_on_recovery(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    voucher = await issue(shop, "10.00")
    cart = await cart_of(shop, PAINT_VARIANT_ID)
    stock = await dc_stock(shop)

    async def dying(*args: Any, **kwargs: Any) -> Any:
        raise Killed("create_order")

    with monkeypatch.context() as patch:
        patch.setattr(shop.runtime.sources.orders, "create_order", dying)
        with pytest.raises(Killed):
            await shop.query(
                CHECKOUT,
                checkout_input(cart["id"], "killed", voucherCodes=[voucher["code"]]),
                **CUSTOMER,
            )
    # Mid-air: the voucher is spent and the can reserved, for an order that does not exist.
    assert await redeemed_by(shop, voucher["code"]) is not None
    assert await dc_stock(shop) == stock - 1

    assert [outcome for _, outcome in await shop.runtime.recovery.run_once()] == ["compensated"]
    assert await redeemed_by(shop, voucher["code"]) is None
    assert await dc_stock(shop) == stock
    placed = await pay(shop, cart, "killed", [voucher["code"]])
    assert placed["userErrors"] == []


async def test_a_checkout_killed_after_the_order_keeps_the_voucher_spent_on_it(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    voucher = await issue(shop, "10.00")
    cart = await cart_of(shop, PAINT_VARIANT_ID)
    real = shop.runtime.sources.orders.create_order

    async def placed_then_dying(*args: Any, **kwargs: Any) -> Any:
        await real(*args, **kwargs)
        raise Killed("create_order")

    with monkeypatch.context() as patch:
        patch.setattr(shop.runtime.sources.orders, "create_order", placed_then_dying)
        with pytest.raises(Killed):
            await shop.query(
                CHECKOUT,
                checkout_input(cart["id"], "killed-late", voucherCodes=[voucher["code"]]),
                **CUSTOMER,
            )

    assert [outcome for _, outcome in await shop.runtime.recovery.run_once()] == ["completed"]
    again = await pay(shop, cart, "killed-late", [voucher["code"]])
    assert again["order"]["payments"][0]["method"] == "VOUCHER"
    assert await redeemed_by(shop, voucher["code"]) == from_global_id(again["order"]["id"])[1]
