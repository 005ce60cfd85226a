"""The operations of every back-office REST API, as OpenAPI 3.1 path items, one table per system.

They describe the routes of `backoffice/<system>/api.py` and the conventions of
`backoffice.rest`; a test compares them with the routes the apps really serve.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backoffice.openapi.schemas import STRING, Schema, array, record, ref
from backoffice.pim.service import MAX_PAGE_SIZE
from backoffice.rest import MAX_KEYS, plural

PathItem = dict[str, Any]
Parameter = dict[str, Any]

_ERROR = {"application/json": {"schema": ref("Error")}}


def _responses(ok: Schema, description: str, *, unknown_items: bool = False) -> dict[str, Any]:
    bad = (
        "A malformed request (INVALID_REQUEST), or one naming unknown items (UNKNOWN_ITEMS, "
        "with their `ids`)."
        if unknown_items
        else "A malformed request (INVALID_REQUEST)."
    )
    return {
        "200": {"description": description, "content": {"application/json": {"schema": ok}}},
        "400": {"description": bad, "content": _ERROR},
        "401": {
            "description": "The system is protected and the bearer token is missing or wrong.",
            "content": _ERROR,
        },
        "503": {
            "description": "The system's database failed (or a fault was injected).",
            "content": _ERROR,
        },
    }


def _items(item: str) -> Schema:
    return {
        "type": "object",
        "properties": {"items": array(ref(item))},
        "required": ["items"],
        "additionalProperties": False,
    }


def query(name: str, schema: Schema, description: str, *, required: bool = False) -> Parameter:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def _keys_param(name: str, description: str) -> Parameter:
    return {
        **query(name, {**array(STRING), "maxItems": MAX_KEYS}, description),
        "style": "form",
        "explode": True,
    }


def batch_read(
    *,
    resource: str,
    item: str,
    summary: str,
    description: str,
    keys: Sequence[tuple[str, str]],
    alternatives: bool = True,
    extra: Sequence[Parameter] = (),
) -> PathItem:
    """A batch read: GET with repeated key parameters, or POST with the lists in a JSON body.

    `keys` are the list parameters (each may move to the body); with `alternatives`, a
    request gives one of them, else it gives them together. `extra` are single values,
    which stay in the query string of a POST too.
    """
    ok = f"The {resource} found, in no particular order; unknown keys are absent."
    if len(keys) > 1:
        names = ", ".join(name for name, _ in keys)
        description += f" Give one of {names}." if alternatives else f" Give {names} together."
    get = {
        "operationId": f"get_{resource}",
        "summary": summary,
        "description": description,
        "parameters": [*(_keys_param(name, text) for name, text in keys), *extra],
        "responses": _responses(_items(item), ok),
    }
    body = {
        "type": "object",
        "properties": {
            plural(name): {**array(STRING), "maxItems": MAX_KEYS, "description": text}
            for name, text in keys
        },
        "additionalProperties": False,
    }
    post = {
        "operationId": f"post_{resource}",
        "summary": f"{summary} (long key lists)",
        "description": f"{description} The same read as the GET, with the lists in the body "
        "under their plural names (`id` -> `ids`); single values stay in the query string.",
        "parameters": list(extra),
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": _responses(_items(item), ok),
    }
    return {"get": get, "post": post}


def health(system: str) -> PathItem:
    return {
        "get": {
            "operationId": "get_health",
            "summary": f"Whether the {system} and its database answer",
            "security": [],
            "responses": {
                "200": {
                    "description": "The system answers.",
                    "content": {"application/json": {"schema": ref("Health")}},
                },
                "503": {
                    "description": "The database does not answer.",
                    "content": {"application/json": {"schema": ref("Health")}},
                },
            },
        }
    }


def _reservation_write(
    operation_id: str,
    summary: str,
    description: str,
    *,
    body: str | None = None,
    not_found: bool = False,
) -> dict[str, Any]:
    """A write to one reservation, keyed by the id in its path (so it may be sent again)."""
    responses = _responses(ref("Reservation"), "The reservation as it now stands.")
    responses["409"] = {
        "description": "INSUFFICIENT_STOCK (with `shortages`) or RESERVATION_CONFLICT.",
        "content": {"application/json": {"schema": ref("ReservationError")}},
    }
    if not_found:
        responses["404"] = {"description": "No reservation has this id.", "content": _ERROR}
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": "The reservation id the client chose, e.g. its checkout id.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 64},
            }
        ],
        "responses": dict(sorted(responses.items())),
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    return operation


PIM: dict[str, PathItem] = {
    "/pim/v1/products": batch_read(
        resource="products",
        item="Product",
        summary="Products by id or SKU",
        description="Whole product documents.",
        keys=[("id", "Product ids, e.g. p00001."), ("sku", "Product SKUs, e.g. P100001.")],
    ),
    "/pim/v1/products/search": {
        "get": {
            "operationId": "search_products",
            "summary": "One page of the products matching a free-text search and a category",
            "description": "Products matching every word of `q` (name, SKU, brand) and the "
            "category or any category below it, in SKU order. The page carries whole products.",
            "parameters": [
                query("q", STRING, "Words that must all occur in the product's text."),
                query("category_id", STRING, "A category; its subcategories match too."),
                query(
                    "complete_only",
                    {"type": "boolean", "default": False},
                    "Leave out products whose mandatory data is incomplete.",
                ),
                query(
                    "offset", {"type": "integer", "minimum": 0, "default": 0}, "Products to skip."
                ),
                query(
                    "limit",
                    {"type": "integer", "minimum": 0, "maximum": MAX_PAGE_SIZE, "default": 20},
                    "Products per page.",
                ),
            ],
            "responses": _responses(
                {
                    "type": "object",
                    "properties": {
                        "items": array(ref("Product")),
                        "total": {"type": "integer", "minimum": 0},
                    },
                    "required": ["items", "total"],
                    "additionalProperties": False,
                },
                "The page and the number of matches in all pages.",
            ),
        }
    },
    "/pim/v1/variants": batch_read(
        resource="variants",
        item="Variant",
        summary="Variants by id, SKU or GTIN",
        description="Variant documents with their attributes.",
        keys=[
            ("id", "Variant ids, e.g. v000001."),
            ("sku", "Variant SKUs, e.g. P100001-WHITE."),
            ("gtin", "GTIN-13s, e.g. 8712100000017."),
        ],
    ),
    "/pim/v1/categories": batch_read(
        resource="categories",
        item="Category",
        summary="Categories by id",
        description="Nodes of the category tree.",
        keys=[("id", "Category ids, e.g. c0201.")],
    ),
    "/pim/v1/health": health("PIM"),
}

_TIER = query("tier", STRING, "The customer's tier, e.g. GOLD, for tier promotions.")
_AT = query(
    "at",
    {"type": "string", "format": "date-time"},
    "The moment to price at (default: now), with its UTC offset.",
)

PRICING: dict[str, PathItem] = {
    "/pricing/v1/prices": batch_read(
        resource="prices",
        item="Price",
        summary="Unit prices of variants in a channel",
        description="The unit price of each variant when `quantity` units are bought, with "
        "the promotion applied; variants without a price in the channel are absent.",
        keys=[("variant_id", "Variant ids, e.g. v000001.")],
        extra=[
            query("channel", STRING, "The sales channel, e.g. WEB.", required=True),
            query("quantity", {"type": "integer", "minimum": 1, "default": 1}, "Units bought."),
            _TIER,
            _AT,
        ],
    ),
    "/pricing/v1/quotes": {
        "post": {
            "operationId": "post_quotes",
            "summary": "Price a basket",
            "description": "Prices every line with the promotions active at `at` (the "
            "policy is in backoffice/pricing/engine.py); lines of one variant count together. "
            "Cross-channel promotions also count the `history` lines within their period; "
            "coupon rules apply only with their code in `coupons`, each reported back. Fails "
            "with UNKNOWN_ITEMS when a variant has no price in the channel.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("QuoteRequest")}},
            },
            "responses": _responses(ref("Quote"), "The priced basket.", unknown_items=True),
        }
    },
    "/pricing/v1/promotions": {
        "get": {
            "operationId": "get_promotions",
            "summary": "Promotions running at a moment",
            "description": "The promotions running at `active_at`, by priority then id. A "
            "gateway asks for the cross-channel ones to know from when to fetch a customer's "
            "purchases (their earliest `starts_at`).",
            "parameters": [
                query(
                    "active_at",
                    {"type": "string", "format": "date-time"},
                    "The moment (default: now), with its UTC offset.",
                ),
                query(
                    "cross_channel",
                    {"type": "boolean"},
                    "true: only cross-channel promotions; false: only the others.",
                ),
            ],
            "responses": _responses(_items("Promotion"), "The promotions."),
        }
    },
    "/pricing/v1/health": health("price engine"),
}

INVENTORY: dict[str, PathItem] = {
    "/inventory/v1/locations": batch_read(
        resource="locations",
        item="Location",
        summary="Locations by id, or every location of some types",
        description="With `id`, the locations with these ids; without it, every location "
        "(of the types given, all types when none), ordered by code.",
        keys=[
            ("id", "Location ids, e.g. s01, dc1."),
            ("type", "Location types to list: STORE, DISTRIBUTION_CENTER, PARTNER."),
        ],
    ),
    "/inventory/v1/stock": batch_read(
        resource="stock",
        item="StockLevel",
        summary="Stock of variants at locations",
        description="Stock of each variant at each location, by variant and location id; a "
        "pair without stock is absent.",
        keys=[
            ("variant_id", "Variant ids, e.g. v000001."),
            ("location_id", "Location ids, e.g. s01."),
        ],
        alternatives=False,
    ),
    "/inventory/v1/reservations": batch_read(
        resource="reservations",
        item="Reservation",
        summary="Reservations by id",
        description="Reservations with their status and lines; a released unknown id reads as "
        "a RELEASED reservation without lines.",
        keys=[("id", "Reservation ids, as the client chose them.")],
    ),
    "/inventory/v1/reservations/{id}": {
        "put": _reservation_write(
            "reserve",
            "Reserve stock under an id (all lines or none)",
            "Takes every line's units in one transaction, or none: a short line fails the "
            "whole request with INSUFFICIENT_STOCK listing every short line. Idempotent by id: "
            "the same id with the same lines answers the existing reservation and takes "
            "nothing more; other lines, or an id already released, are RESERVATION_CONFLICT.",
            body="ReservationRequest",
        )
    },
    "/inventory/v1/reservations/{id}/release": {
        "post": _reservation_write(
            "release_reservation",
            "Release a reservation: its units go back to stock",
            "Idempotent: the units go back once. An unknown id is recorded as RELEASED, so "
            "that a reserve of it arriving later is refused and takes nothing. A committed "
            "reservation is RESERVATION_CONFLICT.",
        )
    },
    "/inventory/v1/reservations/{id}/commit": {
        "post": _reservation_write(
            "commit_reservation",
            "Commit a reservation to the order that now owns its units",
            "Idempotent for the same order; another order, or a released reservation, is "
            "RESERVATION_CONFLICT; an unknown id NOT_FOUND.",
            body="CommitRequest",
            not_found=True,
        )
    },
    "/inventory/v1/restocks/{reference}": {
        "put": {
            "operationId": "restock",
            "summary": "Put units (back) into stock, once per reference",
            "description": "Adds every line's units at its location in one transaction, "
            "creating the stock row of a variant the location held none of (a returned item "
            "that can be sold again goes back where it was received). Idempotent by "
            "reference: the same reference with the same lines answers the first restock and "
            "moves nothing; with other lines it is RESERVATION_CONFLICT. Unknown locations "
            "are UNKNOWN_ITEMS, and nothing moves.",
            "parameters": [
                {
                    "name": "reference",
                    "in": "path",
                    "required": True,
                    "description": "The caller's key of this restock, e.g. return:rt-7f3a.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("RestockRequest")}},
            },
            "responses": dict(
                sorted(
                    {
                        **_responses(
                            ref("Restock"),
                            "The restock (the first one, for a repeat).",
                            unknown_items=True,
                        ),
                        "409": {
                            "description": "The reference was restocked with other lines "
                            "(RESERVATION_CONFLICT).",
                            "content": {"application/json": {"schema": ref("ReservationError")}},
                        },
                    }.items()
                )
            ),
        }
    },
    "/inventory/v1/health": health("inventory"),
}


def _path_param(name: str, description: str) -> Parameter:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": STRING,
    }


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

ORDERS: dict[str, PathItem] = {
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


def _booking(operation_id: str, summary: str, description: str) -> PathItem:
    """A loyalty write: a `Booking` in, the `PointsEntry` out, keyed by the booking's reference."""
    responses = _responses(ref("PointsEntry"), "The entry (the first one, for a repeat).")
    responses["404"] = {
        "description": "The customer has no loyalty account (NO_ACCOUNT).",
        "content": _ERROR,
    }
    responses["409"] = {
        "description": "The reference was booked for another request (CONFLICT).",
        "content": _ERROR,
    }
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("Booking")}},
            },
            "responses": dict(sorted(responses.items())),
        }
    }


