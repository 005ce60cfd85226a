"""Journeys 1, 3, 7 and 8 of DESIGN §7 through the public API, embedded and over HTTP."""

from __future__ import annotations

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from backoffice.seed.story import (
    HOME_STORE_ID,
    LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID,
    PAINT_VARIANT_ID,
)
from tests.sell.conftest import Shop
from tests.sell.documents import (
    ADD,
    ATTACH,
    CART,
    CHECKOUT,
    CONFIRM,
    CREATE,
    LOYALTY,
    STOCK,
    checkout_input,
    line,
    location,
    variant,
)

pytestmark = pytest.mark.anyio

CUSTOMER = {"role": "customer", "customer_id": DEMO_CUSTOMER_ID}
OTHER_CUSTOMER = {"role": "customer", "customer_id": "cu00003"}
DEMO_CARD = "2600000000017"
CUSHION_VARIANT_ID = "v000016"


def associate(store: str) -> dict[str, str]:
    return {"role": "associate", "subject": f"staff-{store}", "store_id": store, "channel": "STORE"}


async def stock_at(shop: Shop, variant_id: str, store: str) -> int:
    data = await shop.ok(STOCK, {"variant": variant(variant_id), "stores": [location(store)]})
    return data["variant"]["availability"]["locations"][0]["quantity"]


async def points(shop: Shop) -> int:
    return (await shop.ok(LOYALTY, **CUSTOMER))["me"]["loyalty"]["points"]


# Journey 1: one can in store this week, two online -> the third is free online.


async def test_journey_1_cross_channel_three_for_two_at_online_checkout(shop: Shop):
    before = await points(shop)
    created = await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 2)]}, **CUSTOMER)
    cart = created["cartCreate"]["cart"]
    assert created["cartCreate"]["userErrors"] == []
    assert cart["channel"] == "WEB"
    assert cart["customer"]["customerNumber"]

    quote = (await shop.ok(CART, {"id": cart["id"]}, **CUSTOMER))["cart"]["quote"]
    # 2 x 39.95, and the store can bought on Monday makes this the group's third: one free.
    assert quote["subtotal"] == {"amount": "79.90"}
    assert quote["discountTotal"] == {"amount": "39.95"}
    assert quote["total"] == {"amount": "39.95"}
    assert [p["promotionId"] for p in quote["promotions"]] == ["pr01"]

    placed = await shop.ok(
        CHECKOUT,
        checkout_input(cart["id"], "journey-1"),
        **CUSTOMER,
    )
    assert placed["checkout"]["userErrors"] == []
    order = placed["checkout"]["order"]
    assert order["channel"] == "WEB"
    assert order["status"] == "PLACED"
    assert order["subtotal"] == {"amount": "79.90"}
    assert order["discountTotal"] == {"amount": "39.95"}
    # Goods under 50.00 ship for 4.95.
    assert order["shipping"] == {"amount": "4.95"}
    assert order["total"] == {"amount": "44.90"}
    assert order["payments"] == [{"method": "CARD", "amount": {"amount": "44.90"}}]
    [order_line] = order["lines"]
    assert order_line["discounts"] == [{"promotionId": "pr01", "amount": {"amount": "39.95"}}]
    assert order_line["total"] == quote["total"]
    # Points on the goods paid, 1 per euro, rounded down.
    assert await points(shop) == before + 39

    # The order is the customer's, in their orders; the cart is closed.
    again = await shop.query(
        ADD, {"cart": cart["id"], "lines": [line(PAINT_VARIANT_ID, 1)]}, **CUSTOMER
    )
    assert again.data["cartLinesAdd"]["userErrors"][0]["code"] == "CART_NOT_OPEN"


