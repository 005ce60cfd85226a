"""Canonical price and promotion records as the price engine leads them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from connectors.common import LocalizedText
from connectors.pickling import pickle_by_fields
from connectors.record import record

#: The rule kinds of the price engine (`backoffice.pricing.rules` describes each).
PromotionKind = Literal[
    "PERCENT", "AMOUNT_OFF", "FIXED_PRICE", "MULTI_BUY", "BUNDLE", "TIERED", "ORDER"
]
#: What became of a coupon code passed to a quote.
CouponStatus = Literal["APPLIED", "UNKNOWN", "EXPIRED", "NOT_APPLICABLE"]


@record
class AppliedPromotion:
    """A promotion applied to a price, with the discount it gives per unit (or per line in a quote)."""

    id: str
    name: LocalizedText
    description: LocalizedText
    discount: Decimal
    kind: PromotionKind | None = None


@record
class Price:
    """The price of a variant in one channel for one customer tier and quantity.

    `amount` is per unit; `total` is what that quantity costs together, exactly what a
    one-line basket quote gives when no ORDER rule applies (a 3-for-2 at 39.95: amount
    26.63, total 79.90). `valid_until` is the earliest moment the figure may change (a
    promotion ending or starting); caches must not keep the price past it.
    """

    variant_id: str
    currency: str
    list_amount: Decimal
    amount: Decimal
    promotions: tuple[AppliedPromotion, ...]
    valid_until: datetime | None
    total: Decimal | None = None


@record
class QuoteLineRequest:
    """A basket line to be priced."""

    variant_id: str
    quantity: int


@record
class PurchaseRecord:
    """A line of one of the customer's earlier orders, in any channel, for cross-channel promotions.

    The gateway fetches these from the OMS (one call) and passes them to `quote`; the price
    engine counts those within each cross-channel promotion's period.
    """

    order_id: str
    channel: str
    placed_at: datetime
    variant_id: str
    quantity: int


@record
class LineDiscount:
    """A promotion's discount allocated to one line, as an amount for the whole line.

    ORDER promotions appear on every line they were allocated to, with that line's share.
    """

    promotion_id: str
    name: LocalizedText
    amount: Decimal
    kind: PromotionKind | None = None


@record
class CouponResult:
    """A coupon code passed to a quote and what became of it (UNKNOWN, EXPIRED... are user errors)."""

    code: str
    status: CouponStatus


@record
class QuantityTier:
    """A step of a TIERED promotion: from `min_quantity` units on, `percent` % off."""

    min_quantity: int
    percent: Decimal


@record
class Promotion:
    """A promotion rule as the engine publishes it; a coupon's code is secret (`requires_coupon`)."""

    id: str
    kind: PromotionKind
    name: LocalizedText
    description: LocalizedText
    priority: int
    combinable: bool
    cross_channel: bool
    requires_coupon: bool
    channels: tuple[str, ...]
    tiers: tuple[str, ...] | None
    product_ids: tuple[str, ...] | None
    category_id: str | None
    brand: str | None
    bundle_ids: tuple[str, ...] | None
    percent: Decimal | None
    amount: Decimal | None
    buy_quantity: int | None
    pay_quantity: int | None
    quantity_tiers: tuple[QuantityTier, ...] | None
    min_subtotal: Decimal | None
    starts_at: datetime
    ends_at: datetime


@record
class QuotedLine:
    """A priced basket line; `total` is unit list amount × quantity less the line's discounts."""

    variant_id: str
    quantity: int
    unit_list_amount: Decimal
    discounts: tuple[LineDiscount, ...]
    total: Decimal


@record
class Quote:
    """A priced basket; amounts are rounded once, half up to the currency's minor unit."""

    currency: str
    lines: tuple[QuotedLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    promotions: tuple[AppliedPromotion, ...]
    coupons: tuple[CouponResult, ...] = ()


# Pickled in the shared cache as their fields (connectors.pickling).
pickle_by_fields(__name__)
