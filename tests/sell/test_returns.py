"""Journeys 4 and 5 of DESIGN §7 through the public API, embedded and over HTTP.

4. A customer returns a bikini by mail; it is routed to the store where that size sells and
   is nearly gone; the store receives it, it goes back into that store's stock, the
   customer is told and refunded.
5. A web order is returned at a till: the refund is exactly what the item cost, its share
   of the order-level discount included; shipping comes back with the last item except to
   GOLD members; the points are taken back — also when the loyalty system is down, once.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from backoffice.seed.story import (
    BIKINI_LOW_STOCK_VARIANT_ID,
    BIKINI_STORE_ID,
    HOME_STORE_ID,
    RETURNING_CUSTOMER_ID,
)
from connectors.errors import SourceUnavailable
from resolvers.ids import to_global_id
from tests.sell.conftest import Shop
from tests.sell.documents import (
    CHECKOUT,
    CREATE,
    RECEIVE,
    REGISTER,
    RETURN_FIELDS,
    STOCK,
    checkout_input,
    line,
    location,
    variant,
)

pytestmark = pytest.mark.anyio

FLEUR = {"role": "customer", "customer_id": RETURNING_CUSTOMER_ID}
JEROEN = {"role": "customer", "customer_id": DEMO_CUSTOMER_ID}
ADMIN = {"role": "admin", "subject": "admin-1"}
SERVICE = {"role": "service", "subject": "agent-7", "channel": "CALL_CENTER"}
CANDLE = "v000018"  # Geurkaars Vijgenblad, WHITE: 12.99
LAPTOP_BAG_NAVY = "v000008"  # 89.95

ORDERS = """query { me { loyalty { points } orders(first: 20) { edges { node {
  id number channel status version shipping { amount } total { amount }
  lines { id sku quantity returnableQuantity total { amount } variant { id }
          discounts { promotionId amount { amount } } } } } } } }"""

ORDER = f"""query($id: ID!) {{ order(id: $id) {{
  id status version shipping {{ amount }} total {{ amount }}
  lines {{ id sku quantity returnableQuantity total {{ amount }} }}
  returns {{ {RETURN_FIELDS} }}
  history {{ action detail }} }} }}"""

OUTBOX = (
    """{ outboxMessages(first: 50) { edges { node { kind key state attempts lastError } } } }"""
)


def associate(store: str) -> dict[str, str]:
    return {"role": "associate", "subject": f"staff-{store}", "store_id": store, "channel": "STORE"}


async def me(shop: Shop, viewer: dict[str, Any]) -> dict[str, Any]:
    return (await shop.ok(ORDERS, **viewer))["me"]


async def orders(shop: Shop, viewer: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (await me(shop, viewer))["orders"]["edges"]]


async def points(shop: Shop, viewer: dict[str, Any]) -> int:
    return (await me(shop, viewer))["loyalty"]["points"]


async def stock_at(shop: Shop, variant_id: str, store: str) -> int:
    data = await shop.ok(STOCK, {"variant": variant(variant_id), "stores": [location(store)]})
    return data["variant"]["availability"]["locations"][0]["quantity"]


async def register(
    shop: Shop, order: dict[str, Any], lines: list[tuple[dict[str, Any], int]], channel: str,
    key: str, viewer: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    variables = {
        "order": order["id"],
        "lines": [
            {"orderLineId": ol["id"], "quantity": q, "reason": "past niet"} for ol, q in lines
        ],
        "channel": channel,
        "key": key,
    }
    return (await shop.ok(REGISTER, variables, **viewer))["returnRegister"]


async def receive(
    shop: Shop, returned: dict[str, Any], store: str, key: str, viewer: dict[str, Any],
    resellable: bool = True,
) -> dict[str, Any]:  # fmt: skip
    variables = {
        "id": returned["id"],
        "location": location(store),
        "resellable": resellable,
        "key": key,
    }
    return (await shop.ok(RECEIVE, variables, **viewer))["returnReceive"]


async def order_now(shop: Shop, order_id: str) -> dict[str, Any]:
    return (await shop.ok(ORDER, {"id": order_id}, **ADMIN))["order"]


async def drain(shop: Shop) -> None:
    """Deliver what is due in the outbox now, as the in-process worker would."""
    await shop.runtime.outbox_worker.drain()


async def buy(
    shop: Shop, viewer: dict[str, Any], lines: list[dict[str, object]], key: str
) -> dict[str, Any]:
    cart = (await shop.ok(CREATE, {"lines": lines}, **viewer))["cartCreate"]["cart"]
    placed = (await shop.ok(CHECKOUT, checkout_input(cart["id"], key), **viewer))["checkout"]
    assert placed["userErrors"] == []
    [order] = [o for o in await orders(shop, viewer) if o["id"] == placed["order"]["id"]]
    return order


def breakdown(returned: dict[str, Any]) -> dict[str, str]:
    return {c["kind"]: c["amount"]["amount"] for c in returned["refund"]["breakdown"]}


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


# Bad input and faults: coded, nothing lost, nothing applied twice.


async def test_returning_more_than_is_left_or_someone_elses_order_is_refused(shop: Shop):
    order = await buy(shop, FLEUR, [line(CANDLE, 2)], "bad-1")
    candle = order["lines"][0]
    too_many = await register(shop, order, [(candle, 3)], "MAIL", "too-many", FLEUR)
    assert too_many["return"] is None
    assert too_many["userErrors"][0]["code"] == "NOT_RETURNABLE"
    assert too_many["userErrors"][0]["field"] == ["lines", "0", "quantity"]

    assert (await register(shop, order, [(candle, 2)], "MAIL", "all", FLEUR))["userErrors"] == []
    order = await order_now(shop, order["id"])
    nothing_left = await register(shop, order, [(candle, 1)], "MAIL", "one-more", FLEUR)
    assert nothing_left["userErrors"][0]["code"] == "NOT_RETURNABLE"

    theirs = await register(shop, order, [(candle, 1)], "MAIL", "not-mine", JEROEN)
    assert theirs["userErrors"][0]["code"] == "ORDER_NOT_FOUND"

    kiosk = await shop.query(
        REGISTER,
        {"order": order["id"], "lines": [], "channel": "STORE", "key": "k"},
        role="kiosk", store_id=HOME_STORE_ID, channel="KIOSK",
    )  # fmt: skip
    assert kiosk.errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_retry_answers_the_first_return_and_a_reused_key_is_refused(shop: Shop):
    order = await buy(shop, FLEUR, [line(CANDLE, 2)], "retry")
    candle = order["lines"][0]
    first = await register(shop, order, [(candle, 1)], "MAIL", "same", FLEUR)
    again = await register(shop, order, [(candle, 1)], "MAIL", "same", FLEUR)
    assert again["return"]["id"] == first["return"]["id"]
    assert (await order_now(shop, order["id"]))["lines"][0]["returnableQuantity"] == 1
    other = await register(shop, order, [(candle, 1)], "STORE", "same", FLEUR)
    assert other["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_receiving_twice_or_at_another_store_is_refused(shop: Shop):
    order = await buy(shop, FLEUR, [line(CANDLE, 1)], "twice")
    returned = (await register(shop, order, [(order["lines"][0], 1)], "MAIL", "r", FLEUR))["return"]
    elsewhere = await receive(shop, returned, HOME_STORE_ID, "in-0", associate(BIKINI_STORE_ID))
    assert elsewhere["userErrors"][0]["code"] == "WRONG_LOCATION"
    before = await points(shop, FLEUR)
    assert (await receive(shop, returned, HOME_STORE_ID, "in-1", SERVICE))["userErrors"] == []
    after = await points(shop, FLEUR)
    assert after < before
    # The same receipt again answers it; another receipt is refused; points moved once.
    again = await receive(shop, returned, HOME_STORE_ID, "in-1", SERVICE)
    assert again["return"]["status"] == "REFUNDED"
    twice = await receive(shop, returned, HOME_STORE_ID, "in-2", SERVICE)
    assert twice["userErrors"][0]["code"] == "RETURN_ALREADY_RECEIVED"
    await drain(shop)
    assert await points(shop, FLEUR) == after


async def test_the_database_going_away_mid_refund_writes_nothing(shop: Shop):
    from ledger import LedgerUnavailable

    order = await buy(shop, FLEUR, [line(CANDLE, 1)], "db-away")
    returned = (await register(shop, order, [(order["lines"][0], 1)], "MAIL", "r", FLEUR))["return"]
    before = await points(shop, FLEUR)

    async def away(*_args: object, **_kwargs: object) -> None:
        raise LedgerUnavailable("the gateway's database did not answer (OperationalError)")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shop.runtime.ledger.refunds, "record", away)
        failed = await shop.query(
            RECEIVE,
            {"id": returned["id"], "location": location("dc1"), "resellable": True, "key": "in"},
            **SERVICE,
        )
    assert failed.errors[0]["extensions"]["code"] == "LEDGER_UNAVAILABLE"
    order = await order_now(shop, order["id"])
    assert [r["status"] for r in order["returns"]] == ["REGISTERED"]
    assert await points(shop, FLEUR) == before
    assert (await shop.ok(OUTBOX, **ADMIN))["outboxMessages"]["edges"] == []
    # Back: the same receipt goes through, once.
    ok = await receive(shop, returned, "dc1", "in", SERVICE)
    assert ok["return"]["status"] == "REFUNDED"


async def test_a_receipt_less_return_is_linked_to_its_order_by_the_service_desk(shop: Shop):
    # The parcel has no receipt: the agent finds the customer's order with the item, and
    # registers the return against it.
    order = await buy(shop, FLEUR, [line(CANDLE, 1)], "no-receipt")
    found = (await shop.ok(
        """query($id: ID!) { customer(id: $id) { orders(first: 5) { edges { node {
             id number lines { id sku quantity returnableQuantity total { amount } variant { id } } } } } } }""",
        {"id": to_global_id("Customer", RETURNING_CUSTOMER_ID)}, **SERVICE,
    ))["customer"]["orders"]["edges"]  # fmt: skip
    match = next(e["node"] for e in found if e["node"]["id"] == order["id"])
    registered = await register(shop, match, [(match["lines"][0], 1)], "MAIL", "linked", SERVICE)
    assert registered["userErrors"] == []
    history = (await order_now(shop, order["id"]))["history"]
    assert any(e["action"] == "RETURN_REGISTERED" for e in history)


async def test_a_crash_after_the_write_leaves_keys_that_recovery_settles(shop: Shop):
    from ledger import LedgerUnavailable

    order = await buy(shop, FLEUR, [line(CANDLE, 2)], "crash")
    candle = order["lines"][0]

    async def crash(*_args: object, **_kwargs: object) -> None:
        raise LedgerUnavailable("the gateway's database did not answer (OperationalError)")

    # The OMS registered the return, then the process lost its database: the key stays
    # claimed, and a retry is told to wait.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shop.runtime.ledger.idempotency, "complete", crash)
        variables = {
            "order": order["id"],
            "lines": [{"orderLineId": candle["id"], "quantity": 1, "reason": "past niet"}],
            "channel": "MAIL",
            "key": "crash-r",
        }
        failed = await shop.query(REGISTER, variables, **FLEUR)
    assert failed.errors[0]["extensions"]["code"] == "LEDGER_UNAVAILABLE"
    waiting = await register(shop, order, [(candle, 1)], "MAIL", "crash-r", FLEUR)
    assert waiting["userErrors"][0]["code"] == "RETURN_IN_PROGRESS"

    assert list(dict(await shop.runtime.recovery.run_once()).values()) == ["completed"]
    answered = await register(shop, order, [(candle, 1)], "MAIL", "crash-r", FLEUR)
    assert answered["userErrors"] == []
    returned = answered["return"]
    # Registered once: one unit is still returnable.
    assert (await order_now(shop, order["id"]))["lines"][0]["returnableQuantity"] == 1

    # The refund committed, then the process lost its database before settling the key.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shop.runtime.ledger.idempotency, "complete", crash)
        failed = await shop.query(
            RECEIVE,
            {"id": returned["id"], "location": location("dc1"), "resellable": False, "key": "in"},
            **SERVICE,
        )
    assert failed.errors[0]["extensions"]["code"] == "LEDGER_UNAVAILABLE"
    assert list(dict(await shop.runtime.recovery.run_once()).values()) == ["completed"]
    again = await receive(shop, returned, "dc1", "in", SERVICE, resellable=False)
    assert again["userErrors"] == []
    assert again["return"]["status"] == "REFUNDED"


async def test_returns_racing_for_the_last_units_never_refund_more_than_was_paid(shop: Shop):
    order = await buy(shop, FLEUR, [line(CANDLE, 2)], "race")
    candle = order["lines"][0]

    async def one(n: int) -> dict[str, Any]:
        variables = {
            "order": order["id"],
            "lines": [{"orderLineId": candle["id"], "quantity": 1}],
            "channel": "STORE",
            "key": f"race-{n}",
        }
        return (await shop.ok(REGISTER, variables, **FLEUR))["returnRegister"]

    results = dict(zip(range(8), await asyncio.gather(*(one(n) for n in range(8))), strict=True))
    codes = {e["code"] for r in results.values() for e in r["userErrors"]}
    assert codes <= {"NOT_RETURNABLE", "VERSION_CONFLICT"}
    # Those told the order changed under them send it again, as a client would.
    for n, result in results.items():
        while any(e["code"] == "VERSION_CONFLICT" for e in result["userErrors"]):
            result = results[n] = await one(n)
    won = [r["return"] for r in results.values() if not r["userErrors"]]
    # Two units, two returns; the others are told there is nothing left.
    assert len(won) == 2
    assert {e["code"] for r in results.values() for e in r["userErrors"]} == {"NOT_RETURNABLE"}
    refunded = sum((Decimal(r["refund"]["amount"]["amount"]) for r in won), Decimal(0))
    assert refunded == Decimal(order["total"]["amount"])
    assert (await order_now(shop, order["id"]))["lines"][0]["returnableQuantity"] == 0


async def test_a_huge_repeated_or_empty_return_is_refused_and_registers_nothing(shop: Shop):
    order = await buy(shop, FLEUR, [line(CANDLE, 2)], "hostile")
    candle = order["lines"][0]

    async def refused(lines: list[dict[str, Any]], key: str) -> list[tuple[str, list[str]]]:
        variables = {"order": order["id"], "lines": lines, "channel": "MAIL", "key": key}
        reply = (await shop.ok(REGISTER, variables, **FLEUR))["returnRegister"]
        assert reply["return"] is None
        return [(e["code"], e["field"]) for e in reply["userErrors"]]

    one = {"orderLineId": candle["id"], "quantity": 1}
    assert await refused([], "none") == [("NO_LINES", ["lines"])]
    assert await refused([one] * 101, "huge") == [("TOO_MANY_LINES", ["lines"])]
    assert await refused([one, one], "twice") == [("DUPLICATE_LINE", ["lines", "1", "orderLineId"])]
    assert await refused([{**one, "quantity": 0}], "zero") == [
        ("INVALID_QUANTITY", ["lines", "0", "quantity"])
    ]
    assert await refused([{**one, "reason": "x" * 501}], "long") == [
        ("REASON_TOO_LONG", ["lines", "0"])
    ]
    assert await refused([{**one, "orderLineId": "nope"}], "unknown") == [
        ("UNKNOWN_ORDER_LINE", ["lines", "0", "orderLineId"])
    ]
    assert (await order_now(shop, order["id"]))["lines"][0]["returnableQuantity"] == 2
