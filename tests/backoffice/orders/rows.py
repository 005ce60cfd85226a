"""A fresh OMS database per test, builders for the few rows a test needs, and a statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.orders.models import (
    Fulfillment,
    HistoryEvent,
    LineDiscount,
    Order,
    OrderLine,
    Payment,
    Return,
    ReturnLine,
)
from kernel.clock import FixedClock
from tests.backoffice.support import count_statements as count_statements
from tests.backoffice.support import database
from tests.backoffice.support import insert as insert
from tests.backoffice.support import sessions as sessions

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
#: "Now" for the OMS's writes: a day after T0.
NOW = datetime(2024, 3, 2, 9, 30, tzinfo=UTC)
CLOCK = FixedClock(NOW)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    async with database("oms_") as engine:
        yield engine


def order(
    id: str,
    *,
    customer_id: str | None = "c-1",
    channel: str = "web",
    placed_at: datetime = T0,
    lines: int = 1,
    **overrides: Any,
) -> Order:
    """An order of `lines` lines, each 2 × 19.99 with a 4.00 discount, paid by card and delivered."""
    fields: dict[str, Any] = {
        "id": id,
        "number": f"N-{id}",
        "channel": channel,
        "location_id": None,
        "customer_id": customer_id,
        "status": "DELIVERED",
        "placed_at": placed_at,
        "currency": "EUR",
        "subtotal": Decimal("39.98") * lines,
        "discount_total": Decimal("4.00") * lines,
        "shipping": Decimal("4.95"),
        "total": Decimal("35.98") * lines + Decimal("4.95"),
        "version": 1,
        "lines": [order_line(f"{id}-{n}", position=n) for n in range(1, lines + 1)],
        "payments": [Payment(method="card", amount=Decimal("35.98") * lines + Decimal("4.95"))],
        "fulfillments": [
            Fulfillment(
                id=f"{id}-f1",
                type="ship_to_home",
                location_id="dc-1",
                status="DELIVERED",
                delivery_date=date(2024, 3, 3),
            )
        ],
        "history": [
            HistoryEvent(at=placed_at, actor="c-1", channel=channel, action="placed", detail=None)
        ],
    }
    return Order(**(fields | overrides))


def order_line(id: str, *, position: int = 1, **overrides: Any) -> OrderLine:
    fields: dict[str, Any] = {
        "id": id,
        "position": position,
        "variant_id": f"v-{position}",
        "sku": f"SKU-{position}",
        "quantity": 2,
        "unit_list_amount": Decimal("19.99"),
        "tax": Decimal("6.24"),
        "total": Decimal("35.98"),
        "returned_quantity": 0,
        "discounts": [
            LineDiscount(
                promotion_id="p-1",
                name={"nl": "Tweede halve prijs", "en": "Second at half price"},
                amount=Decimal("4.00"),
            )
        ],
    }
    return OrderLine(**(fields | overrides))


def return_(id: str, order_id: str, *, refunded: bool = False, **overrides: Any) -> Return:
    """A store return of one item of the order's first line; refunded 17.99 to card if `refunded`."""
    fields: dict[str, Any] = {
        "id": id,
        "order_id": order_id,
        "channel": "store",
        "status": "REFUNDED" if refunded else "REGISTERED",
        "destination_location_id": "store-1",
        "created_at": T0,
        "refund_amount": Decimal("17.99") if refunded else None,
        "refund_method": "card" if refunded else None,
        "refund_breakdown": [{"kind": "goods", "amount": "17.99"}] if refunded else None,
        "loyalty_points_reversed": 17 if refunded else 0,
        "lines": [ReturnLine(order_line_id=f"{order_id}-1", quantity=1, reason="too small")],
    }
    return Return(**(fields | overrides))
