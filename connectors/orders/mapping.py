"""Turns the OMS's JSON documents into canonical records, and new orders and returns into the OMS's JSON.

The documents are those of `backoffice.orders.documents` (its docstring shows one of each
kind); the embedded and the HTTP adapter both parse them here. A document that lacks a
field or has one of the wrong type raises `SourceContractViolation`. An order's
`cart_id` and `routing` came with carts and routing, a return's `created_at`, `routing`,
`received_location_id`, `received_at` and `resellable` with return registration: an OMS
that has no such fields is still read, with None for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from connectors._documents import (
    array,
    boolean,
    contract,
    integer,
    localized,
    money,
    optional,
    string,
    timestamp,
)
from connectors.orders.records import (
    Cart,
    CartLine,
    CartLineChange,
    Fulfillment,
    HistoryEvent,
    LineDiscount,
    NewFulfillment,
    NewOrder,
    NewOrderLine,
    NewReturn,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Purchase,
    Refund,
    RefundComponent,
    Return,
    ReturnLine,
    ReturnReceipt,
)

SOURCE = "orders"
# The OMS's errors have always said "integer" where the other sources say "whole number".
_integer = partial(integer, expected="an integer")


def to_order(doc: Any) -> Order:
    with contract(SOURCE, "order"):
        return Order(
            id=string(doc["id"]),
            number=string(doc["number"]),
            channel=string(doc["channel"]),
            location_id=optional(string, doc["location_id"]),
            customer_id=optional(string, doc["customer_id"]),
            status=string(doc["status"]),
            placed_at=timestamp(doc["placed_at"]),
            currency=string(doc["currency"]),
            lines=tuple(_line(item) for item in array(doc["lines"])),
            subtotal=money(doc["subtotal"]),
            discount_total=money(doc["discount_total"]),
            shipping=money(doc["shipping"]),
            total=money(doc["total"]),
            payments=tuple(
                Payment(method=string(item["method"]), amount=money(item["amount"]))
                for item in array(doc["payments"])
            ),
            fulfillments=tuple(_fulfillment(item) for item in array(doc["fulfillments"])),
            history=tuple(_history_event(item) for item in array(doc["history"])),
            version=_integer(doc["version"]),
            cart_id=optional(string, doc.get("cart_id")),
            routing=optional(_object, doc.get("routing")),
        )


def to_return(doc: Any) -> Return:
    with contract(SOURCE, "return"):
        refund = doc["refund"]
        return Return(
            id=string(doc["id"]),
            order_id=string(doc["order_id"]),
            channel=string(doc["channel"]),
            status=string(doc["status"]),
            lines=tuple(
                ReturnLine(
                    order_line_id=string(item["order_line_id"]),
                    quantity=_integer(item["quantity"]),
                    reason=optional(string, item["reason"]),
                )
                for item in array(doc["lines"])
            ),
            destination_location_id=optional(string, doc["destination_location_id"]),
            refund=optional(_refund, refund),
            created_at=optional(timestamp, doc.get("created_at")),
            routing=optional(_object, doc.get("routing")),
            received_location_id=optional(string, doc.get("received_location_id")),
            received_at=optional(timestamp, doc.get("received_at")),
            resellable=optional(boolean, doc.get("resellable")),
        )


def _line(doc: Any) -> OrderLine:
    return OrderLine(
        id=string(doc["id"]),
        variant_id=optional(string, doc["variant_id"]),
        sku=string(doc["sku"]),
        quantity=_integer(doc["quantity"]),
        unit_list_amount=money(doc["unit_list_amount"]),
        discounts=tuple(
            LineDiscount(
                promotion_id=string(item["promotion_id"]),
                name=localized(item["name"]),
                amount=money(item["amount"]),
            )
            for item in array(doc["discounts"])
        ),
        tax=money(doc["tax"]),
        total=money(doc["total"]),
        returned_quantity=_integer(doc["returned_quantity"]),
    )


def _fulfillment(doc: Any) -> Fulfillment:
    delivery_date = doc["delivery_date"]
    return Fulfillment(
        id=string(doc["id"]),
        type=string(doc["type"]),
        location_id=optional(string, doc["location_id"]),
        status=string(doc["status"]),
        delivery_date=None if delivery_date is None else date.fromisoformat(string(delivery_date)),
    )


def _history_event(doc: Any) -> HistoryEvent:
    return HistoryEvent(
        at=timestamp(doc["at"]),
        actor=string(doc["actor"]),
        channel=optional(string, doc["channel"]),
        action=string(doc["action"]),
        detail=optional(string, doc["detail"]),
    )


def _refund(doc: Any) -> Refund:
    return Refund(
        amount=money(doc["amount"]),
        currency=string(doc["currency"]),
        method=string(doc["method"]),
        breakdown=tuple(
            RefundComponent(kind=string(item["kind"]), amount=money(item["amount"]))
            for item in array(doc["breakdown"])
        ),
        loyalty_points_reversed=_integer(doc["loyalty_points_reversed"]),
    )


def to_cart(doc: Any) -> Cart:
    with contract(SOURCE, "cart"):
        return Cart(
            id=string(doc["id"]),
            channel=string(doc["channel"]),
            customer_id=optional(string, doc["customer_id"]),
            location_id=optional(string, doc["location_id"]),
            status=string(doc["status"]),
            merged_into=optional(string, doc["merged_into"]),
            order_id=optional(string, doc["order_id"]),
            version=_integer(doc["version"]),
            created_at=timestamp(doc["created_at"]),
            updated_at=timestamp(doc["updated_at"]),
            lines=tuple(
                CartLine(
                    id=string(item["id"]),
                    variant_id=string(item["variant_id"]),
                    quantity=_integer(item["quantity"]),
                )
                for item in array(doc["lines"])
            ),
        )


def to_purchase(doc: Any) -> Purchase:
    with contract(SOURCE, "purchase"):
        return Purchase(
            customer_id=string(doc["customer_id"]),
            order_id=string(doc["order_id"]),
            channel=string(doc["channel"]),
            placed_at=timestamp(doc["placed_at"]),
            variant_id=string(doc["variant_id"]),
            quantity=_integer(doc["quantity"]),
        )


def cart_lines_document(lines: Sequence[CartLineChange]) -> list[dict[str, Any]]:
    return [{"variant_id": line.variant_id, "quantity": line.quantity} for line in lines]


def new_order_document(order: NewOrder) -> dict[str, Any]:
    """The OMS's JSON for an order to place (`PUT /orders/v1/orders/{id}`)."""
    return {
        "id": order.id,
        "channel": order.channel,
        "location_id": order.location_id,
        "customer_id": order.customer_id,
        "cart_id": order.cart_id,
        "currency": order.currency,
        "lines": [
            {
                "variant_id": line.variant_id,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_list_amount": _amount(line.unit_list_amount),
                "discounts": [
                    {
                        "promotion_id": d.promotion_id,
                        "name": dict(d.name),
                        "amount": _amount(d.amount),
                    }
                    for d in line.discounts
                ],
                "tax": _amount(line.tax),
                "total": _amount(line.total),
            }
            for line in order.lines
        ],
        "subtotal": _amount(order.subtotal),
        "discount_total": _amount(order.discount_total),
        "shipping": _amount(order.shipping),
        "total": _amount(order.total),
        "payments": [{"method": p.method, "amount": _amount(p.amount)} for p in order.payments],
        "fulfillments": [
            {
                **({"id": f.id} if f.id is not None else {}),
                "type": f.type,
                "location_id": f.location_id,
                "status": f.status,
                "delivery_date": None if f.delivery_date is None else f.delivery_date.isoformat(),
            }
            for f in order.fulfillments
        ],
        "routing": None if order.routing is None else dict(order.routing),
        "history": [
            {"actor": e.actor, "channel": e.channel, "action": e.action, "detail": e.detail}
            for e in order.history
        ],
    }


