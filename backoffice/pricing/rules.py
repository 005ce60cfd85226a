"""Promotion rules as data: the frozen values the engine evaluates, and their validation.

A rule is one row of `price_promotion`; every kind is a handful of fields, so a new
promotion is data, not code. The kinds and the fields each one reads:

==============  ==============================================================================
PERCENT         `percent` % off every targeted unit
AMOUNT_OFF      `amount` off every targeted unit (never below zero)
FIXED_PRICE     every targeted unit costs `amount` (when that is lower than the price so far)
MULTI_BUY       buy `buy_quantity`, pay `pay_quantity`: the cheapest units of the group go free
BUNDLE          one unit of each `bundle_ids` entry (a variant or product id) bought together
                costs `amount` for the set, or gets `percent` % off the set
TIERED          `quantity_tiers`: the targeted units bought together reach a tier, whose
                `percent` applies to all of them (e.g. 3+ units 10 %, 6+ units 20 %)
ORDER           `percent` % or `amount` off the basket once the lines it targets come to
                `min_subtotal` after their line discounts
==============  ==============================================================================

Any rule may need a `coupon_code` (applied only when the quote passes that code), and may
be `cross_channel` (MULTI_BUY and TIERED then count the customer's purchases in every
channel within the promotion's period). `priority` and `combinable` say how rules meet;
`backoffice.pricing.engine` states that policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import Literal, get_args

PromotionKind = Literal[
    "PERCENT", "AMOUNT_OFF", "FIXED_PRICE", "MULTI_BUY", "BUNDLE", "TIERED", "ORDER"
]
#: Every kind, in the order the documentation lists them.
KINDS: tuple[PromotionKind, ...] = get_args(PromotionKind)
#: Kinds that count units, and so can count the customer's earlier purchases too.
COUNTING_KINDS = frozenset({"MULTI_BUY", "TIERED"})

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def coupon_key(code: str) -> str:
    """Coupon codes compare without case or surrounding blanks: "welcome10 " is WELCOME10."""
    return code.strip().upper()


@dataclass(frozen=True, slots=True)
class Item:
    """What a promotion can target a variant by: the price engine's copy of the item master.

    A category promotion matches `category_ids` as listed, so the copy lists a variant's
    ancestor categories too when a promotion on a parent category should reach it.
    """

    variant_id: str
    product_id: str | None = None
    brand: str | None = None
    category_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class QuantityTier:
    """A step of a TIERED promotion: from `min_quantity` units on, `percent` % off."""

    min_quantity: int
    percent: Decimal


@dataclass(frozen=True, slots=True)
class Purchase:
    """A unit count the customer bought earlier (any channel), for cross-channel promotions."""

    item: Item
    quantity: int
    placed_at: datetime
    channel: str


@dataclass(frozen=True, slots=True)
class Promotion:
    """A promotion rule, active from `starts_at` (inclusive) until `ends_at` (exclusive).

    Targeting: `product_ids`, `category_id` and `brand` each widen the promotion (a variant
    matching any of them is targeted); with none of the three set it targets everything.
    An empty `product_ids` list is "set" and matches no product, so a half-edited promotion
    never discounts the whole assortment. A BUNDLE targets its `bundle_ids` instead.
    `tiers` None means every customer tier.
    """

    id: str
    kind: PromotionKind
    starts_at: datetime
    ends_at: datetime
    channels: frozenset[str]
    name: Mapping[str, str]
    description: Mapping[str, str]
    percent: Decimal | None = None
    amount: Decimal | None = None
    buy_quantity: int | None = None
    pay_quantity: int | None = None
    quantity_tiers: tuple[QuantityTier, ...] = ()
    bundle_ids: tuple[str, ...] = ()
    min_subtotal: Decimal | None = None
    product_ids: frozenset[str] | None = None
    category_id: str | None = None
    brand: str | None = None
    tiers: frozenset[str] | None = None
    coupon_code: str | None = None
    priority: int = 0
    combinable: bool = False
    cross_channel: bool = False

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem:
            raise ValueError(f"promotion {self.id}: {problem}")

    @property
    def order_level(self) -> bool:
        return self.kind == "ORDER"

    def is_active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def reaches(self, *, channel: str, tier: str | None) -> bool:
        """Whether the promotion runs in this channel for this customer tier."""
        return channel in self.channels and (self.tiers is None or tier in self.tiers)

    def unlocked(self, coupons: frozenset[str]) -> bool:
        """A rule without a coupon is always on; one with a coupon needs its code passed."""
        return self.coupon_code is None or coupon_key(self.coupon_code) in coupons

    def matches(self, item: Item) -> bool:
        """Whether the promotion's targeting selects this item (channel and tier aside)."""
        if self.kind == "BUNDLE":
            return self.component(item) is not None
        if self.product_ids is None and self.category_id is None and self.brand is None:
            return True
        return (
            (self.product_ids is not None and item.product_id in self.product_ids)
            or (self.category_id is not None and self.category_id in item.category_ids)
            or (self.brand is not None and item.brand == self.brand)
        )

    def targets(self, item: Item, *, channel: str, tier: str | None) -> bool:
        """Whether the promotion reaches this item in this channel for this tier, at any time."""
        return self.reaches(channel=channel, tier=tier) and self.matches(item)

    def component(self, item: Item) -> int | None:
        """The first BUNDLE component (a variant or product id) the item fills, if any."""
        for index, wanted in enumerate(self.bundle_ids):
            if wanted in (item.variant_id, item.product_id):
                return index
        return None

    def free_units(self, quantity: int) -> int:
        """Units a MULTI_BUY gives away for this quantity: (q // buy) × (buy - pay)."""
        if self.buy_quantity is None or self.pay_quantity is None:
            return 0
        return (quantity // self.buy_quantity) * (self.buy_quantity - self.pay_quantity)

    def tier_percent(self, quantity: int) -> Decimal:
        """The percentage of the highest quantity tier `quantity` units reach (0 below the first)."""
        reached = [t.percent for t in self.quantity_tiers if quantity >= t.min_quantity]
        return reached[-1] if reached else _ZERO

    def counts_history(self) -> bool:
        return self.cross_channel and self.kind in COUNTING_KINDS

    def prior_units(self, history: tuple[Purchase, ...], at: datetime) -> int:
        """Targeted units the customer bought in any channel within the period, before `at`."""
        if not self.counts_history():
            return 0
        return sum(
            p.quantity
            for p in history
            if self.starts_at <= p.placed_at < self.ends_at
            and p.placed_at <= at
            and self.matches(p.item)
        )


def _percent_ok(value: Decimal | None) -> bool:
    return value is not None and _ZERO < value <= _HUNDRED


def _problem(p: Promotion) -> str | None:
    if p.starts_at >= p.ends_at:
        return "starts_at must come before ends_at"
    if p.coupon_code is not None and not coupon_key(p.coupon_code):
        return "coupon_code must not be blank"
    one_of = (p.percent is None) != (p.amount is None)
    match p.kind:
        case "PERCENT":
            return None if _percent_ok(p.percent) else "PERCENT needs 0 < percent <= 100"
        case "AMOUNT_OFF":
            ok = p.amount is not None and p.amount > 0
            return None if ok else "AMOUNT_OFF needs amount > 0"
        case "FIXED_PRICE":
            ok = p.amount is not None and p.amount >= 0
            return None if ok else "FIXED_PRICE needs amount >= 0"
        case "MULTI_BUY":
            buy, pay = p.buy_quantity, p.pay_quantity
            ok = buy is not None and pay is not None and 0 <= pay < buy
            return None if ok else "MULTI_BUY needs 0 <= pay_quantity < buy_quantity"
        case "BUNDLE":
            if len(set(p.bundle_ids)) < 2 or len(p.bundle_ids) != len(set(p.bundle_ids)):
                return "BUNDLE needs two or more distinct bundle_ids"
            ok = one_of and (_percent_ok(p.percent) or (p.amount is not None and p.amount >= 0))
            return None if ok else "BUNDLE needs a set amount >= 0 or 0 < percent <= 100"
        case "TIERED":
            steps = p.quantity_tiers
            increasing = all(a.min_quantity < b.min_quantity for a, b in pairwise(steps))
            ok = (
                bool(steps)
                and steps[0].min_quantity >= 1
                and increasing
                and all(_percent_ok(t.percent) for t in steps)
            )
            return (
                None if ok else "TIERED needs quantity_tiers rising from 1 with 0 < percent <= 100"
            )
        case "ORDER":
            ok = one_of and (_percent_ok(p.percent) or (p.amount is not None and p.amount > 0))
            if not ok:
                return "ORDER needs either 0 < percent <= 100 or amount > 0"
            if p.min_subtotal is not None and p.min_subtotal < 0:
                return "ORDER needs min_subtotal >= 0"
            return None
    return f"unknown kind {p.kind!r}"
