"""JSON Schemas of every document the back office's REST APIs serve, one table per system.

They describe the documents exactly as the services build them (see each
`backoffice/<system>/service.py` docstring): every field is required, `null` is spelt out
where a field may be null, and no other field may appear (`additionalProperties: false`),
so that a test validating real answers against them catches drift in either direction.
"""

from __future__ import annotations

from typing import Any

from backoffice.loyalty.service import (
    MAX_ORDER_NUMBER_LENGTH,
    MAX_POINTS,
    MAX_REASON_LENGTH,
    MAX_REFERENCE_LENGTH,
)

#: A JSON Schema (2020-12, the dialect of OpenAPI 3.1).
Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def record(description: str, properties: dict[str, Schema]) -> Schema:
    """An object with exactly these fields, all present."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def array(schema: Schema) -> Schema:
    return {"type": "array", "items": schema}


STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
TIMESTAMP: Schema = {
    "type": "string",
    "format": "date-time",
    "examples": ["2026-06-01T09:30:12+00:00"],
}
DATE: Schema = {"type": "string", "format": "date", "examples": ["2026-06-03"]}
MONEY: Schema = {
    "type": "string",
    "description": "An exact decimal amount, rounded half up to the currency's minor unit.",
    "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
    "examples": ["19.99"],
}
CURRENCY: Schema = {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["EUR"]}
TEXT = ref("LocalizedText")

LOCALIZED_TEXT: Schema = {
    "type": "object",
    "description": 'Text per locale, e.g. {"nl": "Laptoptas", "en": "Laptop bag"}.',
    "additionalProperties": STRING,
}

ERROR: Schema = {
    "type": "object",
    "description": "Every error answer; `ids` lists the unknown items of an UNKNOWN_ITEMS error.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "enum": [
                        "INVALID_REQUEST",
                        "UNKNOWN_ITEMS",
                        "UNAUTHORIZED",
                        "NOT_FOUND",
                        "METHOD_NOT_ALLOWED",
                        "CONFLICT",
                        "NO_ACCOUNT",
                        "VERSION_CONFLICT",
                        "CART_NOT_OPEN",
                        "CART_OWNED",
                        "WRONG_LOCATION",
                        "NOT_RETURNABLE",
                        "RETURN_NOT_OPEN",
                        "IDENTIFIER_TAKEN",
                        "VOUCHER_NOT_FOUND",
                        "VOUCHER_REDEEMED",
                        "VOUCHER_EXPIRED",
                        "VOUCHER_NOT_YOURS",
                        "UNAVAILABLE",
                        "INTERNAL",
                    ],
                },
                "message": STRING,
                "ids": array(STRING),
            },
            "required": ["code", "message"],
            "additionalProperties": False,
        }
    },
    "required": ["error"],
    "additionalProperties": False,
}

HEALTH: Schema = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "system": STRING,
        "reason": STRING,
    },
    "required": ["status", "system"],
    "additionalProperties": False,
}

COMMON: dict[str, Schema] = {"Error": ERROR, "Health": HEALTH}

PIM: dict[str, Schema] = {
    "LocalizedText": LOCALIZED_TEXT,
    "Product": record(
        "A product (style); `variant_ids` are ordered by position, `complete` is false while "
        "mandatory data is missing.",
        {
            "id": STRING,
            "sku": STRING,
            "name": TEXT,
            "description": TEXT,
            "brand": nullable(STRING),
            "category_ids": array(STRING),
            "media": array(ref("Media")),
            "variant_ids": array(STRING),
            "complete": BOOLEAN,
        },
    ),
    "Media": record("An image or video of a product.", {"url": STRING, "alt": TEXT}),
    "Variant": record(
        "A sellable variant (colour/size) of a product.",
        {
            "id": STRING,
            "sku": STRING,
            "gtin": nullable({"type": "string", "pattern": "^[0-9]{8,14}$"}),
            "product_id": STRING,
            "name": TEXT,
            "attributes": array(ref("Attribute")),
        },
    ),
    "Attribute": record(
        "A descriptive attribute such as colour or size.",
        {"code": STRING, "name": TEXT, "value": TEXT},
    ),
    "Category": record(
        "A node of the category tree.", {"id": STRING, "name": TEXT, "parent_id": nullable(STRING)}
    ),
}

PRICING: dict[str, Schema] = {
    "LocalizedText": LOCALIZED_TEXT,
    "Price": record(
        "The price of a variant when `quantity` units are bought in `channel`: `amount` per "
        "unit, `total` for all of them (what a one-line quote costs before ORDER rules); "
        "`promotions` give each discount per unit; `valid_until` is the earliest moment it "
        "may change.",
        {
            "variant_id": STRING,
            "channel": STRING,
            "quantity": INTEGER,
            "currency": CURRENCY,
            "list_amount": MONEY,
            "amount": MONEY,
            "total": MONEY,
            "promotions": array(ref("AppliedPromotion")),
            "valid_until": nullable(TIMESTAMP),
        },
    ),
    "AppliedPromotion": record(
        "A promotion applied to a price (discount per unit) or a quote (discount over the basket).",
        {
            "id": STRING,
            "name": TEXT,
            "description": TEXT,
            "kind": ref("PromotionKind"),
            "discount": MONEY,
        },
    ),
    "PromotionKind": {
        "type": "string",
        "enum": ["PERCENT", "AMOUNT_OFF", "FIXED_PRICE", "MULTI_BUY", "BUNDLE", "TIERED", "ORDER"],
    },
    "QuoteRequest": {
        "type": "object",
        "description": "A basket to price; `at` (default: now) must carry a UTC offset. "
        "`history` lists the customer's earlier purchases in every channel, which "
        "cross-channel promotions count within their period; `coupons` the codes entered.",
        "properties": {
            "lines": array(
                {
                    "type": "object",
                    "properties": {
                        "variant_id": STRING,
                        "quantity": {"type": "integer", "minimum": 1},
                    },
                    "required": ["variant_id", "quantity"],
                    "additionalProperties": False,
                }
            ),
            "channel": STRING,
            "customer_id": nullable(STRING),
            "tier": nullable(STRING),
            "at": nullable(TIMESTAMP),
            "history": {**array(ref("HistoryLine")), "maxItems": 500},
            "coupons": {**array(STRING), "maxItems": 10},
        },
        "required": ["lines", "channel"],
        "additionalProperties": False,
    },
    "HistoryLine": record(
        "A line of one of the customer's earlier orders, in any channel.",
        {
            "order_id": STRING,
            "channel": STRING,
            "placed_at": TIMESTAMP,
            "variant_id": STRING,
            "quantity": {"type": "integer", "minimum": 1},
        },
    ),
    "Quote": record(
        "A priced basket; line `discounts` are per line (shares of ORDER rules included), "
        "quote `promotions` sum them; `coupons` say what became of each code passed.",
        {
            "currency": CURRENCY,
            "lines": array(ref("QuotedLine")),
            "subtotal": MONEY,
            "discount_total": MONEY,
            "total": MONEY,
            "promotions": array(ref("AppliedPromotion")),
            "coupons": array(ref("CouponResult")),
        },
    ),
    "QuotedLine": record(
        "A priced basket line.",
        {
            "variant_id": STRING,
            "quantity": INTEGER,
            "unit_list_amount": MONEY,
            "discounts": array(ref("LineDiscount")),
            "total": MONEY,
        },
    ),
    "LineDiscount": record(
        "A promotion's discount on one line.",
        {"promotion_id": STRING, "name": TEXT, "kind": ref("PromotionKind"), "amount": MONEY},
    ),
    "CouponResult": record(
        "A coupon code passed to a quote: APPLIED (it took something off), UNKNOWN, EXPIRED, "
        "or NOT_APPLICABLE (running, but not for this basket, channel or customer).",
        {
            "code": STRING,
            "status": {
                "type": "string",
                "enum": ["APPLIED", "UNKNOWN", "EXPIRED", "NOT_APPLICABLE"],
            },
        },
    ),
    "Promotion": record(
        "A promotion rule; which fields a kind reads is in backoffice/pricing/rules.py. "
        "A coupon's code is not published, only that one is needed.",
        {
            "id": STRING,
            "kind": ref("PromotionKind"),
            "name": TEXT,
            "description": TEXT,
            "priority": INTEGER,
            "combinable": BOOLEAN,
            "cross_channel": BOOLEAN,
            "requires_coupon": BOOLEAN,
            "channels": array(STRING),
            "tiers": nullable(array(STRING)),
            "product_ids": nullable(array(STRING)),
            "category_id": nullable(STRING),
            "brand": nullable(STRING),
            "bundle_ids": nullable(array(STRING)),
            "percent": nullable(MONEY),
            "amount": nullable(MONEY),
            "buy_quantity": nullable(INTEGER),
            "pay_quantity": nullable(INTEGER),
            "quantity_tiers": nullable(
                array(
                    record(
                        "From `min_quantity` units on, `percent` % off.",
                        {"min_quantity": INTEGER, "percent": MONEY},
                    )
                )
            ),
            "min_subtotal": nullable(MONEY),
            "starts_at": TIMESTAMP,
            "ends_at": TIMESTAMP,
        },
    ),
}

INVENTORY: dict[str, Schema] = {
    "Location": record(
        "A store, distribution centre or partner warehouse; `footfall` is visitors per day.",
        {
            "id": STRING,
            "code": STRING,
            "name": STRING,
            "type": {"type": "string", "examples": ["STORE", "DISTRIBUTION_CENTER", "PARTNER"]},
            "address": nullable(ref("Address")),
            "geo": nullable(ref("GeoPoint")),
            "click_and_collect": BOOLEAN,
            "ship_from_store": BOOLEAN,
            "channels": array(STRING),
            "footfall": nullable(INTEGER),
        },
    ),
    "Address": record(
        "A postal address.",
        {
            "line1": STRING,
            "line2": nullable(STRING),
            "postal_code": STRING,
            "city": STRING,
            "country": STRING,
        },
    ),
    "GeoPoint": record("A WGS84 coordinate.", {"latitude": NUMBER, "longitude": NUMBER}),
    "StockLevel": record(
        "Units of one variant at one location; `as_of` is when the figure was read, "
        "`updated_at` when the stock last moved. A pair without stock is absent.",
        {
            "variant_id": STRING,
            "location_id": STRING,
            "quantity": INTEGER,
            "as_of": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    ),
    "Reservation": record(
        "Units taken from stock for a checkout: RESERVED, then COMMITTED to an order or "
        "RELEASED back to stock. A RELEASED reservation without lines is the release of an "
        "id that was never reserved, kept so that a late reserve of that id is refused.",
        {
            "id": STRING,
            "status": {"type": "string", "enum": ["RESERVED", "RELEASED", "COMMITTED"]},
            "reference": nullable(STRING),
            "order_id": nullable(STRING),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "lines": array(ref("ReservationLine")),
        },
    ),
    "ReservationLine": record(
        "Units of one variant at one location.",
        {
            "variant_id": STRING,
            "location_id": STRING,
            "quantity": {"type": "integer", "minimum": 1},
        },
    ),
    "ReservationRequest": {
        "type": "object",
        "description": "The lines to reserve, all or none; lines of one variant and location "
        "count together. `reference` is the caller's, e.g. its checkout id.",
        "properties": {
            "lines": {**array(ref("ReservationLine")), "minItems": 1},
            "reference": nullable({"type": "string", "maxLength": 64}),
        },
        "required": ["lines"],
        "additionalProperties": False,
    },
    "RestockRequest": record(
        "The units to put (back) into stock; lines of one variant and location count together.",
        {"lines": {**array(ref("ReservationLine")), "minItems": 1}},
    ),
    "Restock": record(
        "Units put (back) into stock under the caller's reference, once.",
        {"reference": STRING, "created_at": TIMESTAMP, "lines": array(ref("ReservationLine"))},
    ),
    "CommitRequest": record(
        "The order that now owns the reserved units.",
        {"order_id": {"type": "string", "maxLength": 64}},
    ),
    "Shortage": record(
        "A line that cannot be reserved: `available` units of the `requested`.",
        {"variant_id": STRING, "location_id": STRING, "requested": INTEGER, "available": INTEGER},
    ),
    "ReservationError": {
        "type": "object",
        "description": "A refused reservation: INSUFFICIENT_STOCK lists every short line in "
        "`shortages` (nothing was reserved); RESERVATION_CONFLICT means the id is taken by "
        "other lines, or the reservation cannot move that way.",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": ["INSUFFICIENT_STOCK", "RESERVATION_CONFLICT"],
                    },
                    "message": STRING,
                    "shortages": array(ref("Shortage")),
                },
                "required": ["code", "message"],
                "additionalProperties": False,
            }
        },
        "required": ["error"],
        "additionalProperties": False,
    },
}


def _input(description: str, required: dict[str, Schema], optional: dict[str, Schema]) -> Schema:
    """A request body: these fields (the optional ones may be left out) and no others."""
    return {
        "type": "object",
        "description": description,
        "properties": {**required, **optional},
        "required": list(required),
        "additionalProperties": False,
    }


_QUANTITY: Schema = {"type": "integer", "minimum": 1, "maximum": 9999}
_CART_LINE_INPUT = _input("Units of a variant.", {"variant_id": STRING, "quantity": _QUANTITY}, {})
_CHANNEL: Schema = {
    "type": "string",
    "enum": ["WEB", "APP", "STORE", "KIOSK", "SIGNAGE", "MARKETPLACE", "CALL_CENTER"],
}
_AMOUNT: Schema = {**MONEY, "pattern": "^[0-9]+(\\.[0-9]+)?$"}
_PAYMENT_METHOD: Schema = {
    "type": "string",
    "enum": ["CARD", "CASH", "GIFT_CARD", "VOUCHER", "MOBILE", "INVOICE"],
}
_EVENT_INPUT = _input(
    "An event to record in the order's history (the OMS dates it).",
    {"actor": STRING, "action": STRING},
    {"channel": nullable(_CHANNEL), "detail": nullable(STRING)},
)

ORDERS: dict[str, Schema] = {
    "LocalizedText": LOCALIZED_TEXT,
    "Order": record(
        "An order from any channel, whole: every computed amount is stored per line.",
        {
            "id": STRING,
            "number": STRING,
            "channel": STRING,
            "location_id": nullable(STRING),
            "customer_id": nullable(STRING),
            "status": STRING,
            "placed_at": TIMESTAMP,
            "currency": CURRENCY,
            "subtotal": MONEY,
            "discount_total": MONEY,
            "shipping": MONEY,
            "total": MONEY,
            "version": INTEGER,
            "cart_id": nullable(STRING),
            "routing": {
                "type": ["object", "null"],
                "description": "Why the gateway routed the order where it did (chosen "
                "location, score, reasons), as it computed it; null if not routed.",
            },
            "lines": array(ref("OrderLine")),
            "payments": array(ref("Payment")),
            "fulfillments": array(ref("Fulfillment")),
            "history": array(ref("HistoryEvent")),
        },
    ),
    "OrderLine": record(
        "An order line with its list price, allocated discounts, tax and paid total.",
        {
            "id": STRING,
            "position": INTEGER,
            "variant_id": nullable(STRING),
            "sku": STRING,
            "quantity": INTEGER,
            "unit_list_amount": MONEY,
            "discounts": array(ref("LineDiscount")),
            "tax": MONEY,
            "total": MONEY,
            "returned_quantity": INTEGER,
        },
    ),
    "LineDiscount": record(
        "A discount allocated to a line.", {"promotion_id": STRING, "name": TEXT, "amount": MONEY}
    ),
    "Payment": record("A payment of an order.", {"method": STRING, "amount": MONEY}),
    "Fulfillment": record(
        "A shipment or pickup of an order.",
        {
            "id": STRING,
            "type": STRING,
            "location_id": nullable(STRING),
            "status": STRING,
            "delivery_date": nullable(DATE),
        },
    ),
    "HistoryEvent": record(
        "A step in the order's life.",
        {
            "at": TIMESTAMP,
            "actor": STRING,
            "channel": nullable(STRING),
            "action": STRING,
            "detail": nullable(STRING),
        },
    ),
    "OrderInput": _input(
        "An order as the gateway computed it; the OMS adds number, placed_at, status, "
        "version and line ids. Amounts must add up to the cent.",
        {
            "id": STRING,
            "channel": _CHANNEL,
            "currency": CURRENCY,
            "lines": {**array(ref("OrderLineInput")), "minItems": 1},
            "subtotal": _AMOUNT,
            "discount_total": _AMOUNT,
            "shipping": _AMOUNT,
            "total": _AMOUNT,
        },
        {
            "location_id": nullable(STRING),
            "customer_id": nullable(STRING),
            "cart_id": nullable(STRING),
            "payments": array(
                _input(
                    "A payment.",
                    {"method": _PAYMENT_METHOD, "amount": _AMOUNT},
                    {},
                )
            ),
            "fulfillments": array(
                _input(
                    "A fulfilment; the OMS gives it an id if it has none (ids are unique "
                    "across orders), and status PENDING by default.",
                    {
                        "type": {
                            "type": "string",
                            "enum": [
                                "SHIP_TO_HOME",
                                "CLICK_AND_COLLECT",
                                "SHIP_FROM_STORE",
                                "CARRY_OUT",
                            ],
                        }
                    },
                    {
                        "id": STRING,
                        "location_id": nullable(STRING),
                        "status": STRING,
                        "delivery_date": nullable(DATE),
                    },
                )
            ),
            "routing": {"type": ["object", "null"]},
            "history": {
                **array(_EVENT_INPUT),
                "description": "Events to record at placed_at; without any, the OMS records "
                "PLACED.",
            },
        },
    ),
    "OrderLineInput": _input(
        "A line with every amount computed at order time.",
        {
            "sku": STRING,
            "quantity": _QUANTITY,
            "unit_list_amount": _AMOUNT,
            "tax": _AMOUNT,
            "total": _AMOUNT,
        },
        {
            "variant_id": nullable(STRING),
            "discounts": array(
                _input(
                    "A discount allocated to the line.",
                    {"promotion_id": STRING, "name": TEXT, "amount": _AMOUNT},
                    {},
                )
            ),
        },
    ),
    "Confirmation": _input(
        "Who confirms a fulfilment, and where.",
        {"location_id": STRING, "actor": STRING},
        {"channel": nullable(_CHANNEL)},
    ),
    "DeliveryDateChange": _input(
        "A new delivery date and the order version it was decided on.",
        {"date": DATE, "expected_version": {"type": "integer", "minimum": 1}, "actor": STRING},
        {"channel": nullable(_CHANNEL)},
    ),
    "Purchase": record(
        "Units of a variant a customer bought in one order, net of returns.",
        {
            "customer_id": STRING,
            "order_id": STRING,
            "channel": STRING,
            "placed_at": TIMESTAMP,
            "variant_id": STRING,
            "quantity": {"type": "integer", "minimum": 1},
        },
    ),
    "Cart": record(
        "A server-side cart: OPEN, MERGED (into `merged_into`) or ORDERED (as `order_id`).",
        {
            "id": STRING,
            "channel": STRING,
            "customer_id": nullable(STRING),
            "location_id": nullable(STRING),
            "status": {"type": "string", "enum": ["OPEN", "MERGED", "ORDERED"]},
            "merged_into": nullable(STRING),
            "order_id": nullable(STRING),
            "version": INTEGER,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "lines": array(ref("CartLine")),
        },
    ),
    "CartLine": record(
        "Units of one variant in a cart.",
        {"id": STRING, "variant_id": STRING, "quantity": INTEGER},
    ),
    "CartInput": _input(
        "A new cart.",
        {"channel": _CHANNEL},
        {
            "customer_id": nullable(STRING),
            "location_id": nullable(STRING),
            "lines": array(_CART_LINE_INPUT),
        },
    ),
    "CartChange": _input(
        "Changes to a cart's lines, applied as one change.",
        {},
        {
            "add": array(_CART_LINE_INPUT),
            "set": array(
                _input(
                    "A variant's new quantity; 0 removes it.",
                    {"variant_id": STRING, "quantity": {**_QUANTITY, "minimum": 0}},
                    {},
                )
            ),
            "remove": array(STRING),
            "expected_version": {"type": "integer", "minimum": 1},
        },
    ),
    "Return": record(
        "A return of order lines: REGISTERED (`refund` is what it will pay), REFUNDED (the "
        "goods arrived: `received_*`, `resellable`) or REJECTED; `refund` is null for a "
        "return without one.",
        {
            "id": STRING,
            "order_id": STRING,
            "channel": STRING,
            "status": {"type": "string", "examples": ["REGISTERED", "REFUNDED", "REJECTED"]},
            "destination_location_id": nullable(STRING),
            "created_at": TIMESTAMP,
            "lines": array(ref("ReturnLine")),
            "refund": nullable(ref("Refund")),
            "routing": {
                "type": ["object", "null"],
                "description": "Why the gateway sent the goods to the destination, as it "
                "computed it; null if it did not route the return.",
            },
            "received_location_id": nullable(STRING),
            "received_at": nullable(TIMESTAMP),
            "resellable": nullable(BOOLEAN),
        },
    ),
    "ReturnInput": _input(
        "A return as the gateway decided it; the OMS adds status REGISTERED and created_at. "
        "`history` is recorded at that moment (without any, one RETURN_REGISTERED event).",
        {
            "id": STRING,
            "order_id": STRING,
            "expected_order_version": {"type": "integer", "minimum": 1},
            "channel": {"type": "string", "enum": ["STORE", "MAIL"]},
            "lines": {
                **array(
                    _input(
                        "Units of an order line to return.",
                        {"order_line_id": STRING, "quantity": _QUANTITY},
                        {"reason": nullable(STRING)},
                    )
                ),
                "minItems": 1,
            },
            "refund": _input(
                "What the return will pay; `breakdown` adds up to `amount` (return costs "
                "negative).",
                {
                    "amount": _AMOUNT,
                    "currency": CURRENCY,
                    "method": _PAYMENT_METHOD,
                    "breakdown": array(
                        _input("A part of the refund.", {"kind": STRING, "amount": MONEY}, {})
                    ),
                    "loyalty_points_reversed": {"type": "integer", "minimum": 0},
                },
                {},
            ),
        },
        {
            "destination_location_id": nullable(STRING),
            "routing": {"type": ["object", "null"]},
            "history": array(_EVENT_INPUT),
        },
    ),
    "ReturnReceipt": _input(
        "Where a return's goods arrived, in what condition, and who received them.",
        {"location_id": STRING, "resellable": BOOLEAN, "actor": STRING},
        {"channel": nullable(_CHANNEL)},
    ),
    "Sale": record(
        "Units of a variant sold at a location since a moment, net of returns.",
        {
            "variant_id": STRING,
            "location_id": STRING,
            "quantity": {"type": "integer", "minimum": 1},
        },
    ),
    "ReturnLine": record(
        "Units of one order line returned.",
        {"order_line_id": STRING, "quantity": INTEGER, "reason": nullable(STRING)},
    ),
    "Refund": record(
        "What was refunded, how, and the loyalty points taken back.",
        {
            "amount": MONEY,
            "currency": CURRENCY,
            "method": STRING,
            "breakdown": array(record("A part of the refund.", {"kind": STRING, "amount": MONEY})),
            "loyalty_points_reversed": INTEGER,
        },
    ),
}

LOYALTY: dict[str, Schema] = {
    "Account": record(
        "A customer's loyalty card and real-time points balance.",
        {"customer_id": STRING, "card_number": STRING, "points": INTEGER},
    ),
    "PointsEntry": record(
        "Points booked on a card under the caller's reference. `points` is what the entry "
        "moved the balance by (minus what a reversal took), `balance` the balance right "
        "after it, and `shortfall` what a reversal asked for beyond the balance it found.",
        {
            "reference": STRING,
            "customer_id": STRING,
            "card_number": STRING,
            "points": INTEGER,
            "reason": STRING,
            "order_number": nullable(STRING),
            "at": TIMESTAMP,
            "balance": {"type": "integer", "minimum": 0},
            "shortfall": {"type": "integer", "minimum": 0},
        },
    ),
    "Booking": {
        "type": "object",
        "description": "Points to earn or to take back, once per `reference`.",
        "properties": {
            "customer_id": {**STRING, "minLength": 1, "maxLength": MAX_REFERENCE_LENGTH},
            "points": {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
            "reference": {
                **STRING,
                "minLength": 1,
                "maxLength": MAX_REFERENCE_LENGTH,
                "description": "The caller's key of this booking, e.g. checkout:W-000042; "
                "booking it again answers the first entry and moves nothing.",
            },
            "reason": {
                **nullable({**STRING, "minLength": 1, "maxLength": MAX_REASON_LENGTH}),
                "description": "Why; EARN or RETURN when absent.",
            },
            "order_number": nullable(
                {**STRING, "minLength": 1, "maxLength": MAX_ORDER_NUMBER_LENGTH}
            ),
        },
        "required": ["customer_id", "points", "reference"],
        "additionalProperties": False,
    },
}

#: The document schemas of each system, by system (the CRM's: `backoffice.openapi.crm`).
BY_SYSTEM: dict[str, dict[str, Schema]] = {
    "pim": PIM,
    "pricing": PRICING,
    "inventory": INVENTORY,
    "orders": ORDERS,
    "loyalty": LOYALTY,
}
