from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from backoffice.orders.models import HistoryEvent
from backoffice.orders.service import OrdersService
from tests.backoffice.orders.rows import CLOCK, T0, count_statements, insert, order, return_

pytestmark = pytest.mark.anyio


async def test_an_order_document_holds_lines_discounts_payments_fulfillments_and_history(
    sessions,
):
    # given
    await insert(
        sessions,
        order(
            "o-1",
            lines=2,
            version=3,
            history=[
                HistoryEvent(
                    at=T0 + timedelta(days=1),
                    actor="dc-1",
                    channel=None,
                    action="shipped",
                    detail="DHL",
                ),
                HistoryEvent(at=T0, actor="c-1", channel="web", action="placed", detail=None),
            ],
        ),
    )

    # when
    docs = await OrdersService(sessions, clock=CLOCK).get_orders(["o-1"])

    # then
    discount = {
        "promotion_id": "p-1",
        "name": {"nl": "Tweede halve prijs", "en": "Second at half price"},
        "amount": "4.00",
    }
    assert docs == [
        {
            "id": "o-1",
            "number": "N-o-1",
            "channel": "web",
            "location_id": None,
            "customer_id": "c-1",
            "status": "DELIVERED",
            "placed_at": "2024-03-01T10:00:00+00:00",
            "currency": "EUR",
            "subtotal": "79.96",
            "discount_total": "8.00",
            "shipping": "4.95",
            "total": "76.91",
            "version": 3,
            "cart_id": None,
            "routing": None,
            "lines": [
                {
                    "id": f"o-1-{n}",
                    "position": n,
                    "variant_id": f"v-{n}",
                    "sku": f"SKU-{n}",
                    "quantity": 2,
                    "unit_list_amount": "19.99",
                    "discounts": [discount],
                    "tax": "6.24",
                    "total": "35.98",
                    "returned_quantity": 0,
                }
                for n in (1, 2)
            ],
            "payments": [{"method": "card", "amount": "76.91"}],
            "fulfillments": [
                {
                    "id": "o-1-f1",
                    "type": "ship_to_home",
                    "location_id": "dc-1",
                    "status": "DELIVERED",
                    "delivery_date": "2024-03-03",
                }
            ],
            "history": [
                {
                    "at": "2024-03-01T10:00:00+00:00",
                    "actor": "c-1",
                    "channel": "web",
                    "action": "placed",
                    "detail": None,
                },
                {
                    "at": "2024-03-02T10:00:00+00:00",
                    "actor": "dc-1",
                    "channel": None,
                    "action": "shipped",
                    "detail": "DHL",
                },
            ],
        }
    ]


async def test_twenty_orders_take_one_statement_per_table(engine, sessions):
    ids = [f"o-{n:02}" for n in range(20)]
    await insert(sessions, *(order(id_, lines=3) for id_ in ids))

    with count_statements(engine) as statements:
        docs = await OrdersService(sessions, clock=CLOCK).get_orders(ids)

    assert sorted(doc["id"] for doc in docs) == ids
    assert all(len(doc["lines"]) == 3 for doc in docs)
    # orders, lines, line discounts, payments, fulfillments, history
    assert len(statements) == 6


async def test_unknown_orders_are_missing(sessions):
    await insert(sessions, order("o-1"))

    service = OrdersService(sessions, clock=CLOCK)

    assert [doc["id"] for doc in await service.get_orders(["o-1", "o-404"])] == ["o-1"]
    assert await service.get_orders_by_number(["N-o-404"]) == []
    assert await service.get_returns(["r-404"]) == []


async def test_orders_are_found_by_number(sessions):
    await insert(sessions, order("o-1"), order("o-2"))

    docs = await OrdersService(sessions, clock=CLOCK).get_orders_by_number(["N-o-2"])

    assert [(doc["id"], doc["number"]) for doc in docs] == [("o-2", "N-o-2")]


