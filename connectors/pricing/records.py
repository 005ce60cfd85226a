"""Canonical price and promotion records as the price engine leads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from connectors.common import LocalizedText


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    """A promotion applied to a price, with the discount it gives per unit (or per line in a quote)."""

    id: str
    name: LocalizedText
    description: LocalizedText
    discount: Decimal


@dataclass(frozen=True, slots=True)
class Price:
    """The unit price of a variant in one channel for one customer tier and quantity.

    `valid_until` is the earliest moment the figure may change (a promotion ending or
    starting); caches must not keep the price past it.
    """

    variant_id: str
    currency: str
    list_amount: Decimal
    amount: Decimal
    promotions: tuple[AppliedPromotion, ...]
    valid_until: datetime | None


@dataclass(frozen=True, slots=True)
class QuoteLineRequest:
    """A basket line to be priced."""

    variant_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class LineDiscount:
    """A promotion's discount allocated to one line, as an amount for the whole line."""

    promotion_id: str
    name: LocalizedText
    amount: Decimal


@dataclass(frozen=True, slots=True)
class QuotedLine:
    """A priced basket line; `total` is unit list amount × quantity less the line's discounts."""

    variant_id: str
    quantity: int
    unit_list_amount: Decimal
    discounts: tuple[LineDiscount, ...]
    total: Decimal


@dataclass(frozen=True, slots=True)
class Quote:
    """A priced basket; amounts are rounded once, half up to the currency's minor unit."""

    currency: str
    lines: tuple[QuotedLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    promotions: tuple[AppliedPromotion, ...]
