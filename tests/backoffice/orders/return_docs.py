"""A return as the gateway sends it to be registered, a receipt, and reading an order back."""

from __future__ import annotations

from typing import Any

from backoffice.orders.service import OrdersService

ROUTING = {"location_id": "s04", "score": 0.91, "reasons": ["sells well", "size nearly out"]}


def return_doc(id: str = "rt-1", **overrides: Any) -> dict[str, Any]:
    """One unit of o-1's first line back by mail to s04: 17.99 less 2.95 return costs, to card."""
    return {
        "id": id,
        "order_id": "o-1",
        "expected_order_version": 1,
        "channel": "MAIL",
        "lines": [{"order_line_id": "o-1-1", "quantity": 1, "reason": "too small"}],
        "destination_location_id": "s04",
        "refund": {
            "amount": "15.04",
            "currency": "EUR",
            "method": "CARD",
            "breakdown": [
                {"kind": "goods", "amount": "17.99"},
                {"kind": "return_costs", "amount": "-2.95"},
            ],
            "loyalty_points_reversed": 15,
        },
        "routing": ROUTING,
        "history": [
            {
                "actor": "customer:c-1",
                "channel": "WEB",
                "action": "RETURN_REGISTERED",
                "detail": "online return",
            }
        ],
    } | overrides


RECEIPT = {"location_id": "s04", "resellable": True, "actor": "store:s04", "channel": "STORE"}


async def the_order(service: OrdersService, order_id: str = "o-1") -> dict[str, Any]:
    [doc] = await service.get_orders([order_id])
    return doc


def returned(doc: dict[str, Any]) -> list[int]:
    return [line["returned_quantity"] for line in doc["lines"]]
