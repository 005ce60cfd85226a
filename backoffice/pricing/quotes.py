"""The values the price engine takes and gives: basket lines, prices, discounts, coupon results.

Frozen and free of behaviour; `backoffice.pricing.engine` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from backoffice.pricing.rules import Item, Promotion

#: The currency of a quote that has no lines to take one from.
DEFAULT_CURRENCY = "EUR"

#: What became of a coupon code passed to a quote.
CouponStatus = Literal["APPLIED", "UNKNOWN", "EXPIRED", "NOT_APPLICABLE"]


@dataclass(frozen=True, slots=True)
class Discount:
    """A promotion applied, with the amount it takes off (per unit, per line or per basket)."""

    promotion: Promotion
    amount: Decimal


@dataclass(frozen=True, slots=True)
class UnitPrice:
    """The price of `quantity` units: per unit (`amount`) and for all of them (`total`).

    `total` is what a basket of just this line costs (before ORDER rules); `amount` is the
    list amount less the line's discount divided by the quantity, rounded; `discounts` give
    each promotion's discount per unit. `valid_until` is the next promotion boundary.
    """

    item: Item
    currency: str
    quantity: int
    list_amount: Decimal
    amount: Decimal
    total: Decimal
    discounts: tuple[Discount, ...]
    valid_until: datetime | None


@dataclass(frozen=True, slots=True)
class BasketLine:
    """A basket line to price: the item, its unit list amount and the quantity."""

    item: Item
    list_amount: Decimal
    quantity: int


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A priced basket line; `total` is list amount × quantity less the line's discounts."""

    item: Item
    quantity: int
    unit_list_amount: Decimal
    discounts: tuple[Discount, ...]
    total: Decimal


@dataclass(frozen=True, slots=True)
class CouponResult:
    """A coupon code passed to a quote and what became of it."""

    code: str
    status: CouponStatus


@dataclass(frozen=True, slots=True)
class PricedBasket:
    """A priced basket; `promotions` sums each applied promotion's discount over the lines."""

    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    promotions: tuple[Discount, ...]
    coupons: tuple[CouponResult, ...] = ()
