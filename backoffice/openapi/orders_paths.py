"""The OMS's operations in the OpenAPI documents: orders, returns, carts and sales."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backoffice.openapi.paths import (
    _ERROR,
    Parameter,
    PathItem,
    _items,
    _keys_param,
    _path_param,
    _responses,
    batch_read,
    health,
    query,
)
from backoffice.openapi.schemas import STRING, Schema, record, ref


def _oms_write(
    operation_id: str,
    *,
    summary: str,
    description: str,
    body: Schema,
    ok: Schema,
    params: Sequence[Parameter],
    refusals: dict[str, str],
) -> dict[str, Any]:
    """A write of the OMS: a JSON body in, the document written out, refusals as 404/409."""
    responses = _responses(ok, "The document as written (or as it was, for a repeated write).")
    responses["400"]["description"] = (
        "A malformed request, or one the OMS's rules refuse (INVALID_REQUEST); "
        "UNKNOWN_ITEMS when it names an unknown cart."
    )
    for status, text in refusals.items():
        responses[status] = {"description": text, "content": _ERROR}
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "parameters": list(params),
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": dict(sorted(responses.items())),
    }


_ORDER_ID = _path_param("id", "The order's id.")
_FULFILLMENT_ID = _path_param("fulfillment_id", "The fulfilment's id.")
_CART_ID = _path_param("id", "The cart's id.")
_NO_ORDER = "No such order or fulfilment (NOT_FOUND)."
_NO_CART = "No such cart (NOT_FOUND)."

PATHS: dict[str, PathItem] = {
    "/orders/v1/orders": batch_read(
        resource="orders",
        item="Order",
        summary="Orders by id, by number, or by customer",
        description="Whole orders: lines with discounts, payments, fulfilments, history. By "
        "customer, newest first, optionally from one `channel`.",
        keys=[
            ("id", "Order ids, e.g. o000001."),
            ("number", "Order numbers as printed on receipts, e.g. W-000001."),
            ("customer_id", "Customer ids, e.g. cu00001."),
        ],
        extra=[query("channel", STRING, "With customer_id only: orders from this channel.")],
    ),
    "/orders/v1/orders/{id}": {
        "put": _oms_write(
            "put_order",
            summary="Place an order the gateway computed (idempotent by id)",
            description="The OMS checks that the amounts add up to the cent (line total = "
            "list amount × quantity less its discounts; subtotal, discount_total, total = "
            "line totals + shipping, and the payments, if any, = total), assigns the number "
            "(per channel and year, e.g. WEB-2026-000124), placed_at, status PLACED, version "
            "1 and line ids, and marks the cart ORDERED. Placing the same id again answers "
            "the order placed first, unchanged.",
            body=ref("OrderInput"),
            ok=ref("Order"),
            params=[_ORDER_ID],
            refusals={
                "409": "The cart was merged or ordered (CART_NOT_OPEN) or is another "
                "customer's (CART_OWNED)."
            },
        )
    },
    "/orders/v1/orders/{id}/fulfillments/{fulfillment_id}/confirm": {
        "post": _oms_write(
            "confirm_fulfillment",
            summary="The location a fulfilment was routed to confirms it",
            description="PENDING -> CONFIRMED, with a history event and version + 1; the "
            "order becomes CONFIRMED once none of its fulfilments is PENDING. Confirming "
            "again answers the order unchanged.",
            body=ref("Confirmation"),
            ok=ref("Order"),
            params=[_ORDER_ID, _FULFILLMENT_ID],
            refusals={
                "404": _NO_ORDER,
                "409": "The fulfilment was routed elsewhere (WRONG_LOCATION), or the order "
                "was cancelled (CONFLICT).",
            },
        )
    },
    "/orders/v1/orders/{id}/fulfillments/{fulfillment_id}/delivery-date": {
        "post": _oms_write(
            "change_delivery_date",
            summary="Move a fulfilment's delivery date, at the version the caller read",
            description="Written only if the order is still at `expected_version`, with a "
            "history event and version + 1: of two concurrent agents exactly one wins.",
            body=ref("DeliveryDateChange"),
            ok=ref("Order"),
            params=[_ORDER_ID, _FULFILLMENT_ID],
            refusals={
                "404": _NO_ORDER,
                "409": "The order changed since it was read (VERSION_CONFLICT), or it is "
                "closed or delivered (CONFLICT).",
            },
        )
    },
    "/orders/v1/purchases": batch_read(
        resource="purchases",
        item="Purchase",
        summary="What customers bought in every channel since a moment",
        description="One item per order line from `since` (until `until`, excluded), "
        "quantity net of returns; cancelled orders are left out. For cross-channel "
        "promotions.",
        keys=[("customer_id", "Customer ids, e.g. cu00001.")],
        extra=[
            query(
                "since",
                {"type": "string", "format": "date-time"},
                "From this moment, with its UTC offset.",
                required=True,
            ),
            query(
                "until",
                {"type": "string", "format": "date-time"},
                "Before this moment, with its UTC offset.",
            ),
        ],
    ),
    "/orders/v1/carts": {
        "get": {
            "operationId": "get_carts",
            "summary": "Carts by id, or the open cart of customers",
            "description": "By `id`, the carts whatever their status; by `customer_id` with "
            "`status=OPEN`, each customer's most recently changed OPEN cart. Unknown keys "
            "are absent. (No POST form: a POST creates a cart.)",
            "parameters": [
                _keys_param("id", "Cart ids."),
                _keys_param("customer_id", "Customer ids, e.g. cu00001."),
                query("status", {"type": "string", "enum": ["OPEN"]}, "With customer_id: OPEN."),
            ],
            "responses": _responses(_items("Cart"), "The carts found."),
        },
        "post": _oms_write(
            "create_cart",
            summary="Create a cart",
            description="A new OPEN cart at version 1 with a random id; lines of one variant "
            "merge into one line.",
            body=ref("CartInput"),
            ok=ref("Cart"),
            params=[],
            refusals={},
        ),
    },
    "/orders/v1/carts/{id}/lines": {
        "post": _oms_write(
            "change_cart_lines",
            summary="Add, set and remove cart lines, as one change",
            description="`add` adds units to the variant's line (or a new one), `set` sets a "
            "variant's quantity (0 removes it), `remove` drops lines by id; applied in that "
            "order, version + 1 if anything changed. The OMS checks neither stock nor "
            "ownership: the gateway does.",
            body=ref("CartChange"),
            ok=ref("Cart"),
            params=[_CART_ID],
            refusals={
                "404": _NO_CART,
                "409": "The cart changed since `expected_version` (VERSION_CONFLICT), or "
                "was merged or ordered (CART_NOT_OPEN).",
            },
        )
    },
    "/orders/v1/carts/{id}/customer": {
        "post": _oms_write(
            "attach_customer",
            summary="Give a cart to a customer, merging it into their open cart",
            description="With an OPEN cart of the customer already, this cart's quantities "
            "are added to it per variant, this cart becomes MERGED (`merged_into`) and the "
            "customer's cart is answered; otherwise this cart gets the customer. Attaching "
            "again answers the same cart.",
            body=record("The customer to attach the cart to.", {"customer_id": STRING}),
            ok=ref("Cart"),
            params=[_CART_ID],
            refusals={
                "404": _NO_CART,
                "409": "The cart is another customer's (CART_OWNED), or was ordered "
                "(CART_NOT_OPEN).",
            },
        )
    },
    "/orders/v1/returns": batch_read(
        resource="returns",
        item="Return",
        summary="Returns by id or by order",
        description="Returns with their lines and refund; by order, oldest first.",
        keys=[("id", "Return ids, e.g. r000001."), ("order_id", "Order ids, e.g. o000001.")],
    ),
    "/orders/v1/returns/{id}": {
        "put": _oms_write(
            "put_return",
            summary="Register a return the gateway decided (idempotent by id)",
            description="Written only if the order is still at `expected_order_version` and "
            "every line has its units left to return: the return is REGISTERED with the "
            "refund it will pay, the lines' returned quantities grow, the order becomes "
            "PARTIALLY_RETURNED or RETURNED (every line returned in full), version + 1, and "
            "`history` is recorded (without any, one RETURN_REGISTERED event). Registering "
            "the same id again answers the first return, unchanged.",
            body=ref("ReturnInput"),
            ok=ref("Return"),
            params=[_path_param("id", "The return's id, chosen by the gateway.")],
            refusals={
                "404": "No such order, or the order has no such line (NOT_FOUND).",
                "409": "The order changed since it was read (VERSION_CONFLICT), a line has "
                "fewer units left to return or the order was cancelled (NOT_RETURNABLE), or "
                "the id was registered for other lines (CONFLICT).",
            },
        )
    },
    "/orders/v1/returns/{id}/receive": {
        "post": _oms_write(
            "receive_return",
            summary="The goods of a return arrived at a location, and the refund was paid",
            description="REGISTERED -> REFUNDED: the location, the OMS's now as received_at "
            "and the goods' condition are stored, RETURN_RECEIVED and REFUNDED are added to "
            "the order's history, version + 1. The same receipt again answers the return "
            "unchanged.",
            body=ref("ReturnReceipt"),
            ok=ref("Return"),
            params=[_path_param("id", "The return's id.")],
            refusals={
                "404": "No such return (NOT_FOUND).",
                "409": "The return was received with another receipt, or rejected "
                "(RETURN_NOT_OPEN).",
            },
        )
    },
    "/orders/v1/sales": batch_read(
        resource="sales",
        item="Sale",
        summary="Units of variants sold per location since a moment",
        description="One item per variant and location: the units in orders placed since "
        "`since` at that location (the order's `location_id`), net of returns. Orders "
        "without a location and cancelled orders are left out, and so are pairs without "
        "net sales. For deciding where a returned item sells.",
        keys=[("variant_id", "Variant ids, e.g. v000001.")],
        extra=[
            query(
                "since",
                {"type": "string", "format": "date-time"},
                "From this moment, with its UTC offset.",
                required=True,
            )
        ],
    ),
    "/orders/v1/health": health("OMS"),
}
