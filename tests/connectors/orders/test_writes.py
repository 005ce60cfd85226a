"""Carts, order writes and purchases through both adapters: the same answers and the same refusals.

The HTTP adapter talks to the OMS app served over real HTTP, on a database of its own (the
session's seeded one stays read-only), so every test also proves the route and its
error mapping.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from connectors.errors import (
    CartNotOpen,
    CartOwned,
    NotFound,
    SourceRefused,
    SourceRejected,
    UnknownKeys,
    VersionConflict,
    WrongLocation,
)
from connectors.orders.http import HttpOrdersConnector
from connectors.orders.records import (
    CartLineChange,
    LineDiscount,
    NewFulfillment,
    NewOrder,
    NewOrderLine,
    OrderEvent,
    Payment,
)

pytestmark = pytest.mark.anyio

#: Far enough ahead of both clocks that a delivery date is never in the past.
DAY = date(2030, 1, 7)
ROUTING = {"location_id": "s02", "score": 0.82, "reasons": ["in stock", "quiet"]}
_ids = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


def new_order(order_id: str, *, cart_id: str | None = None, customer_id: str = "c-1") -> NewOrder:
    """Three cans at 19.99 with the third free, shipped from store s02."""
    return NewOrder(
        id=order_id,
        channel="WEB",
        location_id=None,
        customer_id=customer_id,
        cart_id=cart_id,
        currency="EUR",
        lines=(
            NewOrderLine(
                variant_id="v-paint",
                sku="PAINT-1L",
                quantity=3,
                unit_list_amount=Decimal("19.99"),
                discounts=(LineDiscount("p-3for2", {"en": "3 for 2"}, Decimal("19.99")),),
                tax=Decimal("6.94"),
                total=Decimal("39.98"),
            ),
        ),
        subtotal=Decimal("59.97"),
        discount_total=Decimal("19.99"),
        shipping=Decimal("4.95"),
        total=Decimal("44.93"),
        payments=(Payment("CARD", Decimal("44.93")),),
        fulfillments=(NewFulfillment("SHIP_FROM_STORE", "s02", DAY, id=f"{order_id}-f"),),
        routing=ROUTING,
        history=(OrderEvent("customer:c-1", "PLACED", channel="WEB"),),
    )


async def test_a_cart_is_created_changed_and_read_back(oms):
    customer = unique("c-")
    cart = await oms.create_cart(
        channel="WEB", customer_id=customer, lines=[CartLineChange("v-1", 1)]
    )

    changed = await oms.change_cart_lines(
        cart.id,
        add=[CartLineChange("v-1", 2), CartLineChange("v-2", 1)],
        set=[CartLineChange("v-2", 4)],
        expected_version=1,
    )
    removed = await oms.change_cart_lines(cart.id, remove=[changed.lines[1].id])

    assert [(line.variant_id, line.quantity) for line in changed.lines] == [("v-1", 3), ("v-2", 4)]
    assert (changed.version, removed.version) == (2, 3)
    assert [line.variant_id for line in removed.lines] == ["v-1"]
    assert await oms.get_carts([cart.id, "nope"]) == {cart.id: removed}
    assert await oms.get_open_carts([customer, "nobody"]) == {customer: removed}


async def test_cart_refusals_keep_their_codes(oms):
    cart = await oms.create_cart(channel="APP", customer_id=unique("c-"))
    await oms.change_cart_lines(cart.id, add=[CartLineChange("v-1", 1)])

    with pytest.raises(VersionConflict) as stale:
        await oms.change_cart_lines(cart.id, add=[CartLineChange("v-1", 1)], expected_version=1)
    with pytest.raises(NotFound) as missing:
        await oms.change_cart_lines("nope", add=[CartLineChange("v-1", 1)])
    with pytest.raises(CartOwned) as owned:
        await oms.attach_customer(cart.id, "someone-else")
    with pytest.raises(SourceRejected, match="at least 1"):
        await oms.change_cart_lines(cart.id, add=[CartLineChange("v-1", 0)])

    assert [e.value.code for e in (stale, missing, owned)] == [
        "VERSION_CONFLICT",
        "NOT_FOUND",
        "CART_OWNED",
    ]
    assert all(e.value.source == "orders" for e in (stale, missing, owned))


async def test_signing_in_merges_the_anonymous_cart(oms):
    customer = unique("c-")
    own = await oms.create_cart(
        channel="WEB", customer_id=customer, lines=[CartLineChange("v-1", 1)]
    )
    phone = await oms.create_cart(channel="APP", lines=[CartLineChange("v-1", 2)])

    merged = await oms.attach_customer(phone.id, customer)

    assert merged.id == own.id
    assert [(line.variant_id, line.quantity) for line in merged.lines] == [("v-1", 3)]
    gone = (await oms.get_carts([phone.id]))[phone.id]
    assert (gone.status, gone.merged_into) == ("MERGED", own.id)
    with pytest.raises(CartNotOpen):
        await oms.change_cart_lines(phone.id, add=[CartLineChange("v-1", 1)])


async def test_an_order_is_placed_once_from_its_cart(oms):
    customer = unique("c-")
    cart = await oms.create_cart(
        channel="WEB", customer_id=customer, lines=[CartLineChange("v-paint", 3)]
    )
    order_id = unique("ck-")

    placed = await oms.create_order(new_order(order_id, cart_id=cart.id, customer_id=customer))
    again = await oms.create_order(new_order(order_id, cart_id=cart.id, customer_id=customer))

    assert again == placed
    assert placed.status == "PLACED"
    assert placed.number.startswith("WEB-")
    assert placed.routing == ROUTING
    assert placed.cart_id == cart.id
    assert [(line.quantity, line.total) for line in placed.lines] == [(3, Decimal("39.98"))]
    assert placed.fulfillments[0].delivery_date == DAY
    assert (await oms.get_orders([order_id]))[order_id] == placed
    ordered = (await oms.get_carts([cart.id]))[cart.id]
    assert (ordered.status, ordered.order_id) == ("ORDERED", order_id)


async def test_an_order_from_an_unknown_cart_or_with_wrong_amounts_is_refused(oms):
    with pytest.raises(UnknownKeys) as unknown:
        await oms.create_order(new_order(unique("ck-"), cart_id="no-such-cart"))
    broken = new_order(unique("ck-"))
    with pytest.raises(SourceRejected, match="line totals plus shipping"):
        await oms.create_order(
            NewOrder(
                **{**{f: getattr(broken, f) for f in broken.__slots__}, "total": Decimal("45")}
            )
        )

    assert unknown.value.keys == ("no-such-cart",)


async def test_the_routed_store_confirms_and_an_agent_moves_the_date(oms):
    order_id = unique("ck-")
    await oms.create_order(new_order(order_id))

    with pytest.raises(WrongLocation):
        await oms.confirm_fulfillment(
            order_id, f"{order_id}-f", location_id="s09", actor="store:s09"
        )
    confirmed = await oms.confirm_fulfillment(
        order_id, f"{order_id}-f", location_id="s02", actor="store:s02", channel="STORE"
    )
    moved = await oms.change_delivery_date(
        order_id,
        f"{order_id}-f",
        date=DAY + timedelta(days=2),
        expected_version=confirmed.version,
        actor="agent:a-1",
        channel="CALL_CENTER",
    )
    with pytest.raises(VersionConflict):
        await oms.change_delivery_date(
            order_id,
            f"{order_id}-f",
            date=DAY,
            expected_version=confirmed.version,
            actor="agent:a-2",
        )
    with pytest.raises(NotFound):
        await oms.confirm_fulfillment("nope", "f", location_id="s02", actor="store:s02")

    assert (confirmed.status, confirmed.fulfillments[0].status, confirmed.version) == (
        "CONFIRMED",
        "CONFIRMED",
        2,
    )
    assert moved.fulfillments[0].delivery_date == DAY + timedelta(days=2)
    assert moved.version == 3
    assert [event.action for event in moved.history] == [
        "PLACED",
        "CONFIRMED",
        "DELIVERY_DATE_CHANGED",
    ]


async def test_purchases_come_back_per_customer(oms):
    customer = unique("c-")
    order_id = unique("ck-")
    placed = await oms.create_order(new_order(order_id, customer_id=customer))

    purchases = await oms.get_customer_purchases(
        [customer, "nobody"], since=placed.placed_at - timedelta(days=7)
    )

    assert list(purchases) == [customer, "nobody"]
    assert [(p.order_id, p.channel, p.variant_id, p.quantity) for p in purchases[customer]] == [
        (order_id, "WEB", "v-paint", 3)
    ]
    assert purchases["nobody"] == ()
    later = await oms.get_customer_purchases(
        [customer], since=placed.placed_at + timedelta(seconds=1)
    )
    assert later == {customer: ()}


async def test_each_write_is_one_request_to_its_route(served):
    async with served.client("orders") as client:
        oms = HttpOrdersConnector(client)
        served.reset_requests()
        cart = await oms.create_cart(channel="WEB", customer_id=unique("c-"))
        await oms.change_cart_lines(cart.id, add=[CartLineChange("v-1", 1)])
        await oms.attach_customer(cart.id, cart.customer_id or "")
        order_id = unique("ck-")
        await oms.create_order(new_order(order_id))
        await oms.confirm_fulfillment(order_id, f"{order_id}-f", location_id="s02", actor="s")
        await oms.change_delivery_date(
            order_id, f"{order_id}-f", date=DAY, expected_version=2, actor="a"
        )
        await oms.get_carts([cart.id])

    assert served.requests() == {
        "POST /orders/v1/carts": 1,
        f"POST /orders/v1/carts/{cart.id}/lines": 1,
        f"POST /orders/v1/carts/{cart.id}/customer": 1,
        f"PUT /orders/v1/orders/{order_id}": 1,
        f"POST /orders/v1/orders/{order_id}/fulfillments/{order_id}-f/confirm": 1,
        f"POST /orders/v1/orders/{order_id}/fulfillments/{order_id}-f/delivery-date": 1,
        "GET /orders/v1/carts": 1,
    }


async def test_a_refusal_with_a_code_this_version_does_not_know_is_still_a_refusal():
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json={"error": {"code": "ORDER_ON_HOLD", "message": "held"}})

    async with httpx.AsyncClient(
        base_url="http://oms", transport=httpx.MockTransport(answer)
    ) as client:
        with pytest.raises(SourceRefused) as refused:
            await HttpOrdersConnector(client).attach_customer("cart", "c-1")

    assert type(refused.value) is SourceRefused
    assert refused.value.code == "ORDER_ON_HOLD"
    assert "held" in str(refused.value)
