"""A checkout killed between its steps is completed or undone; a failing step undoes the rest."""

from __future__ import annotations

from typing import Any

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from backoffice.seed.story import PAINT_VARIANT_ID
from connectors.errors import SourceUnavailable
from resolvers.checkout import CheckoutRequest
from tests.sell.conftest import Shop
from tests.sell.documents import (
    CART,
    CHECKOUT,
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
STORE = "s02"


class Killed(BaseException):
    """The process dies here: nothing after this line of the checkout runs."""


async def _cart(shop: Shop) -> dict[str, Any]:
    data = await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 1)]}, **CUSTOMER)
    return data["cartCreate"]["cart"]


def _input(cart: dict[str, Any], key: str) -> dict[str, Any]:
    return checkout_input(
        cart["id"], key, fulfillment="CLICK_AND_COLLECT", locationId=location(STORE)
    )


async def _stock(shop: Shop) -> int:
    data = await shop.ok(STOCK, {"variant": variant(PAINT_VARIANT_ID), "stores": [location(STORE)]})
    return data["variant"]["availability"]["locations"][0]["quantity"]


async def _points(shop: Shop) -> int:
    return (await shop.ok(LOYALTY, **CUSTOMER))["me"]["loyalty"]["points"]


def _kill_at(monkeypatch: pytest.MonkeyPatch, target: object, method: str, *, after: bool) -> None:
    """Make `target.method` kill the process, before or after doing its work."""
    real = getattr(target, method)

    async def dying(*args: Any, **kwargs: Any) -> Any:
        if after:
            await real(*args, **kwargs)
        raise Killed(method)

    monkeypatch.setattr(target, method, dying)


