"""The OMS's service layer: orders and returns from every channel as JSON documents.

Every method takes a batch of keys and runs one statement per table, whatever the batch
size (relationships are loaded with `selectinload`); unknown keys are simply missing. The
documents are what the OMS's REST API serves, so the embedded and the HTTP connector
parse the very same shapes.

An order (`get_orders`, `get_orders_by_number`, `get_customer_orders`)::

    {
        "id": "o-2001",
        "number": "WEB-2024-000123",
        "channel": "web",
        "location_id": null,
        "customer_id": "c-1001",
        "status": "DELIVERED",
        "placed_at": "2024-03-01T10:15:00+00:00",
        "currency": "EUR",
        "subtotal": "59.97",
        "discount_total": "19.99",
        "shipping": "4.95",
        "total": "44.93",
        "version": 3,
        "lines": [
            {
                "id": "o-2001-1",
                "position": 1,
                "variant_id": "v-paint-1l-white",
                "sku": "PAINT-1L-WHITE",
                "quantity": 3,
                "unit_list_amount": "19.99",
                "discounts": [
                    {"promotion_id": "p-3for2", "name": {"nl": "3 halen, 2 betalen", "en": "3 for 2"}, "amount": "19.99"}
                ],
                "tax": "6.94",
                "total": "39.98",
                "returned_quantity": 0
            }
        ],
        "payments": [{"method": "card", "amount": "44.93"}],
        "fulfillments": [
            {"id": "f-1", "type": "ship_to_home", "location_id": "dc-1", "status": "DELIVERED", "delivery_date": "2024-03-03"}
        ],
        "history": [
            {"at": "2024-03-01T10:15:00+00:00", "actor": "c-1001", "channel": "web", "action": "placed", "detail": null}
        ]
    }

A return (`get_returns`, `get_order_returns`); `refund` is null until it is refunded::

    {
        "id": "r-301",
        "order_id": "o-2001",
        "channel": "store",
        "status": "REFUNDED",
        "destination_location_id": "store-utrecht",
        "created_at": "2024-03-10T16:00:00+00:00",
        "lines": [{"order_line_id": "o-2001-1", "quantity": 1, "reason": "wrong colour"}],
        "refund": {
            "amount": "13.33",
            "currency": "EUR",
            "method": "card",
            "breakdown": [{"kind": "goods", "amount": "13.33"}],
            "loyalty_points_reversed": 13
        }
    }
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from backoffice.documents import money, timestamp
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

#: A JSON-compatible document as served over REST.
Document = dict[str, Any]

_WHOLE_ORDER = (
    selectinload(Order.lines).selectinload(OrderLine.discounts),
    selectinload(Order.payments),
    selectinload(Order.fulfillments),
    selectinload(Order.history),
)


class OrdersService:
    """Reads of the reference OMS, batch-first, returning JSON documents."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get_orders(self, ids: Sequence[str]) -> list[Document]:
        """The orders with these ids, each whole: lines with discounts, payments, fulfilments, history."""
        if not ids:
            return []
        return await self._orders(select(Order).where(Order.id.in_(ids)).order_by(Order.id))

    async def get_orders_by_number(self, numbers: Sequence[str]) -> list[Document]:
        """The orders with these order numbers (the number printed on receipts and e-mails)."""
        if not numbers:
            return []
        return await self._orders(
            select(Order).where(Order.number.in_(numbers)).order_by(Order.number)
        )

    async def get_customer_orders(
        self, customer_ids: Sequence[str], *, channel: str | None = None
    ) -> list[Document]:
        """The orders of these customers from every channel (or from one), newest first."""
        if not customer_ids:
            return []
        statement = select(Order).where(Order.customer_id.in_(customer_ids))
        if channel is not None:
            statement = statement.where(Order.channel == channel)
        return await self._orders(statement.order_by(Order.placed_at.desc(), Order.id.desc()))

    async def get_returns(self, ids: Sequence[str]) -> list[Document]:
        """The returns with these ids, with their lines and refund."""
        if not ids:
            return []
        return await self._returns(
            select(Return, Order.currency).where(Return.id.in_(ids)).order_by(Return.id)
        )

    async def get_order_returns(self, order_ids: Sequence[str]) -> list[Document]:
        """The returns of these orders, oldest first."""
        if not order_ids:
            return []
        return await self._returns(
            select(Return, Order.currency)
            .where(Return.order_id.in_(order_ids))
            .order_by(Return.created_at, Return.id)
        )

    async def _orders(self, statement: Select[Order]) -> list[Document]:
        async with self._sessions() as session:
            orders = (await session.scalars(statement.options(*_WHOLE_ORDER))).all()
        return [_order_document(order) for order in orders]

    async def _returns(self, statement: Select[Return, str]) -> list[Document]:
        # The currency lives on the order: a join, not a second statement.
        statement = statement.join(Order, Order.id == Return.order_id).options(
            selectinload(Return.lines)
        )
        async with self._sessions() as session:
            rows = (await session.execute(statement)).all()
        return [_return_document(return_, currency) for return_, currency in rows]