def new_return_document(new: NewReturn) -> dict[str, Any]:
    """The OMS's JSON for a return to register (`PUT /orders/v1/returns/{id}`)."""
    refund = new.refund
    return {
        "id": new.id,
        "order_id": new.order_id,
        "expected_order_version": new.expected_order_version,
        "channel": new.channel,
        "lines": [
            {"order_line_id": line.order_line_id, "quantity": line.quantity, "reason": line.reason}
            for line in new.lines
        ],
        "destination_location_id": new.destination_location_id,
        "refund": {
            "amount": _amount(refund.amount),
            "currency": refund.currency,
            "method": refund.method,
            "breakdown": [
                {"kind": part.kind, "amount": _amount(part.amount)} for part in refund.breakdown
            ],
            "loyalty_points_reversed": refund.loyalty_points_reversed,
        },
        "routing": None if new.routing is None else dict(new.routing),
        "history": [
            {"actor": e.actor, "channel": e.channel, "action": e.action, "detail": e.detail}
            for e in new.history
        ],
    }


def receipt_document(receipt: ReturnReceipt) -> dict[str, Any]:
    """The OMS's JSON for a return's receipt (`POST /orders/v1/returns/{id}/receive`)."""
    return {
        "location_id": receipt.location_id,
        "resellable": receipt.resellable,
        "actor": receipt.actor,
        "channel": receipt.channel,
    }


