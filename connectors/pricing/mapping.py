"""Turns the price engine's JSON documents into canonical price and quote records.

The documents are those of `backoffice.pricing.service` (its docstring shows one of each
kind); the embedded and the HTTP adapter both parse them here. A document that lacks a
field or has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from typing import Any

from connectors._documents import (
    array,
    contract,
    integer,
    localized,
    money,
    optional,
    string,
    timestamp,
)
from connectors.pricing.records import (
    AppliedPromotion,
    LineDiscount,
    Price,
    Quote,
    QuotedLine,
    QuoteLineRequest,
)

SOURCE = "pricing"


def to_price(doc: Any) -> Price:
    with contract(SOURCE, "price"):
        valid_until = doc["valid_until"]
        return Price(
            variant_id=string(doc["variant_id"]),
            currency=string(doc["currency"]),
            list_amount=money(doc["list_amount"]),
            amount=money(doc["amount"]),
            promotions=tuple(_applied(item) for item in array(doc["promotions"])),
            valid_until=optional(timestamp, valid_until),
        )


def to_quote(doc: Any) -> Quote:
    with contract(SOURCE, "quote"):
        return Quote(
            currency=string(doc["currency"]),
            lines=tuple(_quoted_line(item) for item in array(doc["lines"])),
            subtotal=money(doc["subtotal"]),
            discount_total=money(doc["discount_total"]),
            total=money(doc["total"]),
            promotions=tuple(_applied(item) for item in array(doc["promotions"])),
        )


def from_quote_line(line: QuoteLineRequest) -> dict[str, Any]:
    """A basket line as the price engine's quote request takes it."""
    return {"variant_id": line.variant_id, "quantity": line.quantity}


def _applied(doc: Any) -> AppliedPromotion:
    return AppliedPromotion(
        id=string(doc["id"]),
        name=localized(doc["name"]),
        description=localized(doc["description"]),
        discount=money(doc["discount"]),
    )


def _quoted_line(doc: Any) -> QuotedLine:
    return QuotedLine(
        variant_id=string(doc["variant_id"]),
        quantity=integer(doc["quantity"]),
        unit_list_amount=money(doc["unit_list_amount"]),
        discounts=tuple(
            LineDiscount(
                promotion_id=string(item["promotion_id"]),
                name=localized(item["name"]),
                amount=money(item["amount"]),
            )
            for item in array(doc["discounts"])
        ),
        total=money(doc["total"]),
    )
