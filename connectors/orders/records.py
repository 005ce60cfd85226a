"""Canonical cart, order, purchase and return records as the order management system (OMS) leads them.

Every amount computed at order time is stored per line, so refunds never depend on
today's prices. `NewOrder` and its parts are what the gateway hands the OMS to place an
order: every amount already computed, the OMS adds the number and the time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.common import LocalizedText
from connectors.pickling import pickle_by_fields
from connectors.record import record


@record
class LineDiscount:
    """A promotion's discount allocated to an order line at order time."""

    promotion_id: str
    name: LocalizedText
    amount: Decimal


@record
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


@record
class Payment:
    """A payment towards the order."""

    method: str
    amount: Decimal


@record
class Fulfillment:
    """How (part of) the order reaches the customer."""

    id: str
    type: str
    location_id: str | None
    status: str
    delivery_date: date | None


@record
class HistoryEvent:
    """A step in the order's life."""

    at: datetime
    actor: str
    channel: str | None
    action: str
    detail: str | None


@record
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
    #: The cart it was placed from, if any.
    cart_id: str | None = None
    #: Why the gateway routed it where it did (location, score, reasons), as the gateway
    #: computed it; free-form JSON, None for orders that were not routed.
    routing: Mapping[str, Any] | None = None


@record
class ReturnLine:
    """A returned quantity of an order line."""

    order_line_id: str
    quantity: int
    reason: str | None


@record
class RefundComponent:
    """One part of a refund: goods, shipping, return costs (negative)."""

    kind: str
    amount: Decimal


@record
class Refund:
    """The money returned for a return and the loyalty points taken back."""

    amount: Decimal
    currency: str
    method: str
    breakdown: tuple[RefundComponent, ...]
    loyalty_points_reversed: int


@record
class Return:
    """A return of some lines of an order, by store or mail.

    `status` is REGISTERED (announced; `refund` is what it will pay), REFUNDED (received
    and paid) or REJECTED. `routing` says why the goods go to `destination_location_id`,
    as the gateway computed it (free-form JSON, like `Order.routing`).
    """

    id: str
    order_id: str
    channel: str
    status: str
    lines: tuple[ReturnLine, ...]
    destination_location_id: str | None
    refund: Refund | None
    created_at: datetime | None = None
    routing: Mapping[str, Any] | None = None
    #: Where and when the goods arrived, and whether they could be sold again.
    received_location_id: str | None = None
    received_at: datetime | None = None
    resellable: bool | None = None


@record
class NewReturn:
    """A return as the gateway decided it: the lines, where the goods go, the refund it pays.

    The OMS registers it only if the order is still at `expected_order_version` (so the
    refund was computed from the order as it stands) and every line is still returnable.
    """

    id: str
    order_id: str
    expected_order_version: int
    channel: str
    lines: tuple[ReturnLine, ...]
    destination_location_id: str | None
    refund: Refund
    routing: Mapping[str, Any] | None = None
    history: tuple[OrderEvent, ...] = ()


@record
class ReturnReceipt:
    """A location's word that a return's goods arrived, in what condition, and by whom."""

    location_id: str
    resellable: bool
    actor: str
    channel: str | None = None


@record
class CartLine:
    """Units of one variant in a cart."""

    id: str
    variant_id: str
    quantity: int


@record
class Cart:
    """A server-side cart, shared by every device of its customer.

    `status` is OPEN, MERGED (its lines went into `merged_into` when its customer signed
    in) or ORDERED (it became `order_id`); `version` grows with every change.
    """

    id: str
    channel: str
    customer_id: str | None
    location_id: str | None
    status: str
    merged_into: str | None
    order_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    lines: tuple[CartLine, ...]


@record
class CartLineChange:
    """Units of a variant to add to a cart, or a variant's new quantity (0 removes it)."""

    variant_id: str
    quantity: int


@record
class Purchase:
    """Units of a variant a customer bought in one order, net of returns: for cross-channel promotions."""

    customer_id: str
    order_id: str
    channel: str
    placed_at: datetime
    variant_id: str
    quantity: int


@record
class NewOrderLine:
    """An order line to place, with every amount computed (total = list × quantity - discounts)."""

    variant_id: str | None
    sku: str
    quantity: int
    unit_list_amount: Decimal
    discounts: tuple[LineDiscount, ...]
    tax: Decimal
    total: Decimal


@record
class NewFulfillment:
    """A fulfilment to place; the OMS gives it an id when `id` is None (ids are unique across orders)."""

    type: str
    location_id: str | None
    delivery_date: date | None = None
    id: str | None = None
    status: str = "PENDING"


@record
class OrderEvent:
    """An event to record in an order's history (the OMS dates it)."""

    actor: str
    action: str
    channel: str | None = None
    detail: str | None = None


@record
class NewOrder:
    """An order as the gateway computed it; `id` comes from the checkout's idempotency key.

    The amounts must add up to the cent: subtotal = Σ list × quantity, discount_total =
    Σ discounts, total = Σ line totals + shipping = Σ payments (when there are any).
    """

    id: str
    channel: str
    location_id: str | None
    customer_id: str | None
    cart_id: str | None
    currency: str
    lines: tuple[NewOrderLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    shipping: Decimal
    total: Decimal
    payments: tuple[Payment, ...]
    fulfillments: tuple[NewFulfillment, ...]
    routing: Mapping[str, Any] | None = None
    history: tuple[OrderEvent, ...] = ()


# Pickled in the shared cache as their fields (connectors.pickling).
pickle_by_fields(__name__)
