"""JSON Schemas of the documents the back office's REST APIs serve.

The shared building blocks and the tables of the PIM, the price engine and loyalty; the
inventory, the OMS and the CRM have modules of their own.

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

_PRODUCT: dict[str, Schema] = {
    "id": STRING,
    "sku": STRING,
    "name": TEXT,
    "description": TEXT,
    "brand": nullable(STRING),
    "category_ids": array(STRING),
    "media": array(ref("Media")),
    "variant_ids": array(STRING),
    "complete": BOOLEAN,
}

PIM: dict[str, Schema] = {
    "LocalizedText": LOCALIZED_TEXT,
    "Product": record(
        "A product (style); `variant_ids` are ordered by position, `complete` is false while "
        "mandatory data is missing.",
        _PRODUCT,
    ),
    "ListedProduct": record(
        "A product as a search page lists it: a `Product` with its whole variants, in "
        "`variant_ids` order, so that a listing showing a variant's GTIN or size needs no "
        "second request, and its `cursor`: an opaque token encoding its place in the "
        "search's order, to pass as `after` for the products that follow it.",
        {**_PRODUCT, "variants": array(ref("Variant")), "cursor": STRING},
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
    "loyalty": LOYALTY,
}