async def test_a_retried_checkout_returns_the_first_order_and_a_reused_key_is_refused(shop: Shop):
    cart = (await shop.ok(CREATE, {"lines": [line(CUSHION_VARIANT_ID, 1)]}, **CUSTOMER))[
        "cartCreate"
    ]["cart"]
    checkout = checkout_input(cart["id"], "retry-me")
    first = (await shop.ok(CHECKOUT, checkout, **CUSTOMER))["checkout"]
    before = await points(shop)
    second = (await shop.ok(CHECKOUT, checkout, **CUSTOMER))["checkout"]
    assert second["userErrors"] == []
    assert second["order"]["id"] == first["order"]["id"]
    assert second["order"]["number"] == first["order"]["number"]
    assert await points(shop) == before  # earned once

    other = (
        await shop.ok(
            CHECKOUT, checkout_input(cart["id"], "retry-me", paymentMethod="INVOICE"), **CUSTOMER
        )
    )["checkout"]
    assert other["order"] is None
    assert other["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert other["userErrors"][0]["field"] == ["input", "idempotencyKey"]


# Journey 3: the endless aisle.


async def test_journey_3_endless_aisle_routes_to_a_quiet_store_that_confirms(shop: Shop):
    bag = LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID
    till = associate(HOME_STORE_ID)
    assert await stock_at(shop, bag, HOME_STORE_ID) == 0
    holding = ("s03", "s06", "s12", "s14")
    before = {store: await stock_at(shop, bag, store) for store in holding}

    created = await shop.ok(CREATE, {"lines": [line(bag, 1)]}, **till)
    cart = created["cartCreate"]["cart"]
    assert created["cartCreate"]["userErrors"] == []
    assert cart["channel"] == "STORE"
    # The customer scans their loyalty card at the till.
    attached = await shop.ok(
        ATTACH,
        {"cart": cart["id"], "identifier": {"type": "LOYALTY_CARD", "value": DEMO_CARD}},
        **till,
    )
    assert attached["cartAttachCustomer"]["userErrors"] == []
    cart = attached["cartAttachCustomer"]["cart"]
    assert cart["customer"] is not None

    placed = (
        await shop.ok(
            CHECKOUT,
            checkout_input(cart["id"], "aisle-1", paymentMethod="MOBILE"),
            **till,
        )
    )["checkout"]
    assert placed["userErrors"] == []
    order = placed["order"]
    assert order["channel"] == "STORE"
    [fulfilment] = order["fulfillments"]
    assert fulfilment["type"] == "SHIP_TO_HOME"
    assert fulfilment["status"] == "PENDING"
    chosen = fulfilment["location"]["id"]
    assert chosen != location(HOME_STORE_ID)
    routed = [event for event in order["history"] if event["action"] == "ROUTED"]
    assert routed
    assert "footfall" in routed[0]["detail"]
    store_key = {location(s): s for s in holding}[chosen]
    after = {store: await stock_at(shop, bag, store) for store in holding}
    assert after == {**before, store_key: before[store_key] - 1}

    # Another store may not confirm; the chosen one does, and the order moves on.
    wrong = (
        await shop.ok(
            CONFIRM, {"order": order["id"], "fulfillment": fulfilment["id"]}, **associate("s02")
        )
    )["fulfillmentConfirm"]
    assert wrong["userErrors"][0]["code"] == "WRONG_LOCATION"
    confirmed = (
        await shop.ok(
            CONFIRM, {"order": order["id"], "fulfillment": fulfilment["id"]}, **associate(store_key)
        )
    )["fulfillmentConfirm"]
    assert confirmed["userErrors"] == []
    assert confirmed["order"]["status"] == "CONFIRMED"
    assert confirmed["order"]["fulfillments"][0]["status"] == "CONFIRMED"
    assert confirmed["order"]["version"] == order["version"] + 1


# Journey 7: one cart, many devices.


async def test_journey_7_one_cart_on_every_device_merged_on_login(shop: Shop):
    phone = (await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 1)]}))["cartCreate"]["cart"]
    assert phone["customer"] is None
    # The desktop opens the same cart by its id and adds to it.
    desktop = await shop.ok(CART, {"id": phone["id"]})
    assert desktop["cart"]["lines"] == phone["lines"]
    added = (await shop.ok(ADD, {"cart": phone["id"], "lines": [line(CUSHION_VARIANT_ID, 2)]}))[
        "cartLinesAdd"
    ]["cart"]
    assert added["version"] == phone["version"] + 1

    # The customer already had a cart; signing in merges the anonymous one into it.
    own = (await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 2)]}, **CUSTOMER))["cartCreate"][
        "cart"
    ]
    merged = (await shop.ok(ATTACH, {"cart": phone["id"]}, **CUSTOMER))["cartAttachCustomer"]
    assert merged["userErrors"] == []
    assert merged["cart"]["id"] == own["id"]
    quantities = {ln["variant"]["id"]: ln["quantity"] for ln in merged["cart"]["lines"]}
    assert quantities == {variant(PAINT_VARIANT_ID): 3, variant(CUSHION_VARIANT_ID): 2}

    # Another customer cannot see it, nor change it.
    assert (await shop.ok(CART, {"id": own["id"]}, **OTHER_CUSTOMER))["cart"] is None
    refused = (
        await shop.ok(
            ADD, {"cart": own["id"], "lines": [line(PAINT_VARIANT_ID, 1)]}, **OTHER_CUSTOMER
        )
    )["cartLinesAdd"]
    assert refused["cart"] is None
    assert refused["userErrors"][0]["code"] == "CART_NOT_FOUND"
    unchanged = (await shop.ok(CART, {"id": own["id"]}, **CUSTOMER))["cart"]
    assert unchanged["version"] == merged["cart"]["version"]