async def test_a_customers_orders_come_newest_first_then_by_id(engine, sessions):
    await insert(
        sessions,
        order("o-1", placed_at=T0),
        order("o-2", placed_at=T0 + timedelta(days=2), channel="pos"),
        order("o-3", placed_at=T0 + timedelta(days=1)),
        order("o-4", placed_at=T0 + timedelta(days=1)),
        order("o-5", customer_id="c-2"),
        order("o-6", customer_id=None),
    )

    with count_statements(engine) as statements:
        docs = await OrdersService(sessions, clock=CLOCK).get_customer_orders(["c-1", "c-9"])

    assert [doc["id"] for doc in docs] == ["o-2", "o-4", "o-3", "o-1"]
    assert len(statements) == 6


async def test_a_channel_limits_a_customers_orders_to_that_channel(sessions):
    await insert(
        sessions,
        order("o-1", channel="web"),
        order("o-2", channel="pos"),
        order("o-3", channel="pos", customer_id="c-2"),
    )

    docs = await OrdersService(sessions, clock=CLOCK).get_customer_orders(
        ["c-1", "c-2"], channel="pos"
    )

    assert sorted(doc["id"] for doc in docs) == ["o-2", "o-3"]


async def test_a_return_without_a_refund_has_a_null_refund_and_no_receipt(sessions):
    await insert(sessions, order("o-1"), return_("r-1", "o-1"))

    docs = await OrdersService(sessions, clock=CLOCK).get_returns(["r-1"])

    assert docs == [
        {
            "id": "r-1",
            "order_id": "o-1",
            "channel": "store",
            "status": "REGISTERED",
            "destination_location_id": "store-1",
            "created_at": "2024-03-01T10:00:00+00:00",
            "lines": [{"order_line_id": "o-1-1", "quantity": 1, "reason": "too small"}],
            "refund": None,
            "routing": None,
            "received_location_id": None,
            "received_at": None,
            "resellable": None,
        }
    ]


async def test_a_refunded_return_carries_its_refund_in_the_orders_currency(engine, sessions):
    await insert(
        sessions,
        order("o-1", currency="SEK"),
        return_(
            "r-1",
            "o-1",
            refunded=True,
            refund_amount=Decimal("13"),
            refund_breakdown=[
                {"kind": "goods", "amount": "17.99"},
                {"kind": "return_costs", "amount": "-4.99"},
            ],
        ),
    )

    with count_statements(engine) as statements:
        docs = await OrdersService(sessions, clock=CLOCK).get_returns(["r-1"])

    assert docs[0]["refund"] == {
        "amount": "13.00",
        "currency": "SEK",
        "method": "card",
        "breakdown": [
            {"kind": "goods", "amount": "17.99"},
            {"kind": "return_costs", "amount": "-4.99"},
        ],
        "loyalty_points_reversed": 17,
    }
    # returns joined with their order's currency, return lines
    assert len(statements) == 2


async def test_an_orders_returns_come_oldest_first(engine, sessions):
    await insert(
        sessions,
        order("o-1"),
        order("o-2"),
        return_("r-1", "o-1", created_at=T0 + timedelta(days=5)),
        return_("r-2", "o-1", created_at=T0 + timedelta(days=2), refunded=True),
        return_("r-3", "o-2"),
    )

    with count_statements(engine) as statements:
        docs = await OrdersService(sessions, clock=CLOCK).get_order_returns(["o-1", "o-9"])

    assert [doc["id"] for doc in docs] == ["r-2", "r-1"]
    assert len(statements) == 2


async def test_an_empty_batch_asks_the_database_nothing(engine, sessions):
    service = OrdersService(sessions, clock=CLOCK)

    with count_statements(engine) as statements:
        answers = [
            await service.get_orders([]),
            await service.get_orders_by_number([]),
            await service.get_customer_orders([], channel="web"),
            await service.get_returns([]),
            await service.get_order_returns([]),
        ]

    assert answers == [[], [], [], [], []]
    assert statements == []
