"""Canonical order and return records as the order management system (OMS) leads them.

Every amount computed at order time is stored per line, so refunds never depend on
today's prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from connectors.common import LocalizedText


@dataclass(frozen=True, slots=True)
class LineDiscount:
    """A promotion's discount allocated to an order line at order time."""

    promotion_id: str
    name: LocalizedText
    amount: Decimal


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A line of an order with every amount stored as computed when the order was placed."""

    id: str
    variant_id: str | None
    sku: str
    quantity: int
    unit_list_amount: Decimal
    discounts: tuple[LineDiscount, ...]
    tax: Decimal
    total: Decimal
    returned_quantity: int


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment towards the order."""

    method: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Fulfillment:
    """How (part of) the order reaches the customer."""

    id: str
    type: str
    location_id: str | None
    status: str
    delivery_date: date | None


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """A step in the order's life."""

    at: datetime
    actor: str
    channel: str | None
    action: str
    detail: str | None


@dataclass(frozen=True, slots=True)
class Order:
    """An order from any channel; `version` supports optimistic concurrency."""

    id: str
    number: str
    channel: str
    location_id: str | None
    customer_id: str | None
    status: str
    placed_at: datetime
    currency: str
    lines: tuple[OrderLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    shipping: Decimal
    total: Decimal
    payments: tuple[Payment, ...]
    fulfillments: tuple[Fulfillment, ...]
    history: tuple[HistoryEvent, ...]
    version: int


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """A returned quantity of an order line."""

    order_line_id: str
    quantity: int
    reason: str | None


@dataclass(frozen=True, slots=True)
class RefundComponent:
    """One part of a refund: goods, shipping, return costs (negative)."""

    kind: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Refund:
    """The money returned for a return and the loyalty points taken back."""

    amount: Decimal
    currency: str
    method: str
    breakdown: tuple[RefundComponent, ...]
    loyalty_points_reversed: int


@dataclass(frozen=True, slots=True)
class Return:
    """A return of some lines of an order, by store or mail."""

    id: str
    order_id: str
    channel: str
    status: str
    lines: tuple[ReturnLine, ...]
    destination_location_id: str | None
    refund: Refund | None
