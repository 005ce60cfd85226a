"""Journeys 4 and 5 of DESIGN §7 through the public API, embedded and over HTTP.

4. A customer returns a bikini by mail; it is routed to the store where that size sells and
   is nearly gone; the store receives it, it goes back into that store's stock, the
   customer is told and refunded.
5. A web order is returned at a till: the refund is exactly what the item cost, its share
   of the order-level discount included; shipping comes back with the last item except to
   GOLD members; the points are taken back — also when the loyalty system is down, once.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from backoffice.seed.story import (
    BIKINI_LOW_STOCK_VARIANT_ID,
    BIKINI_STORE_ID,
    HOME_STORE_ID,
    RETURNING_CUSTOMER_ID,
)
from connectors.errors import SourceUnavailable
from tests.sell.conftest import Shop
from tests.sell.documents import RECEIVE, line, location, variant
from tests.sell.returning import (
    ADMIN,
    CANDLE,
    FLEUR,
    JEROEN,
    LAPTOP_BAG_NAVY,
    OUTBOX,
    associate,
    breakdown,
    buy,
    drain,
    order_now,
    orders,
    points,
    receive,
    register,
    stock_at,
)

pytestmark = pytest.mark.anyio


# Journey 4: return routed to where it sells.


async def test_journey_4_a_mail_return_goes_where_the_size_sells_and_is_nearly_gone(shop: Shop):
    bikini = next(o for o in await orders(shop, FLEUR) if any(
        ol["sku"] == "P100003-CORAL-38" for ol in o["lines"]))  # fmt: skip
    size_38 = next(ol for ol in bikini["lines"] if ol["sku"] == "P100003-CORAL-38")
    assert size_38["variant"]["id"] == variant(BIKINI_LOW_STOCK_VARIANT_ID)
    before_points = await points(shop, FLEUR)
    before_stock = await stock_at(shop, BIKINI_LOW_STOCK_VARIANT_ID, BIKINI_STORE_ID)
    assert before_stock == 1

    registered = await register(shop, bikini, [(size_38, 1)], "MAIL", "bikini-38", FLEUR)
    assert registered["userErrors"] == []
    returned = registered["return"]
    assert returned["status"] == "REGISTERED"
    assert returned["channel"] == "MAIL"
    assert returned["destination"]["id"] == location(BIKINI_STORE_ID)
    [reason] = returned["destinationReasons"]
    assert "sold 2 of P100003-CORAL-38" in reason
    assert "1 left in stock" in reason
    # Its paid amount, less the return costs of a return by mail.
    paid = Decimal(size_38["total"]["amount"])
    assert breakdown(returned) == {"goods": str(paid), "return_costs": "-2.95"}
    assert returned["refund"]["amount"]["amount"] == str(paid - Decimal("2.95"))
    assert returned["refund"]["method"] == "MOBILE"
    assert returned["refund"]["loyaltyPointsReversed"] == int(paid)

    # The parcel arrives in Den Haag; the associate there checks it.
    received = await receive(
        shop, returned, BIKINI_STORE_ID, "bikini-38-in", associate(BIKINI_STORE_ID)
    )
    assert received["userErrors"] == []
    done = received["return"]
    assert done["status"] == "REFUNDED"
    assert done["resellable"] is True
    assert done["receivedAtLocation"]["id"] == location(BIKINI_STORE_ID)
    assert done["refund"] == returned["refund"]

    assert await stock_at(shop, BIKINI_LOW_STOCK_VARIANT_ID, BIKINI_STORE_ID) == 2
    assert await points(shop, FLEUR) == before_points - int(paid)
    sent = await shop.runtime.sources.crm.get_notifications([RETURNING_CUSTOMER_ID])
    [mail] = [n for n in sent[RETURNING_CUSTOMER_ID] if n.template == "return_refunded"]
    assert mail.data["amount"] == f"{paid - Decimal('2.95')} EUR"
    assert mail.data["order_number"] == bikini["number"]

    order = await order_now(shop, bikini["id"])
    assert order["status"] == "PARTIALLY_RETURNED"
    assert [ol["returnableQuantity"] for ol in order["lines"] if ol["id"] == size_38["id"]] == [0]
    assert [r["status"] for r in order["returns"] if r["id"] == returned["id"]] == ["REFUNDED"]
    actions = [event["action"] for event in order["history"]]
    assert "RETURN_REGISTERED" in actions
    assert "REFUNDED" in actions


async def test_a_return_nobody_sells_goes_to_the_distribution_centre(shop: Shop):
    order = await buy(shop, FLEUR, [line(CANDLE, 1)], "candle-dc")
    registered = await register(shop, order, [(order["lines"][0], 1)], "MAIL", "candle-back", FLEUR)
    returned = registered["return"]
    assert returned["destination"]["id"] == location("dc1")
    assert "distribution centre" in returned["destinationReasons"][0]


# Journey 5: an online order returned in a store.


async def test_journey_5_web_order_returned_at_a_till_refunds_the_item_exactly(shop: Shop):
    # 2 laptop bags and a candle online: 10 euros off the order from 150 (pr14), which the
    # engine allocated over the lines in proportion.
    order = await buy(shop, FLEUR, [line(LAPTOP_BAG_NAVY, 2), line(CANDLE, 1)], "j5")
    candle = next(ol for ol in order["lines"] if ol["variant"]["id"] == variant(CANDLE))
    assert "pr14" in [d["promotionId"] for d in candle["discounts"]]
    share = Decimal(candle["total"]["amount"])
    assert share < Decimal("12.99")
    before = await points(shop, FLEUR)

    till = associate(HOME_STORE_ID)
    registered = await register(shop, order, [(candle, 1)], "STORE", "j5-candle", till)
    assert registered["userErrors"] == []
    returned = registered["return"]
    assert returned["destination"]["id"] == location(HOME_STORE_ID)
    assert breakdown(returned) == {"goods": str(share)}
    assert returned["refund"]["method"] == "CARD"

    # The loyalty system is down while the till pays the refund.
    async def down(*_args: object, **_kwargs: object) -> None:
        raise SourceUnavailable("loyalty", "connection refused")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shop.runtime.sources.loyalty, "reverse", down)
        received = await receive(shop, returned, HOME_STORE_ID, "j5-candle-in", till)
        assert received["userErrors"] == []
        assert received["return"]["status"] == "REFUNDED"  # at once
        assert received["return"]["refund"]["amount"]["amount"] == str(share)
        waiting = [
            m["node"] for m in (await shop.ok(OUTBOX, **ADMIN))["outboxMessages"]["edges"]
            if m["node"]["kind"] == "loyalty.reverse"
        ]  # fmt: skip
        assert [(m["state"], m["attempts"]) for m in waiting] == [("FAILED", 1)]
        assert "loyalty" in waiting[0]["lastError"]
        shop.advance(timedelta(minutes=5))  # past the backoff: due again, and still down
        await drain(shop)
    assert await points(shop, FLEUR) == before

    # Back up: the reversal lands once, however often the worker runs.
    shop.advance(timedelta(minutes=5))
    await drain(shop)
    await drain(shop)
    assert await points(shop, FLEUR) == before - int(share)
    states = [
        m["node"]["state"] for m in (await shop.ok(OUTBOX, **ADMIN))["outboxMessages"]["edges"]
    ]
    assert set(states) == {"SENT"}

    # The rest comes back later: the refunds of the two returns add up to what was paid.
    order = await order_now(shop, order["id"])
    bags = next(ol for ol in order["lines"] if ol["returnableQuantity"] == 2)
    second = await register(shop, order, [(bags, 2)], "STORE", "j5-bags", till)
    refunded = Decimal(second["return"]["refund"]["amount"]["amount"]) + share
    assert refunded == Decimal(order["total"]["amount"])


async def test_shipping_comes_back_with_the_last_item_except_to_gold_members(shop: Shop):
    for viewer, key, shipping_back in ((FLEUR, "silver", True), (JEROEN, "gold", False)):
        order = await buy(shop, viewer, [line(CANDLE, 2)], f"ship-{key}")
        assert order["shipping"] == {"amount": "4.95"}
        first = await register(shop, order, [(order["lines"][0], 1)], "STORE", f"{key}-1", viewer)
        assert "shipping" not in breakdown(first["return"])
        order = await order_now(shop, order["id"])
        last = await register(shop, order, [(order["lines"][0], 1)], "STORE", f"{key}-2", viewer)
        assert ("shipping" in breakdown(last["return"])) is shipping_back
        total = Decimal(first["return"]["refund"]["amount"]["amount"]) + Decimal(
            last["return"]["refund"]["amount"]["amount"]
        )
        paid = Decimal(order["total"]["amount"])
        assert total == (paid if shipping_back else paid - Decimal("4.95"))


async def test_what_a_receipt_delivers_at_once_shows_among_its_own_source_calls(shop: Shop):
    bikini = next(o for o in await orders(shop, FLEUR) if any(
        ol["sku"] == "P100003-CORAL-38" for ol in o["lines"]))  # fmt: skip
    size_38 = next(ol for ol in bikini["lines"] if ol["sku"] == "P100003-CORAL-38")
    registered = await register(shop, bikini, [(size_38, 1)], "MAIL", "trace-38", FLEUR)
    returned = registered["return"]

    variables = {
        "id": returned["id"],
        "location": location(BIKINI_STORE_ID),
        "resellable": True,
        "key": "trace-38-in",
    }
    reply = await shop.query(RECEIVE, variables, **associate(BIKINI_STORE_ID))

    assert reply.errors is None
    assert reply.data["returnReceive"]["return"]["status"] == "REFUNDED"
    # The outbox's deliveries (points back, the goods into stock, the customer told) went
    # through this request's sources, so its dev waterfall shows them.
    calls = reply.calls_by_source()
    assert calls.get("loyalty", 0) >= 1
    assert calls.get("crm", 0) >= 1
