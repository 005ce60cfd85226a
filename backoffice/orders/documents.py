"""The OMS's JSON documents: what its service answers and its REST API serves.

The connectors parse these very shapes (`connectors.orders.mapping`), whichever way they
reach the OMS. One document of each kind follows.

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
        "cart_id": "5f0c2b1e9a7d4c3e8b6a1f2d3c4b5a69",
        "routing": {"location_id": "dc-1", "score": 0.82, "reasons": ["in stock"]},
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

`cart_id` is the cart it was placed from and `routing` why the gateway routed it where it
did (free-form JSON, as the gateway computed it); both are null for orders placed
otherwise. The writes are in `backoffice.orders.placing` (`create_order` takes the order
without `number`, `placed_at`, `status`, `version` and line ids, which the OMS assigns).

A cart (`create_cart`, `get_carts`, `get_open_carts`, `change_cart_lines`,
`attach_customer`; see `backoffice.orders.carts`)::

    {
        "id": "5f0c2b1e9a7d4c3e8b6a1f2d3c4b5a69",
        "channel": "WEB",
        "customer_id": "cu00001",
        "location_id": null,
        "status": "OPEN",
        "merged_into": null,
        "order_id": null,
        "version": 4,
        "created_at": "2026-06-01T09:30:12+00:00",
        "updated_at": "2026-06-01T09:41:00+00:00",
        "lines": [{"id": "9b1d…", "variant_id": "v000001", "quantity": 2}]
    }

A purchase (`get_customer_purchases`): units of a variant a customer bought in one order,
net of what was returned::

    {
        "customer_id": "cu00001",
        "order_id": "o000042",
        "channel": "STORE",
        "placed_at": "2026-06-01T09:30:12+00:00",
        "variant_id": "v000001",
        "quantity": 1
    }

A return (`get_returns`, `get_order_returns`, and the answer of `register_return` and
`receive_return`, whose rules are in `backoffice.orders.returns`). A REGISTERED return's
`refund` is what it will pay; REFUNDED ones were received (`received_location_id`,
`received_at`, `resellable`) and paid; `routing` is why the goods went to
`destination_location_id`, as the gateway computed it (null for returns it did not route)::

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
        },
        "routing": null,
        "received_location_id": "store-utrecht",
        "received_at": "2024-03-10T16:00:00+00:00",
        "resellable": true
    }
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
