"""The OMS's document schemas in the OpenAPI documents: orders, returns, carts, sales."""

from __future__ import annotations

from backoffice.openapi.schemas import (
    BOOLEAN,
    CURRENCY,
    DATE,
    INTEGER,
    LOCALIZED_TEXT,
    MONEY,
    STRING,
    TEXT,
    TIMESTAMP,
    Schema,
    array,
    nullable,
    record,
    ref,
)


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

SCHEMAS: dict[str, Schema] = {
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
