"""Turns the price engine's JSON documents into canonical records, and requests into documents.

The documents are those of `backoffice.pricing.service` (its docstring shows one of each
kind); the embedded and the HTTP adapter both parse them here. A document that lacks a
field or has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from typing import Any, get_args

from connectors._documents import (
    array,
    boolean,
    contract,
    integer,
    localized,
    money,
    one_of,
    optional,
    string,
    timestamp,
)
from connectors.pricing.records import (
    AppliedPromotion,
    CouponResult,
    CouponStatus,
    LineDiscount,
    Price,
    Promotion,
    PromotionKind,
    PurchaseRecord,
    QuantityTier,
    Quote,
    QuotedLine,
    QuoteLineRequest,
)

SOURCE = "pricing"

_KINDS: tuple[PromotionKind, ...] = get_args(PromotionKind)
_STATUSES: tuple[CouponStatus, ...] = get_args(CouponStatus)


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
            total=money(doc["total"]),
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
            coupons=tuple(
                CouponResult(
                    code=string(item["code"]),
                    status=one_of(item["status"], _STATUSES, "coupon status"),
                )
                for item in array(doc["coupons"])
            ),
        )


def to_promotion(doc: Any) -> Promotion:
    with contract(SOURCE, "promotion"):
        return Promotion(
            id=string(doc["id"]),
            kind=_kind(doc["kind"]),
            name=localized(doc["name"]),
            description=localized(doc["description"]),
            priority=integer(doc["priority"]),
            combinable=boolean(doc["combinable"]),
            cross_channel=boolean(doc["cross_channel"]),
            requires_coupon=boolean(doc["requires_coupon"]),
            channels=_strings(doc["channels"]),
            tiers=optional(_strings, doc["tiers"]),
            product_ids=optional(_strings, doc["product_ids"]),
            category_id=optional(string, doc["category_id"]),
            brand=optional(string, doc["brand"]),
            bundle_ids=optional(_strings, doc["bundle_ids"]),
            percent=optional(money, doc["percent"]),
            amount=optional(money, doc["amount"]),
            buy_quantity=optional(integer, doc["buy_quantity"]),
            pay_quantity=optional(integer, doc["pay_quantity"]),
            quantity_tiers=optional(_tiers, doc["quantity_tiers"]),
            min_subtotal=optional(money, doc["min_subtotal"]),
            starts_at=timestamp(doc["starts_at"]),
            ends_at=timestamp(doc["ends_at"]),
        )


def from_quote_line(line: QuoteLineRequest) -> dict[str, Any]:
    """A basket line as the price engine's quote request takes it."""
    return {"variant_id": line.variant_id, "quantity": line.quantity}


def from_purchase(purchase: PurchaseRecord) -> dict[str, Any]:
    """An earlier purchase as the price engine's quote request takes it (`history`)."""
    return {
        "order_id": purchase.order_id,
        "channel": purchase.channel,
        "placed_at": purchase.placed_at.isoformat(),
        "variant_id": purchase.variant_id,
        "quantity": purchase.quantity,
    }


def _kind(value: object) -> PromotionKind:
    return one_of(value, _KINDS, "promotion kind")


def _strings(value: object) -> tuple[str, ...]:
    return tuple(string(item) for item in array(value))


def _tiers(value: object) -> tuple[QuantityTier, ...]:
    return tuple(
        QuantityTier(integer(item["min_quantity"], minimum=1), money(item["percent"]))
        for item in array(value)
    )


def _applied(doc: Any) -> AppliedPromotion:
    return AppliedPromotion(
        id=string(doc["id"]),
        name=localized(doc["name"]),
        description=localized(doc["description"]),
        discount=money(doc["discount"]),
        kind=_kind(doc["kind"]),
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
                kind=_kind(item["kind"]),
            )
            for item in array(doc["discounts"])
        ),
        total=money(doc["total"]),
    )