async def test_a_checkout_killed_after_the_order_is_completed_by_recovery(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    cart = await _cart(shop)
    stock, points = await _stock(shop), await _points(shop)
    with monkeypatch.context() as patch:
        _kill_at(patch, shop.runtime.sources.orders, "create_order", after=True)
        with pytest.raises(Killed):
            await shop.query(CHECKOUT, _input(cart, "killed-1"), **CUSTOMER)

    # Mid-air: the units are reserved, the order exists, no points yet; a retry waits.
    assert await _stock(shop) == stock - 1
    assert await _points(shop) == points
    waiting = (await shop.ok(CHECKOUT, _input(cart, "killed-1"), **CUSTOMER))["checkout"]
    assert waiting["userErrors"][0]["code"] == "CHECKOUT_IN_PROGRESS"

    [(checkout_id, outcome)] = await shop.runtime.recovery.run_once()
    assert outcome == "completed"
    assert await _stock(shop) == stock - 1
    assert await _points(shop) == points + 39
    reservations = await shop.runtime.sources.inventory.get_reservations([checkout_id])
    assert reservations[checkout_id].status == "COMMITTED"
    # The retry now gets the order the killed attempt placed; recovery ran once only.
    again = (await shop.ok(CHECKOUT, _input(cart, "killed-1"), **CUSTOMER))["checkout"]
    assert again["userErrors"] == []
    assert again["order"]["total"] == {"amount": "39.95"}
    assert await shop.runtime.recovery.run_once() == []
    assert await _points(shop) == points + 39


async def test_a_checkout_killed_before_the_order_is_undone_and_can_be_sent_again(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    cart = await _cart(shop)
    stock = await _stock(shop)
    with monkeypatch.context() as patch:
        _kill_at(patch, shop.runtime.sources.orders, "create_order", after=False)
        with pytest.raises(Killed):
            await shop.query(CHECKOUT, _input(cart, "killed-2"), **CUSTOMER)
    assert await _stock(shop) == stock - 1  # reserved, and nobody's order

    assert [outcome for _, outcome in await shop.runtime.recovery.run_once()] == ["compensated"]
    assert await _stock(shop) == stock
    assert (await shop.ok(CART, {"id": cart["id"]}, **CUSTOMER))["cart"]["version"] == cart[
        "version"
    ]
    # The same key may be sent again: this time it goes through.
    placed = (await shop.ok(CHECKOUT, _input(cart, "killed-2"), **CUSTOMER))["checkout"]
    assert placed["userErrors"] == []
    assert await _stock(shop) == stock - 1


async def test_loyalty_down_at_checkout_still_places_the_order_and_points_follow(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    cart = await _cart(shop)
    points = await _points(shop)

    async def down(*args: Any, **kwargs: Any) -> Any:
        raise SourceUnavailable("loyalty", "connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(shop.runtime.sources.loyalty, "earn", down)
        placed = (await shop.ok(CHECKOUT, _input(cart, "no-loyalty"), **CUSTOMER))["checkout"]
    assert placed["userErrors"] == []
    assert await _points(shop) == points
    # Retried with its key, the checkout answers the same order, not "in progress".
    again = (await shop.ok(CHECKOUT, _input(cart, "no-loyalty"), **CUSTOMER))["checkout"]
    assert again["order"]["id"] == placed["order"]["id"]

    assert [outcome for _, outcome in await shop.runtime.recovery.run_once()] == ["completed"]
    assert await _points(shop) == points + 39


async def test_an_order_the_oms_refuses_releases_the_reservation_at_once(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    from connectors.errors import SourceRejected

    cart = await _cart(shop)
    stock = await _stock(shop)

    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise SourceRejected("orders", "400 INVALID_REQUEST: amounts do not add up")

    with monkeypatch.context() as patch:
        patch.setattr(shop.runtime.sources.orders, "create_order", refuse)
        reply = await shop.query(CHECKOUT, _input(cart, "refused"), **CUSTOMER)
    assert reply.codes == ["SOURCE_UNAVAILABLE"]
    assert await _stock(shop) == stock
    assert await shop.runtime.recovery.run_once() == []


async def test_with_the_gateways_database_away_checkout_is_refused_before_it_starts(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    from ledger import LedgerUnavailable

    cart = await _cart(shop)
    stock = await _stock(shop)

    async def away(*args: Any, **kwargs: Any) -> Any:
        raise LedgerUnavailable("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(shop.runtime.ledger.idempotency, "begin", away)
        reply = await shop.query(CHECKOUT, _input(cart, "no-ledger"), **CUSTOMER)
        # Reads do not need it.
        assert (await shop.ok(CART, {"id": cart["id"]}, **CUSTOMER))["cart"]["id"] == cart["id"]
    assert reply.codes == ["LEDGER_UNAVAILABLE"]
    assert await _stock(shop) == stock
    placed = (await shop.ok(CHECKOUT, _input(cart, "no-ledger"), **CUSTOMER))["checkout"]
    assert placed["userErrors"] == []


async def test_a_key_claimed_by_a_process_that_died_while_deciding_is_freed(shop: Shop):
    cart = await _cart(shop)
    variables = _input(cart, "orphan")
    # A process claimed the key and died before it wrote its plan: nothing else happened.
    request = CheckoutRequest(
        cart_id=cart["id"],
        fulfillment="CLICK_AND_COLLECT",
        location_id=location(STORE),
        payment_method="CARD",
        idempotency_key="orphan",
    )
    scope = f"checkout:customer:{DEMO_CUSTOMER_ID}"
    claim = await shop.runtime.ledger.idempotency.begin(scope, "orphan", request.fingerprint())
    assert claim.state == "new"
    waiting = (await shop.ok(CHECKOUT, variables, **CUSTOMER))["checkout"]
    assert waiting["userErrors"][0]["code"] == "CHECKOUT_IN_PROGRESS"

    assert await shop.runtime.recovery.run_once() == [(f"{scope} orphan", "released")]
    placed = (await shop.ok(CHECKOUT, variables, **CUSTOMER))["checkout"]
    assert placed["userErrors"] == []
    assert await shop.runtime.recovery.run_once() == []
