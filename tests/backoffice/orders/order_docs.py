"""An order as the gateway sends it to be placed, and an OMS whose ids count up."""

from __future__ import annotations

import itertools
from typing import Any

from backoffice.orders.service import OrdersService
from tests.backoffice.orders.rows import CLOCK

ROUTING = {"location_id": "s02", "score": 0.82, "reasons": ["in stock", "quiet store"]}


def order_doc(id: str = "ck-1", **overrides: Any) -> dict[str, Any]:
    """Three cans at 19.99 with the third free, a 5.00 brush, shipped from store s02."""
    return {
        "id": id,
        "channel": "WEB",
        "location_id": None,
        "customer_id": "c-1",
        "cart_id": None,
        "currency": "EUR",
        "lines": [
            {
                "variant_id": "v-paint",
                "sku": "PAINT-1L",
                "quantity": 3,
                "unit_list_amount": "19.99",
                "discounts": [
                    {"promotion_id": "p-3for2", "name": {"en": "3 for 2"}, "amount": "19.99"}
                ],
                "tax": "6.94",
                "total": "39.98",
            },
            {
                "variant_id": "v-brush",
                "sku": "BRUSH",
                "quantity": 1,
                "unit_list_amount": "5.00",
                "discounts": [],
                "tax": "0.87",
                "total": "5.00",
            },
        ],
        "subtotal": "64.97",
        "discount_total": "19.99",
        "shipping": "4.95",
        "total": "49.93",
        "payments": [{"method": "CARD", "amount": "49.93"}],
        "fulfillments": [
            {
                "id": f"{id}-f1",
                "type": "SHIP_FROM_STORE",
                "location_id": "s02",
                "status": "PENDING",
                "delivery_date": "2024-03-05",
            }
        ],
        "routing": ROUTING,
        "history": [
            {"actor": "customer:c-1", "channel": "WEB", "action": "PLACED", "detail": None}
        ],
    } | overrides


def new_service(sessions: Any) -> OrdersService:
    counter = itertools.count(1)
    return OrdersService(sessions, clock=CLOCK, new_id=lambda: f"id{next(counter)}")
