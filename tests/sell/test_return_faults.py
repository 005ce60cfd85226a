"""Returns through the public API under bad input and faults: coded, nothing lost, nothing applied twice."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from backoffice.seed.story import BIKINI_STORE_ID, HOME_STORE_ID, RETURNING_CUSTOMER_ID
from resolvers.ids import to_global_id
from tests.sell.conftest import Shop
from tests.sell.documents import RECEIVE, REGISTER, line, location
from tests.sell.returning import (
    ADMIN,
    CANDLE,
    FLEUR,
    JEROEN,
    OUTBOX,
    SERVICE,
    associate,
    buy,
    drain,
    order_now,
    points,
    receive,
    register,
)

pytestmark = pytest.mark.anyio


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
