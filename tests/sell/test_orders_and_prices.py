"""Prices agree with baskets to the cent; order changes under concurrent agents."""

from __future__ import annotations

import asyncio

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from backoffice.seed.story import PAINT_VARIANT_ID
from tests.sell.conftest import Shop
from tests.sell.documents import CHANGE_DATE, CHECKOUT, CREATE, line, variant

pytestmark = pytest.mark.anyio

CUSTOMER = {"role": "customer", "customer_id": DEMO_CUSTOMER_ID}
AGENT = {"role": "service", "subject": "agent-1", "channel": "CALL_CENTER"}

PRICE_AND_BASKET = """query($variant: ID!, $lines: [BasketLineInput!]!) {
  variant(id: $variant) { price(quantity: 3) { amount { amount } total { amount } } }
  basketQuote(lines: $lines) { total { amount } }
}"""


async def test_a_product_pages_price_for_three_is_what_a_basket_of_three_costs(shop: Shop):
    data = await shop.ok(
        PRICE_AND_BASKET,
        {"variant": variant(PAINT_VARIANT_ID), "lines": [line(PAINT_VARIANT_ID, 3)]},
    )
    price = data["variant"]["price"]
    # 3 for 2 on 39.95: 26.63 a unit shown, 79.90 for the three, as the basket says.
    assert price == {"amount": {"amount": "26.63"}, "total": {"amount": "79.90"}}
    assert data["basketQuote"]["total"] == price["total"]


async def _order(shop: Shop) -> dict:
    cart = (await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 1)]}, **CUSTOMER))[
        "cartCreate"
    ]["cart"]
    checkout = {
        "cartId": cart["id"],
        "fulfillment": "SHIP_TO_HOME",
        "paymentMethod": "CARD",
        "idempotencyKey": "dated",
    }
    return (await shop.ok(CHECKOUT, {"input": checkout}, **CUSTOMER))["checkout"]["order"]


async def test_two_agents_moving_one_delivery_date_at_once_one_wins_nothing_overwritten(
    shop: Shop,
):
    order = await _order(shop)
    fulfilment = order["fulfillments"][0]["id"]

    async def move(day: str) -> dict:
        reply = await shop.ok(
            CHANGE_DATE,
            {
                "order": order["id"],
                "fulfillment": fulfilment,
                "date": day,
                "version": order["version"],
            },
            **AGENT,
        )
        return reply["orderChangeDeliveryDate"]

    results = await asyncio.gather(move("2099-03-01"), move("2099-03-02"))
    won = [r for r in results if not r["userErrors"]]
    lost = [r for r in results if r["userErrors"]]
    assert len(won) == 1
    assert [e["code"] for r in lost for e in r["userErrors"]] == ["VERSION_CONFLICT"]
    assert lost[0]["order"] is None
    winner = won[0]["order"]
    assert winner["version"] == order["version"] + 1

    # A change based on what the agent saw before is refused; the winner's date stands.
    stale = await move("2099-04-01")
    assert stale["userErrors"][0]["code"] == "VERSION_CONFLICT"
    current = await shop.ok(
        "query($id: ID!) { order(id: $id) { version fulfillments { deliveryDate } } }",
        {"id": order["id"]},
        **AGENT,
    )
    assert current["order"]["version"] == winner["version"]
    assert (
        current["order"]["fulfillments"][0]["deliveryDate"]
        == (winner["fulfillments"][0]["deliveryDate"])
    )
