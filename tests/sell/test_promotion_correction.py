"""Journey 6: a customer says a promotion was missed in store and gets a correction, once."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID, HOME_STORE_ID, PAINT_PROMOTION_ID
from backoffice.seed.story import PAINT_VARIANT_ID
from connectors.orders.records import (
    NewFulfillment,
    NewOrder,
    NewOrderLine,
    Order,
    OrderEvent,
    Payment,
)
from resolvers.ids import to_global_id
from tests.sell.conftest import Shop
from tests.sell.desk_documents import AGENT, CORRECT, CUSTOMER, HISTORY, TILL, cart_of, pay

pytestmark = pytest.mark.anyio

LIST_PRICE = Decimal("39.95")


async def full_price_paint_at_the_till(shop: Shop, order_id: str = "o-missed-1") -> Order:
    """Two cans sold in store this week at full price: the till missed the cross-channel 3-for-2.

    The demo customer bought one can in store earlier this week, so these two make three.
    """
    goods = LIST_PRICE * 2
    return await shop.runtime.sources.orders.create_order(
        NewOrder(
            id=order_id,
            channel="STORE",
            location_id=HOME_STORE_ID,
            customer_id=DEMO_CUSTOMER_ID,
            cart_id=None,
            currency="EUR",
            lines=(
                NewOrderLine(
                    variant_id=PAINT_VARIANT_ID,
                    sku="P100001-WHITE",
                    quantity=2,
                    unit_list_amount=LIST_PRICE,
                    discounts=(),
                    tax=Decimal("13.87"),
                    total=goods,
                ),
            ),
            subtotal=goods,
            discount_total=Decimal("0.00"),
            shipping=Decimal("0.00"),
            total=goods,
            payments=(Payment(method="CARD", amount=goods),),
            fulfillments=(NewFulfillment(type="CARRY_OUT", location_id=HOME_STORE_ID),),
            history=(OrderEvent(actor="staff-s01", action="PLACED", channel="STORE"),),
        )
    )


async def test_a_missed_promotion_is_corrected_with_a_voucher_once(shop: Shop):
    order = await full_price_paint_at_the_till(shop)
    order_id = to_global_id("Order", order.id)

    first = (await shop.ok(CORRECT, {"order": order_id, "note": "Klant belde."}, **AGENT))[
        "orderPromotionCorrect"
    ]
    again = (await shop.ok(CORRECT, {"order": order_id}, **AGENT))["orderPromotionCorrect"]

    assert first["userErrors"] == []
    voucher = first["voucher"]
    # Priced as of when it was placed, with the can bought before it: one of the three free.
    assert voucher["amount"] == {"amount": "39.95", "currency": "EUR"}
    assert voucher["reason"] == (
        f"Correction for order {order.number}: missed 3 halen, 2 betalen op Muurverf Extra Mat. "
        "Klant belde."
    )
    assert voucher["issuedBy"] == "svc:joris"
    assert again == first
    vouchers = (await shop.runtime.sources.crm.get_vouchers([DEMO_CUSTOMER_ID]))[DEMO_CUSTOMER_ID]
    assert sum(v.reason.startswith(f"Correction for order {order.number}") for v in vouchers) == 1

    # The service agent sees the decision and the quote it rests on.
    history = (await shop.ok(HISTORY, {"id": order_id}, **AGENT))["order"]["history"]
    [corrected] = [e for e in history if e["action"] == "PROMOTION_CORRECTED"]
    assert corrected["actor"] == "svc:joris (service)"
    assert corrected["channel"] == "CALL_CENTER"
    data = json.loads(corrected["detail"].split("; data: ", 1)[1])
    assert data["quote"]["total"] == "39.95"
    assert data["quote"]["promotions"] == [PAINT_PROMOTION_ID]
    assert data["paid"] == "79.90"
    assert data["voucher"]["code"] == voucher["code"]
    # The customer sees the order's life, not the gateway's audit of it.
    own = (await shop.ok(HISTORY, {"id": order_id}, **CUSTOMER))["order"]["history"]
    assert "PROMOTION_CORRECTED" not in [e["action"] for e in own]

    # The voucher pays at the next checkout like any other.
    cart = await cart_of(shop, "v000016")
    placed = await pay(shop, cart, "corrected", [voucher["code"]])
    assert placed["order"]["payments"][0] == {"method": "VOUCHER", "amount": {"amount": "27.40"}}


async def test_an_order_that_got_its_promotions_has_nothing_to_correct(shop: Shop):
    # Journey 1: two cans online, the can bought in store this week makes one free.
    cart = await cart_of(shop, PAINT_VARIANT_ID, quantity=2)
    order = (await pay(shop, cart, "journey-1", []))["order"]
    assert order["discountTotal"] == {"amount": "39.95"}

    reply = (await shop.ok(CORRECT, {"order": order["id"]}, **AGENT))["orderPromotionCorrect"]

    assert reply["voucher"] is None
    assert [(e["code"], e["field"]) for e in reply["userErrors"]] == [
        ("NOTHING_MISSED", ["orderId"])
    ]


async def test_only_service_agents_correct_and_only_orders_that_exist(shop: Shop):
    order = await full_price_paint_at_the_till(shop, "o-missed-2")
    order_id = to_global_id("Order", order.id)

    at_till = await shop.query(CORRECT, {"order": order_id}, **TILL)
    by_customer = await shop.query(CORRECT, {"order": order_id}, **CUSTOMER)
    unknown = (await shop.ok(CORRECT, {"order": to_global_id("Order", "o-nope")}, **AGENT))[
        "orderPromotionCorrect"
    ]

    assert at_till.codes == ["FORBIDDEN"]
    assert by_customer.codes == ["FORBIDDEN"]
    assert [e["code"] for e in unknown["userErrors"]] == ["ORDER_NOT_FOUND"]
    vouchers = (await shop.runtime.sources.crm.get_vouchers([DEMO_CUSTOMER_ID]))[DEMO_CUSTOMER_ID]
    assert not any(v.reason.startswith("Correction") for v in vouchers)
