"""Tables of the OMS: carts, orders with every amount stored per line, payments, fulfilments, returns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backoffice.db import Base, Money, UtcDateTime


class Order(Base):
    """An order from any channel; `version` increases on every change (optimistic concurrency)."""

    __tablename__ = "oms_order"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    location_id: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(24))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    subtotal: Mapped[Decimal] = mapped_column(Money)
    discount_total: Mapped[Decimal] = mapped_column(Money)
    shipping: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: The cart the order was placed from, if any.
    cart_id: Mapped[str | None] = mapped_column(String(32))
    #: Why the gateway routed the order where it did (chosen location, score, reasons), as
    #: it computed it: free-form JSON kept for the service desk, not interpreted here.
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    lines: Mapped[list[OrderLine]] = relationship(order_by="OrderLine.position", lazy="raise")
    payments: Mapped[list[Payment]] = relationship(lazy="raise")
    fulfillments: Mapped[list[Fulfillment]] = relationship(lazy="raise")
    history: Mapped[list[HistoryEvent]] = relationship(order_by="HistoryEvent.at", lazy="raise")


class OrderLine(Base):
    """An order line with list price, allocated discounts, tax and total as computed at order time."""

    __tablename__ = "oms_order_line"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("oms_order.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    variant_id: Mapped[str | None] = mapped_column(String(32))
    sku: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_list_amount: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0)
    discounts: Mapped[list[LineDiscount]] = relationship(lazy="raise")


class LineDiscount(Base):
    """A promotion's discount allocated to a line (order-level discounts are allocated too)."""

    __tablename__ = "oms_line_discount"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    line_id: Mapped[str] = mapped_column(ForeignKey("oms_order_line.id"), index=True)
    promotion_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    amount: Mapped[Decimal] = mapped_column(Money)


class Payment(Base):
    """A payment towards an order."""

    __tablename__ = "oms_payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("oms_order.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)


class Fulfillment(Base):
    """A shipment, pickup or carry-out of (part of) an order."""

    __tablename__ = "oms_fulfillment"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("oms_order.id"), index=True)
    type: Mapped[str] = mapped_column(String(24))
    location_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    delivery_date: Mapped[date | None] = mapped_column(Date)


class HistoryEvent(Base):
    """A step in an order's life: placed, confirmed, shipped, returned..."""

    __tablename__ = "oms_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("oms_order.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)


class Return(Base):
    """A return of order lines, by store or mail, with the refund it pays (planned until REFUNDED).

    REGISTERED when announced (the refund columns hold what it will pay), REFUNDED once the
    goods arrived (`received_*`, `resellable`) and the refund was paid, or REJECTED.
    """

    __tablename__ = "oms_return"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("oms_order.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    destination_location_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    refund_amount: Mapped[Decimal | None] = mapped_column(Money)
    refund_method: Mapped[str | None] = mapped_column(String(16))
    #: [{"kind": "goods" | "shipping" | "return_costs", "amount": "12.34"}]
    refund_breakdown: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    loyalty_points_reversed: Mapped[int] = mapped_column(Integer, default=0)
    #: Why the gateway sent the goods to `destination_location_id`, as it computed it:
    #: free-form JSON kept for the service desk, like `Order.routing`.
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Where and when the goods arrived (the OMS's clock), and whether they can be sold again.
    received_location_id: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resellable: Mapped[bool | None] = mapped_column(Boolean)
    lines: Mapped[list[ReturnLine]] = relationship(lazy="raise")


class ReturnLine(Base):
    """A returned quantity of an order line."""

    __tablename__ = "oms_return_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    return_id: Mapped[str] = mapped_column(ForeignKey("oms_return.id"), index=True)
    order_line_id: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)


class Cart(Base):
    """A server-side cart shared by every device of its customer; `version` +1 on every change.

    The id is random (uuid4 hex): knowing it is what lets a device use an anonymous cart.
    OPEN carts change; MERGED ones were merged into `merged_into` when their customer signed
    in; ORDERED ones became `order_id`.
    """

    __tablename__ = "oms_cart"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str | None] = mapped_column(String(32), index=True)
    location_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8))
    merged_into: Mapped[str | None] = mapped_column(String(32))
    order_id: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lines: Mapped[list[CartLine]] = relationship(
        order_by="CartLine.position", lazy="raise", cascade="all, delete-orphan"
    )


class CartLine(Base):
    """Units of one variant in a cart (one line per variant)."""

    __tablename__ = "oms_cart_line"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    cart_id: Mapped[str] = mapped_column(ForeignKey("oms_cart.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    variant_id: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
