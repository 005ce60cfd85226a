"""The promotion maths of the price engine: which promotion applies, and what it takes off.

Pure functions over frozen values, no I/O, so that every channel's price and every basket
is computed by the same rules and the rules can be tested without a database.

* Promotions do not stack: per variant, the one giving the largest discount wins; on a tie,
  the lowest promotion id (a stable, explainable choice).
* PERCENT takes `percent` % off; MULTI_BUY "buy B, pay P" makes P-of-B units free for every
  complete group of B.
* Amounts are rounded once, half up to the currency's minor unit (kernel.money.round_money).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from kernel.money import allocate, round_money

PromotionKind = Literal["PERCENT", "MULTI_BUY"]

#: The currency of a quote that has no lines to take one from.
DEFAULT_CURRENCY = "EUR"

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


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
class Promotion:
    """A promotion rule, active from `starts_at` (inclusive) until `ends_at` (exclusive).

    Targeting: `product_ids`, `category_id` and `brand` each widen the promotion (a variant
    matching any of them is targeted); with none of the three set it targets everything.
    An empty `product_ids` list is "set" and matches no product, so a half-edited promotion
    never discounts the whole assortment. `tiers` None means every customer.
    """

    id: str
    kind: PromotionKind
    starts_at: datetime
    ends_at: datetime
    channels: frozenset[str]
    name: Mapping[str, str]
    description: Mapping[str, str]
    percent: Decimal | None = None
    buy_quantity: int | None = None
    pay_quantity: int | None = None
    product_ids: frozenset[str] | None = None
    category_id: str | None = None
    brand: str | None = None
    tiers: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.kind == "PERCENT":
            if self.percent is None or not _ZERO < self.percent <= _HUNDRED:
                raise ValueError(f"promotion {self.id}: PERCENT needs 0 < percent <= 100")
        elif self.kind == "MULTI_BUY":
            buy, pay = self.buy_quantity, self.pay_quantity
            if buy is None or pay is None or not 0 <= pay < buy:
                raise ValueError(
                    f"promotion {self.id}: MULTI_BUY needs 0 <= pay_quantity < buy_quantity"
                )
        else:
            raise ValueError(f"promotion {self.id}: unknown kind {self.kind!r}")

    def is_active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def targets(self, item: Item, *, channel: str, tier: str | None) -> bool:
        """Whether the promotion reaches this item in this channel for this tier, at any time."""
        if channel not in self.channels:
            return False
        if self.tiers is not None and tier not in self.tiers:
            return False
        if self.product_ids is None and self.category_id is None and self.brand is None:
            return True
        return (
            (self.product_ids is not None and item.product_id in self.product_ids)
            or (self.category_id is not None and self.category_id in item.category_ids)
            or (self.brand is not None and item.brand == self.brand)
        )

    def free_units(self, quantity: int) -> int:
        """Units a MULTI_BUY gives away for this quantity: (q // buy) × (buy - pay)."""
        if self.buy_quantity is None or self.pay_quantity is None:
            return 0
        return (quantity // self.buy_quantity) * (self.buy_quantity - self.pay_quantity)

    def unit_discount(self, list_amount: Decimal, quantity: int, currency: str) -> Decimal:
        """The discount on one unit when `quantity` units are bought."""
        if self.kind == "PERCENT" and self.percent is not None:
            return round_money(list_amount * self.percent / _HUNDRED, currency)
        if quantity <= 0:
            return round_money(_ZERO, currency)
        return round_money(list_amount * self.free_units(quantity) / quantity, currency)

    def line_discount(self, list_amount: Decimal, quantity: int, currency: str) -> Decimal:
        """The discount on a line of `quantity` units, rounded once over the whole line."""
        if self.kind == "PERCENT" and self.percent is not None:
            return round_money(list_amount * quantity * self.percent / _HUNDRED, currency)
        return round_money(list_amount * self.free_units(quantity), currency)


@dataclass(frozen=True, slots=True)
class Discount:
    """A promotion applied, with the amount it takes off (per unit, per line or per basket)."""

    promotion: Promotion
    amount: Decimal


@dataclass(frozen=True, slots=True)
class UnitPrice:
    """The price of one unit; `valid_until` is the next promotion boundary, None if there is none."""

    item: Item
    currency: str
    list_amount: Decimal
    amount: Decimal
    discount: Discount | None
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
class PricedBasket:
    """A priced basket; `promotions` sums each applied promotion's discount over the lines."""

    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    promotions: tuple[Discount, ...]


def best_discount(candidates: Iterable[Discount]) -> Discount | None:
    """The largest positive discount; on a tie, the promotion with the lowest id."""
    best: Discount | None = None
    for candidate in candidates:
        if candidate.amount <= 0:
            continue
        if (
            best is None
            or candidate.amount > best.amount
            or (candidate.amount == best.amount and candidate.promotion.id < best.promotion.id)
        ):
            best = candidate
    return best


def price_unit(
    item: Item,
    list_amount: Decimal,
    promotions: Iterable[Promotion],
    *,
    channel: str,
    tier: str | None,
    quantity: int,
    at: datetime,
    currency: str,
) -> UnitPrice:
    """The unit price of `item` when `quantity` units are bought in `channel` at `at`.

    `valid_until` is the earliest of the applied promotion's end and the start of any later
    promotion that targets the item here: a cached price must not outlive either.
    """
    targeting = [p for p in promotions if p.targets(item, channel=channel, tier=tier)]
    discount = best_discount(
        Discount(p, p.unit_discount(list_amount, quantity, currency))
        for p in targeting
        if p.is_active(at)
    )
    boundaries = [p.starts_at for p in targeting if p.starts_at > at]
    if discount is not None:
        boundaries.append(discount.promotion.ends_at)
    list_amount = round_money(list_amount, currency)
    return UnitPrice(
        item=item,
        currency=currency,
        list_amount=list_amount,
        amount=list_amount - (discount.amount if discount else _ZERO),
        discount=discount,
        valid_until=min(boundaries, default=None),
    )


def price_basket(
    lines: Sequence[BasketLine],
    promotions: Iterable[Promotion],
    *,
    channel: str,
    tier: str | None,
    at: datetime,
    currency: str,
) -> PricedBasket:
    """Price a basket line by line, each with the best promotion active at `at`.

    Lines of the same variant are counted together: the best promotion is chosen, and its
    discount computed, for their merged quantity (two lines of 1 and 2 cans make a "3 for 2"
    apply as one line of 3 would); that discount is then split over those lines in
    proportion to their quantities, the rounding remainder going to the last of them.
    """
    active = [p for p in promotions if p.is_active(at)]
    by_variant: defaultdict[str, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        by_variant[line.item.variant_id].append(index)

    shares: dict[int, Discount] = {}
    for indexes in by_variant.values():
        first = lines[indexes[0]]
        quantity = sum(lines[i].quantity for i in indexes)
        discount = best_discount(
            Discount(p, p.line_discount(first.list_amount, quantity, currency))
            for p in active
            if p.targets(first.item, channel=channel, tier=tier)
        )
        if discount is None:
            continue
        weights = [Decimal(lines[i].quantity) for i in indexes]
        for i, amount in zip(indexes, allocate(discount.amount, weights, currency), strict=True):
            if amount:
                shares[i] = Discount(discount.promotion, amount)

    priced: list[PricedLine] = []
    subtotal = _ZERO
    totals: dict[str, Discount] = {}
    for index, line in enumerate(lines):
        gross = round_money(line.list_amount * line.quantity, currency)
        discounts = (shares[index],) if index in shares else ()
        for share in discounts:
            so_far = totals.get(share.promotion.id)
            totals[share.promotion.id] = (
                Discount(share.promotion, so_far.amount + share.amount) if so_far else share
            )
        subtotal += gross
        priced.append(
            PricedLine(
                item=line.item,
                quantity=line.quantity,
                unit_list_amount=round_money(line.list_amount, currency),
                discounts=discounts,
                total=gross - sum((d.amount for d in discounts), _ZERO),
            )
        )
    # Every part is in whole cents already; rounding the sums fixes their exponent, so an
    # empty basket says 0.00 like any other.
    subtotal = round_money(subtotal, currency)
    discount_total = round_money(sum((d.amount for d in totals.values()), _ZERO), currency)
    return PricedBasket(
        currency=currency,
        lines=tuple(priced),
        subtotal=subtotal,
        discount_total=discount_total,
        total=subtotal - discount_total,
        promotions=tuple(totals.values()),
    )