def _order_document(order: Order) -> Document:
    currency = order.currency
    return {
        "id": order.id,
        "number": order.number,
        "channel": order.channel,
        "location_id": order.location_id,
        "customer_id": order.customer_id,
        "status": order.status,
        "placed_at": timestamp(order.placed_at),
        "currency": currency,
        "subtotal": money(order.subtotal, currency),
        "discount_total": money(order.discount_total, currency),
        "shipping": money(order.shipping, currency),
        "total": money(order.total, currency),
        "version": order.version,
        "lines": [_line_document(line, currency) for line in order.lines],
        "payments": [
            _payment_document(payment, currency)
            for payment in sorted(order.payments, key=lambda p: p.id)
        ],
        "fulfillments": [
            _fulfillment_document(fulfillment)
            for fulfillment in sorted(order.fulfillments, key=lambda f: f.id)
        ],
        "history": [
            _history_document(event) for event in sorted(order.history, key=lambda e: (e.at, e.id))
        ],
    }


def _line_document(line: OrderLine, currency: str) -> Document:
    return {
        "id": line.id,
        "position": line.position,
        "variant_id": line.variant_id,
        "sku": line.sku,
        "quantity": line.quantity,
        "unit_list_amount": money(line.unit_list_amount, currency),
        "discounts": [
            _discount_document(discount, currency)
            for discount in sorted(line.discounts, key=lambda d: d.id)
        ],
        "tax": money(line.tax, currency),
        "total": money(line.total, currency),
        "returned_quantity": line.returned_quantity,
    }


def _discount_document(discount: LineDiscount, currency: str) -> Document:
    return {
        "promotion_id": discount.promotion_id,
        "name": dict(discount.name),
        "amount": money(discount.amount, currency),
    }


def _payment_document(payment: Payment, currency: str) -> Document:
    return {"method": payment.method, "amount": money(payment.amount, currency)}


def _fulfillment_document(fulfillment: Fulfillment) -> Document:
    return {
        "id": fulfillment.id,
        "type": fulfillment.type,
        "location_id": fulfillment.location_id,
        "status": fulfillment.status,
        "delivery_date": _date(fulfillment.delivery_date),
    }


def _history_document(event: HistoryEvent) -> Document:
    return {
        "at": timestamp(event.at),
        "actor": event.actor,
        "channel": event.channel,
        "action": event.action,
        "detail": event.detail,
    }


def _return_document(return_: Return, currency: str) -> Document:
    return {
        "id": return_.id,
        "order_id": return_.order_id,
        "channel": return_.channel,
        "status": return_.status,
        "destination_location_id": return_.destination_location_id,
        "created_at": timestamp(return_.created_at),
        "lines": [
            _return_line_document(line) for line in sorted(return_.lines, key=lambda r: r.id)
        ],
        "refund": _refund_document(return_, currency),
    }


def _return_line_document(line: ReturnLine) -> Document:
    return {"order_line_id": line.order_line_id, "quantity": line.quantity, "reason": line.reason}


def _refund_document(return_: Return, currency: str) -> Document | None:
    if return_.refund_amount is None:
        return None
    return {
        "amount": money(return_.refund_amount, currency),
        "currency": currency,
        "method": return_.refund_method,
        "breakdown": [
            {"kind": part["kind"], "amount": money(Decimal(str(part["amount"])), currency)}
            for part in return_.refund_breakdown or []
        ],
        "loyalty_points_reversed": return_.loyalty_points_reversed,
    }


def _date(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
