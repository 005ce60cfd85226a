"""Placing an order in the OMS: numbered, checked to the cent, idempotent by id; purchases across channels."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from backoffice.errors import CartNotOpen, CartOwned, InvalidRequest, UnknownItems
from tests.backoffice.orders.order_docs import ROUTING, order_doc
from tests.backoffice.orders.rows import NOW, T0, insert, order

pytestmark = pytest.mark.anyio


async def test_a_placed_order_gets_its_number_time_status_and_keeps_every_amount(service):
    placed = await service.create_order(order_doc())

    assert placed == {
        "id": "ck-1",
        "number": "WEB-2024-000001",
        "channel": "WEB",
        "location_id": None,
        "customer_id": "c-1",
        "status": "PLACED",
        "placed_at": NOW.isoformat(),
        "currency": "EUR",
        "subtotal": "64.97",
        "discount_total": "19.99",
        "shipping": "4.95",
        "total": "49.93",
        "version": 1,
        "cart_id": None,
        "routing": ROUTING,
        "lines": [
            {
                "id": "id1",
                "position": 1,
                "variant_id": "v-paint",
                "sku": "PAINT-1L",
                "quantity": 3,
                "unit_list_amount": "19.99",
                "discounts": [
                    {"promotion_id": "p-3for2", "name": {"en": "3 for 2"}, "amount": "19.99"}
                ],
                "tax": "6.94",
                "total": "39.98",
                "returned_quantity": 0,
            },
            {
                "id": "id2",
                "position": 2,
                "variant_id": "v-brush",
                "sku": "BRUSH",
                "quantity": 1,
                "unit_list_amount": "5.00",
                "discounts": [],
                "tax": "0.87",
                "total": "5.00",
                "returned_quantity": 0,
            },
        ],
        "payments": [{"method": "CARD", "amount": "49.93"}],
        "fulfillments": [
            {
                "id": "ck-1-f1",
                "type": "SHIP_FROM_STORE",
                "location_id": "s02",
                "status": "PENDING",
                "delivery_date": "2024-03-05",
            }
        ],
        "history": [
            {
                "at": NOW.isoformat(),
                "actor": "customer:c-1",
                "channel": "WEB",
                "action": "PLACED",
                "detail": None,
            }
        ],
    }
    assert await service.get_orders(["ck-1"]) == [placed]


async def test_placing_the_same_id_again_answers_the_first_order_unchanged(service):
    first = await service.create_order(order_doc())

    again = await service.create_order(order_doc(shipping="0.00", total="44.98", payments=[]))

    assert again == first
    assert [o["id"] for o in await service.get_customer_orders(["c-1"])] == ["ck-1"]


async def test_numbers_count_per_channel_and_year(service):
    web1 = await service.create_order(order_doc("a"))
    store1 = await service.create_order(
        order_doc("b", channel="STORE", location_id="s01", fulfillments=[])
    )
    web2 = await service.create_order(order_doc("c"))

    assert [web1["number"], store1["number"], web2["number"]] == [
        "WEB-2024-000001",
        "STORE-2024-000001",
        "WEB-2024-000002",
    ]


async def test_fulfilment_ids_the_gateway_leaves_out_are_assigned(service):
    placed = await service.create_order(
        order_doc(fulfillments=[{"type": "CLICK_AND_COLLECT", "location_id": "s01"}], history=[])
    )

    assert placed["fulfillments"] == [
        {
            "id": "id3",
            "type": "CLICK_AND_COLLECT",
            "location_id": "s01",
            "status": "PENDING",
            "delivery_date": None,
        }
    ]
    assert [(e["actor"], e["action"]) for e in placed["history"]] == [("oms", "PLACED")]


def _broken(path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(order_doc())
    target: Any = doc
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is _DROP:
        del target[last]
    else:
        target[last] = value
    return doc


_DROP = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("lines", [], "at least one line"),
        ("total", "49.94", "line totals plus shipping add up to 49.93"),
        ("total", "49.9", "is 49.90, but the line totals"),
        ("shipping", "4.96", "line totals plus shipping"),
        ("subtotal", "64.96", "list amounts"),
        ("discount_total", "20.00", "discounts add up to 19.99"),
        ("lines.0.total", "39.99", "less its discounts is 39.98"),
        ("lines.0.quantity", 0, "at least 1"),
        ("lines.0.unit_list_amount", 19.99, "decimal string"),
        ("lines.0.unit_list_amount", "19.985", "more decimals"),
        ("lines.1.total", "-5.00", "at least 0"),
        ("payments", [{"method": "CARD", "amount": "40.00"}], "the payments add up to 40.00"),
        ("payments", [{"method": "BITCOIN", "amount": "49.93"}], "method"),
        ("fulfillments.0.type", "TELEPORT", "type"),
        ("channel", "web", "channel"),
        ("currency", "eur", "currency"),
        ("id", "x" * 33, "at most 32"),
        ("number", "MINE-1", "unknown fields: number"),
        ("routing", ["s02"], "routing"),
        ("subtotal", _DROP, "lacks the fields: subtotal"),
    ],
)
async def test_an_order_that_does_not_hold_together_is_refused(service, path, value, message):
    with pytest.raises(InvalidRequest, match=message):
        await service.create_order(_broken(path, value))

    assert await service.get_orders(["ck-1"]) == []


async def test_the_cart_becomes_ordered_with_the_order(service):
    cart = await service.create_cart(
        channel="WEB", customer_id="c-1", lines=[{"variant_id": "v-paint", "quantity": 3}]
    )

    placed = await service.create_order(order_doc(cart_id=cart["id"]))
    again = await service.create_order(order_doc(cart_id=cart["id"]))

    assert placed["cart_id"] == cart["id"]
    assert again == placed
    [ordered] = await service.get_carts([cart["id"]])
    assert (ordered["status"], ordered["order_id"], ordered["version"]) == ("ORDERED", "ck-1", 2)
    assert await service.get_open_carts(["c-1"]) == []
    with pytest.raises(CartNotOpen):
        await service.create_order(order_doc("ck-2", cart_id=cart["id"]))
    with pytest.raises(CartNotOpen, match="became order 'ck-1'"):
        await service.change_cart_lines(cart["id"], add=[{"variant_id": "v-1", "quantity": 1}])


async def test_an_unknown_or_foreign_cart_places_no_order(service):
    theirs = await service.create_cart(channel="WEB", customer_id="c-2")

    with pytest.raises(UnknownItems) as unknown:
        await service.create_order(order_doc(cart_id="nope"))
    with pytest.raises(CartOwned):
        await service.create_order(order_doc(cart_id=theirs["id"]))

    assert unknown.value.ids == ("nope",)
    assert await service.get_orders(["ck-1"]) == []
    assert (await service.get_carts([theirs["id"]]))[0]["status"] == "OPEN"


async def test_fulfilment_ids_of_another_order_are_refused(service):
    await service.create_order(order_doc("ck-1"))

    with pytest.raises(InvalidRequest, match="already used by other orders: ck-1-f1"):
        await service.create_order(order_doc("ck-2", fulfillments=order_doc()["fulfillments"]))


# Purchases across channels.


async def test_purchases_are_net_of_returns_across_channels_and_skip_cancelled_orders(
    service, sessions
):
    week = T0 + timedelta(days=1)
    returned = order("returned", placed_at=week + timedelta(hours=1), lines=2)
    returned.lines[0].returned_quantity = 2
    returned.lines[1].returned_quantity = 1
    await insert(
        sessions,
        order("store", channel="STORE", placed_at=week, lines=1),
        order("web", channel="WEB", placed_at=week + timedelta(days=2), lines=2),
        order("cancelled", channel="WEB", placed_at=week, status="CANCELLED"),
        returned,
        order("before", placed_at=T0, lines=1),
        order("theirs", customer_id="c-2", placed_at=week, lines=1),
    )

    purchases = await service.get_customer_purchases(["c-1", "c-3"], since=week)

    assert purchases == [
        {
            "customer_id": "c-1",
            "order_id": "store",
            "channel": "STORE",
            "placed_at": week.isoformat(),
            "variant_id": "v-1",
            "quantity": 2,
        },
        {
            "customer_id": "c-1",
            "order_id": "returned",
            "channel": "web",
            "placed_at": (week + timedelta(hours=1)).isoformat(),
            "variant_id": "v-2",
            "quantity": 1,
        },
        *(
            {
                "customer_id": "c-1",
                "order_id": "web",
                "channel": "WEB",
                "placed_at": (week + timedelta(days=2)).isoformat(),
                "variant_id": f"v-{n}",
                "quantity": 2,
            }
            for n in (1, 2)
        ),
    ]
    until = await service.get_customer_purchases(
        ["c-1"], since=week, until=week + timedelta(days=1)
    )
    assert [p["order_id"] for p in until] == ["store", "returned"]


async def test_purchases_need_aware_moments(service):
    with pytest.raises(InvalidRequest, match="UTC offset"):
        await service.get_customer_purchases(["c-1"], since=NOW.replace(tzinfo=None))