LOYALTY: dict[str, PathItem] = {
    "/loyalty/v1/accounts": batch_read(
        resource="accounts",
        item="Account",
        summary="Loyalty accounts by customer or by card",
        description="Accounts with their real-time points balance.",
        keys=[
            ("customer_id", "Customer ids, e.g. cu00001."),
            ("card_number", "Loyalty card numbers (13 digits)."),
        ],
    ),
    "/loyalty/v1/entries": batch_read(
        resource="entries",
        item="PointsEntry",
        summary="Points entries by reference",
        description="The entries booked under these references, so that a caller that lost "
        "an answer learns whether its booking happened.",
        keys=[("reference", "The callers' references, e.g. checkout:W-000042.")],
    ),
    "/loyalty/v1/entries/earn": _booking(
        "earn_points",
        "Earn points, once per reference",
        "Adds `points` to the customer's balance and books the entry, in one transaction. "
        "Booking a reference again answers the first entry and adds nothing.",
    ),
    "/loyalty/v1/entries/reverse": _booking(
        "reverse_points",
        "Take points back, once per reference",
        "Takes `points` back from the customer's balance, never below zero: what the "
        "balance cannot cover is the entry's `shortfall`. Booking a reference again answers "
        "the first entry and takes nothing.",
    ),
    "/loyalty/v1/health": health("loyalty system"),
}

#: The operations of each system, by system (the CRM's: `backoffice.openapi.crm`).
BY_SYSTEM: dict[str, dict[str, PathItem]] = {
    "pim": PIM,
    "pricing": PRICING,
    "inventory": INVENTORY,
    "orders": ORDERS,
    "loyalty": LOYALTY,
}