def group_sales(variant_ids: Sequence[str], docs: Iterable[Any]) -> dict[str, dict[str, int]]:
    """Units sold per location under each variant asked for (an empty mapping when none)."""
    sales: dict[str, dict[str, int]] = {id_: {} for id_ in variant_ids}
    for doc in docs:
        with contract(SOURCE, "sale"):
            variant_id = string(doc["variant_id"])
            location_id = string(doc["location_id"])
            quantity = _integer(doc["quantity"])
        if variant_id in sales:
            sales[variant_id][location_id] = quantity
    return sales


def to_new_order(doc: Any) -> NewOrder:
    """The order to place from `new_order_document`'s JSON (a checkout log keeps it so)."""
    return NewOrder(
        id=string(doc["id"]),
        channel=string(doc["channel"]),
        location_id=optional(string, doc["location_id"]),
        customer_id=optional(string, doc["customer_id"]),
        cart_id=optional(string, doc["cart_id"]),
        currency=string(doc["currency"]),
        lines=tuple(
            NewOrderLine(
                variant_id=optional(string, line["variant_id"]),
                sku=string(line["sku"]),
                quantity=_integer(line["quantity"]),
                unit_list_amount=money(line["unit_list_amount"]),
                discounts=tuple(
                    LineDiscount(
                        promotion_id=string(d["promotion_id"]),
                        name=localized(d["name"]),
                        amount=money(d["amount"]),
                    )
                    for d in array(line["discounts"])
                ),
                tax=money(line["tax"]),
                total=money(line["total"]),
            )
            for line in array(doc["lines"])
        ),
        subtotal=money(doc["subtotal"]),
        discount_total=money(doc["discount_total"]),
        shipping=money(doc["shipping"]),
        total=money(doc["total"]),
        payments=tuple(
            Payment(method=string(p["method"]), amount=money(p["amount"]))
            for p in array(doc["payments"])
        ),
        fulfillments=tuple(
            NewFulfillment(
                id=optional(string, f.get("id")),
                type=string(f["type"]),
                location_id=optional(string, f["location_id"]),
                status=string(f["status"]),
                delivery_date=None
                if f["delivery_date"] is None
                else date.fromisoformat(string(f["delivery_date"])),
            )
            for f in array(doc["fulfillments"])
        ),
        routing=None if doc["routing"] is None else _object(doc["routing"]),
        history=tuple(
            OrderEvent(
                actor=string(e["actor"]),
                action=string(e["action"]),
                channel=optional(string, e["channel"]),
                detail=optional(string, e["detail"]),
            )
            for e in array(doc["history"])
        ),
    )


def _amount(value: Decimal) -> str:
    # Fixed-point: str() would write Decimal("1E+1") as "1E+1".
    return f"{value:f}"


def _object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def group_purchases(
    customer_ids: Sequence[str], purchases: Iterable[Purchase]
) -> dict[str, tuple[Purchase, ...]]:
    """Purchases under each customer asked for, in the OMS's order (oldest first)."""
    grouped: dict[str, list[Purchase]] = {id_: [] for id_ in customer_ids}
    for purchase in purchases:
        grouped.setdefault(purchase.customer_id, []).append(purchase)
    return {id_: tuple(grouped[id_]) for id_ in customer_ids}


def open_carts(customer_ids: Sequence[str], carts: Iterable[Cart]) -> dict[str, Cart]:
    """Each customer's open cart under their id; customers without one absent."""
    by_customer = {cart.customer_id: cart for cart in carts if cart.customer_id is not None}
    return {id_: by_customer[id_] for id_ in customer_ids if id_ in by_customer}
