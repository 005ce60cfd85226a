from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.db import create_engine, sessionmaker
from backoffice.orders.service import Document, OrdersService
from connectors.errors import SourceContractViolation, SourceUnavailable
from connectors.orders.embedded import EmbeddedOrdersConnector
from connectors.orders.protocol import OrdersConnector
from connectors.orders.records import RefundComponent, ReturnLine
from tests.backoffice.orders.rows import CLOCK, T0, insert, order, return_

pytestmark = pytest.mark.anyio


@pytest.fixture
def connector(sessions: async_sessionmaker[AsyncSession]) -> OrdersConnector:
    # Assigning to the Protocol makes mypy check that the adapter implements it exactly.
    connector: OrdersConnector = EmbeddedOrdersConnector(OrdersService(sessions, clock=CLOCK))
    return connector


async def test_orders_come_back_under_the_requested_ids_with_exact_amounts(sessions, connector):
    await insert(sessions, order("o-1", lines=2), order("o-2"))

    orders = await connector.get_orders(["o-2", "o-404", "o-1"])

    assert list(orders) == ["o-2", "o-1"]
    found = orders["o-1"]
    assert found.total == Decimal("76.91")
    assert [line.unit_list_amount for line in found.lines] == [Decimal("19.99")] * 2
    assert found.lines[0].discounts[0].amount == Decimal("4.00")
    assert found.lines[0].discounts[0].name == {
        "nl": "Tweede halve prijs",
        "en": "Second at half price",
    }
    assert found.placed_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert found.placed_at.tzinfo is UTC
    assert found.fulfillments[0].delivery_date == date(2024, 3, 3)
    assert found.version == 1


async def test_orders_are_found_under_the_requested_numbers(sessions, connector):
    await insert(sessions, order("o-1"), order("o-2"))

    orders = await connector.get_orders_by_number(["N-o-2", "N-o-404"])

    assert {number: o.id for number, o in orders.items()} == {"N-o-2": "o-2"}


async def test_customer_orders_are_grouped_newest_first_and_customers_without_orders_map_to_empty(
    sessions, connector
):
    await insert(
        sessions,
        order("o-1", customer_id="c-1", placed_at=T0),
        order("o-2", customer_id="c-2", placed_at=T0 + timedelta(days=3)),
        order("o-3", customer_id="c-1", placed_at=T0 + timedelta(days=2)),
        order("o-4", customer_id="c-1", placed_at=T0 + timedelta(days=2)),
    )

    orders = await connector.get_customer_orders(["c-1", "c-2", "c-3"], channel=None)

    assert {id_: [o.id for o in found] for id_, found in orders.items()} == {
        "c-1": ["o-4", "o-3", "o-1"],
        "c-2": ["o-2"],
        "c-3": [],
    }


async def test_a_channel_keeps_only_that_channels_orders(sessions, connector):
    await insert(
        sessions,
        order("o-1", channel="web"),
        order("o-2", channel="pos", placed_at=T0 + timedelta(days=1)),
        order("o-3", channel="pos"),
    )

    orders = await connector.get_customer_orders(["c-1"], channel="pos")

    assert [o.id for o in orders["c-1"]] == ["o-2", "o-3"]
    assert {o.channel for o in orders["c-1"]} == {"pos"}


async def test_returns_carry_their_lines_and_refund(sessions, connector):
    await insert(
        sessions, order("o-1"), return_("r-1", "o-1", refunded=True), return_("r-2", "o-1")
    )

    returns = await connector.get_returns(["r-1", "r-2", "r-404"])

    assert list(returns) == ["r-1", "r-2"]
    refunded = returns["r-1"]
    assert refunded.lines == (ReturnLine(order_line_id="o-1-1", quantity=1, reason="too small"),)
    assert refunded.refund is not None
    assert refunded.refund.amount == Decimal("17.99")
    assert refunded.refund.currency == "EUR"
    assert refunded.refund.breakdown == (RefundComponent(kind="goods", amount=Decimal("17.99")),)
    assert refunded.refund.loyalty_points_reversed == 17
    assert returns["r-2"].refund is None


async def test_order_returns_are_grouped_per_order_and_orders_without_returns_map_to_empty(
    sessions, connector
):
    await insert(
        sessions,
        order("o-1"),
        order("o-2"),
        return_("r-1", "o-1", created_at=T0 + timedelta(days=4)),
        return_("r-2", "o-1", created_at=T0 + timedelta(days=1)),
    )

    returns = await connector.get_order_returns(["o-1", "o-2"])

    assert {id_: [r.id for r in found] for id_, found in returns.items()} == {
        "o-1": ["r-2", "r-1"],
        "o-2": [],
    }


async def test_a_database_failure_is_the_oms_being_unavailable():
    # An empty database: every table is missing.
    engine = create_engine("sqlite+aiosqlite://")
    connector = EmbeddedOrdersConnector(OrdersService(sessionmaker(engine), clock=CLOCK))
    try:
        with pytest.raises(SourceUnavailable) as caught:
            await connector.get_customer_orders(["c-1"], channel=None)
    finally:
        await engine.dispose()

    assert caught.value.source == "orders"


async def test_a_broken_document_is_a_contract_violation(sessions):
    class BrokenOms(OrdersService):
        async def get_returns(self, ids: Sequence[str]) -> list[Document]:
            return [{"id": "r-1", "order_id": "o-1", "channel": "store", "status": 3}]

    connector = EmbeddedOrdersConnector(BrokenOms(sessions, clock=CLOCK))

    with pytest.raises(SourceContractViolation, match="return document"):
        await connector.get_returns(["r-1"])
