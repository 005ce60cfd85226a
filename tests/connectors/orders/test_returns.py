"""Returns and sales through both OMS adapters: the same records and the same refusals, embedded and over HTTP."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import (
    NotFound,
    NotReturnable,
    ReturnNotOpen,
    SourceRefused,
    SourceRejected,
    VersionConflict,
)
from connectors.orders.http import HttpOrdersConnector
from connectors.orders.protocol import OrdersConnector
from connectors.orders.records import (
    NewReturn,
    Order,
    OrderEvent,
    Refund,
    RefundComponent,
    Return,
    ReturnLine,
    ReturnReceipt,
)
from tests.api import NOW
from tests.connectors.orders.test_writes import new_order, unique

pytestmark = pytest.mark.anyio

ROUTING = {"location_id": "s04", "score": 0.91, "reasons": ["sells well", "size nearly out"]}
REFUND = Refund(
    amount=Decimal("10.38"),
    currency="EUR",
    method="CARD",
    breakdown=(
        RefundComponent("goods", Decimal("13.33")),
        RefundComponent("return_costs", Decimal("-2.95")),
    ),
    loyalty_points_reversed=10,
)
RECEIPT = ReturnReceipt(location_id="s04", resellable=True, actor="store:s04", channel="STORE")


async def placed(oms: OrdersConnector, *, location_id: str | None = None) -> Order:
    """A new order of three cans (one line), placed at `location_id` when given."""
    order = new_order(unique("ck-"))
    if location_id is not None:
        order = dataclasses.replace(order, channel="STORE", location_id=location_id)
    return await oms.create_order(order)


def one_can(order: Order, **changes: Any) -> NewReturn:
    """One can of the order back by mail to s04, decided on the order as it stands."""
    new = NewReturn(
        id=unique("rt-"),
        order_id=order.id,
        expected_order_version=order.version,
        channel="MAIL",
        lines=(ReturnLine(order.lines[0].id, 1, "too small"),),
        destination_location_id="s04",
        refund=REFUND,
        routing=ROUTING,
        history=(OrderEvent("customer:c-1", "RETURN_REGISTERED", channel="WEB"),),
    )
    return dataclasses.replace(new, **changes)


async def test_a_registered_return_comes_back_whole_and_moves_the_order(oms):
    order = await placed(oms)
    new = one_can(order)

    registered = await oms.register_return(new)

    assert registered == Return(
        id=new.id,
        order_id=order.id,
        channel="MAIL",
        status="REGISTERED",
        lines=(ReturnLine(order.lines[0].id, 1, "too small"),),
        destination_location_id="s04",
        refund=REFUND,
        created_at=NOW,
        routing=ROUTING,
    )
    assert await oms.get_returns([new.id, "nope"]) == {new.id: registered}
    assert await oms.get_order_returns([order.id]) == {order.id: (registered,)}
    after = (await oms.get_orders([order.id]))[order.id]
    assert (after.status, after.version, after.lines[0].returned_quantity) == (
        "PARTIALLY_RETURNED",
        2,
        1,
    )
    assert [(e.actor, e.action) for e in after.history] == [
        ("customer:c-1", "PLACED"),
        ("customer:c-1", "RETURN_REGISTERED"),
    ]


async def test_registering_again_answers_the_first_and_other_lines_are_a_conflict(oms):
    order = await placed(oms)
    new = one_can(order)
    first = await oms.register_return(new)

    again = await oms.register_return(new)
    with pytest.raises(SourceRefused) as conflict:
        await oms.register_return(
            dataclasses.replace(new, lines=(ReturnLine(order.lines[0].id, 2, None),))
        )

    assert again == first
    assert type(conflict.value) is SourceRefused
    assert (conflict.value.code, conflict.value.source) == ("CONFLICT", "orders")


async def test_register_refusals_keep_their_codes(oms):
    order = await placed(oms)
    await oms.register_return(one_can(order))

    with pytest.raises(VersionConflict) as stale:
        await oms.register_return(one_can(order))
    with pytest.raises(NotReturnable, match=order.lines[0].id) as too_many:
        await oms.register_return(
            one_can(
                order,
                expected_order_version=2,
                lines=(ReturnLine(order.lines[0].id, 3, None),),
            )
        )
    with pytest.raises(NotFound) as unknown_line:
        await oms.register_return(
            one_can(order, expected_order_version=2, lines=(ReturnLine("nope", 1, None),))
        )
    with pytest.raises(NotFound) as unknown_order:
        await oms.register_return(one_can(order, order_id="nope"))
    with pytest.raises(SourceRejected, match="breakdown adds up"):
        await oms.register_return(
            one_can(
                order,
                expected_order_version=2,
                refund=dataclasses.replace(REFUND, amount=Decimal("1")),
            )
        )

    assert [e.value.code for e in (stale, too_many, unknown_line, unknown_order)] == [
        "VERSION_CONFLICT",
        "NOT_RETURNABLE",
        "NOT_FOUND",
        "NOT_FOUND",
    ]


async def test_a_received_return_is_refunded_once_and_says_where_when_and_how(oms):
    order = await placed(oms)
    registered = await oms.register_return(one_can(order))

    received = await oms.receive_return(registered.id, RECEIPT)
    again = await oms.receive_return(registered.id, dataclasses.replace(RECEIPT, actor="till-2"))
    with pytest.raises(ReturnNotOpen) as elsewhere:
        await oms.receive_return(registered.id, dataclasses.replace(RECEIPT, location_id="s09"))
    with pytest.raises(NotFound):
        await oms.receive_return("nope", RECEIPT)

    assert received == dataclasses.replace(
        registered,
        status="REFUNDED",
        received_location_id="s04",
        received_at=NOW,
        resellable=True,
    )
    assert again == received
    assert elsewhere.value.code == "RETURN_NOT_OPEN"
    after = (await oms.get_orders([order.id]))[order.id]
    assert after.version == 3
    assert [(e.actor, e.channel, e.action, e.detail) for e in after.history[2:]] == [
        ("store:s04", "STORE", "RETURN_RECEIVED", f"return {registered.id} at s04: resellable"),
        ("oms", None, "REFUNDED", "10.38 EUR to CARD"),
    ]


async def test_sales_count_per_location_net_of_returns(oms):
    store, other = unique("loc-"), unique("loc-")
    first = await placed(oms, location_id=store)
    await placed(oms, location_id=store)
    await placed(oms, location_id=other)
    await oms.register_return(one_can(first, lines=(ReturnLine(first.lines[0].id, 2, None),)))

    sales = await oms.get_sales(["nope", "v-paint"], since=first.placed_at - timedelta(days=1))
    later = await oms.get_sales(["v-paint"], since=first.placed_at + timedelta(seconds=1))

    assert list(sales) == ["nope", "v-paint"]
    assert sales["nope"] == {}
    assert (sales["v-paint"][store], sales["v-paint"][other]) == (3 + 1, 3)
    assert later == {"v-paint": {}}


async def test_each_return_write_and_sales_read_is_one_request_to_its_route(served):
    async with served.client("orders") as client:
        oms = HttpOrdersConnector(client)
        order = await placed(oms, location_id="s01")
        served.reset_requests()
        registered = await oms.register_return(one_can(order))
        await oms.receive_return(registered.id, RECEIPT)
        await oms.get_sales(["v-paint", "v-other"], since=order.placed_at)

    assert served.requests() == {
        f"PUT /orders/v1/returns/{registered.id}": 1,
        f"POST /orders/v1/returns/{registered.id}/receive": 1,
        "GET /orders/v1/sales": 1,
    }