# Journey 8: click & collect, ship from store, carry-out at the till.


async def test_journey_8_click_and_collect_reserves_in_the_pickup_store(shop: Shop):
    before = await stock_at(shop, PAINT_VARIANT_ID, "s02")
    cart = (await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 1)]}, **CUSTOMER))[
        "cartCreate"
    ]["cart"]
    order = (
        await shop.ok(
            CHECKOUT,
            checkout_input(
                cart["id"], "collect-1", fulfillment="CLICK_AND_COLLECT", locationId=location("s02")
            ),
            **CUSTOMER,
        )
    )["checkout"]["order"]
    assert order["fulfillments"][0]["type"] == "CLICK_AND_COLLECT"
    assert order["fulfillments"][0]["location"]["id"] == location("s02")
    assert order["shipping"] == {"amount": "0.00"}
    assert await stock_at(shop, PAINT_VARIANT_ID, "s02") == before - 1


async def test_journey_8_a_store_without_click_and_collect_is_refused_and_nothing_changes(
    shop: Shop,
):
    cart = (await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 1)]}, **CUSTOMER))[
        "cartCreate"
    ]["cart"]
    before = await stock_at(shop, PAINT_VARIANT_ID, "s10")
    refused = (
        await shop.ok(
            CHECKOUT,
            checkout_input(
                cart["id"], "collect-2", fulfillment="CLICK_AND_COLLECT", locationId=location("s10")
            ),
            **CUSTOMER,
        )
    )["checkout"]
    assert refused["order"] is None
    assert refused["userErrors"][0]["code"] == "CLICK_AND_COLLECT_NOT_OFFERED"
    assert await stock_at(shop, PAINT_VARIANT_ID, "s10") == before
    # The cart is still open: the same key may be used once the input is right.
    still = (await shop.ok(CART, {"id": cart["id"]}, **CUSTOMER))["cart"]
    assert still["version"] == cart["version"]


async def test_journey_8_carry_out_at_the_till_is_the_customers_digital_receipt(shop: Shop):
    till = associate(HOME_STORE_ID)
    before = await stock_at(shop, PAINT_VARIANT_ID, HOME_STORE_ID)
    cart = (await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 1)]}, **till))["cartCreate"][
        "cart"
    ]
    await shop.ok(
        ATTACH,
        {"cart": cart["id"], "identifier": {"type": "LOYALTY_CARD", "value": DEMO_CARD}},
        **till,
    )
    order = (
        await shop.ok(
            CHECKOUT,
            checkout_input(cart["id"], "till-1", fulfillment="CARRY_OUT", paymentMethod="CASH"),
            **till,
        )
    )["checkout"]["order"]
    assert order["status"] == "COMPLETED"  # handed over at the till
    assert [e["action"] for e in order["history"]] == ["PLACED"]
    assert order["fulfillments"][0]["type"] == "CARRY_OUT"
    assert order["fulfillments"][0]["location"]["id"] == location(HOME_STORE_ID)
    assert order["payments"][0]["method"] == "CASH"
    assert await stock_at(shop, PAINT_VARIANT_ID, HOME_STORE_ID) == before - 1
    # The customer finds it among their orders: the digital receipt.
    mine = await shop.ok("{ me { orders(first: 5) { edges { node { id } } } } }", **CUSTOMER)
    assert order["id"] in [e["node"]["id"] for e in mine["me"]["orders"]["edges"]]


async def test_journey_8_ship_from_store_picks_a_shipping_store(shop: Shop):
    cart = (await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 1)]}, **CUSTOMER))[
        "cartCreate"
    ]["cart"]
    order = (
        await shop.ok(
            CHECKOUT,
            checkout_input(
                cart["id"],
                "ship-1",
                fulfillment="SHIP_FROM_STORE",
                deliverNear={"latitude": 52.09, "longitude": 5.12},
            ),
            **CUSTOMER,
        )
    )["checkout"]["order"]
    [fulfilment] = order["fulfillments"]
    assert fulfilment["type"] == "SHIP_FROM_STORE"
    assert fulfilment["location"]["code"].startswith("NL")
    # s07 and s13 do not ship from store.
    assert fulfilment["location"]["id"] not in (location("s07"), location("s13"))
