"""The OMS's JSON documents: what its service answers and its REST API serves.

`backoffice.orders.service` shows one document of each kind; the connectors parse these
very shapes (`connectors.orders.mapping`), whichever way they reach the OMS.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from backoffice.documents import money, timestamp
from backoffice.orders.models import (
    Cart,
    CartLine,
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


def order_document(order: Order) -> Document:
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
        "cart_id": order.cart_id,
        "routing": order.routing,
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


def return_document(return_: Return, currency: str) -> Document:
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
        "routing": return_.routing,
        "received_location_id": return_.received_location_id,
        "received_at": None if return_.received_at is None else timestamp(return_.received_at),
        "resellable": return_.resellable,
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


def cart_document(cart: Cart) -> Document:
    return {
        "id": cart.id,
        "channel": cart.channel,
        "customer_id": cart.customer_id,
        "location_id": cart.location_id,
        "status": cart.status,
        "merged_into": cart.merged_into,
        "order_id": cart.order_id,
        "version": cart.version,
        "created_at": timestamp(cart.created_at),
        "updated_at": timestamp(cart.updated_at),
        "lines": [_cart_line_document(line) for line in cart.lines],
    }


def _cart_line_document(line: CartLine) -> Document:
    return {"id": line.id, "variant_id": line.variant_id, "quantity": line.quantity}
