"""The promotion maths of the price engine: which promotions apply, and what they take off.

Pure functions over frozen values, no I/O, so that every channel's price and every basket
is computed by the same rules and the rules can be tested without a database. The rule
kinds are described in `backoffice.pricing.rules`. How a basket is priced:

0. The lines are priced in one canonical order, by variant id, then list amount, then
   quantity, and given back in the order they were sent. Every rounding remainder that
   lands on "the last line" (or the last variant) lands on the last one in that order,
   so the order of the caller's lines decides nothing.
1. Lines of one variant are counted together (two lines of 1 and 2 cans are priced as one
   line of 3), and only rules active at `at` in the channel, for the customer's tier, with
   their coupon passed when they need one, take part.
2. Line-level rules: per variant, the customer gets whichever takes off more, the best
   single non-combinable rule (on the list amount; ties go to the lower `priority`, then
   the lower id) or all `combinable` rules together, applied one after the other in
   `priority` order (then id), each on what the previous ones left. MULTI_BUY, TIERED and
   BUNDLE count every targeted unit of the basket (plus, when `cross_channel`, those the
   customer bought in any channel within the period); their free or discounted units are
   the cheapest ones (ties by variant id), and a MULTI_BUY never gives a unit twice: the
   basket gets free_units(earlier + now) - free_units(earlier).
3. ORDER rules then apply to the subtotal after line discounts, by the same policy (best
   single one or all combinable ones stacked), each allocated over the lines it targets in
   proportion to what they still cost, the rounding remainder on the last line (step 0).
4. Amounts are rounded once each, half up to the currency's minor unit
   (kernel.money.round_money); a line's total is its list amount × quantity less every
   discount that touched it, never below zero, and the line totals add up to the total.

Same inputs, same output: the order of lines or of promotions changes no amount, of the
quote or of a line (lines alike in variant, list amount and quantity may swap which of
them carries a rounding remainder). Step 0 is what makes that hold: a discount shared by
several lines or variants (a BUNDLE's, an ORDER rule's) is rounded share by share with
the remainder on the last one, and which one is last must not follow the caller's order,
because what a line is left with decides what later rules take off it (a BUNDLE share is
kept only by the variants for which it beats the other rules; a stacked ORDER rule that
targets some lines is computed on what those lines still cost).

Step 2 is `backoffice.pricing.line_discounts`; the values taken and given are in
`backoffice.pricing.quotes` (and exported here, the price engine's one entry point).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from backoffice.pricing.allocation import split
from backoffice.pricing.line_discounts import line_discounts, rank, variant_groups
from backoffice.pricing.quotes import (
    DEFAULT_CURRENCY,
    BasketLine,
    CouponResult,
    CouponStatus,
    Discount,
    PricedBasket,
    PricedLine,
    UnitPrice,
)
from backoffice.pricing.rules import (
    KINDS,
    Item,
    Promotion,
    PromotionKind,
    Purchase,
    QuantityTier,
    coupon_key,
)
from kernel.money import round_money

__all__ = [
    "DEFAULT_CURRENCY",
    "KINDS",
    "BasketLine",
    "CouponResult",
    "CouponStatus",
    "Discount",
    "Item",
    "PricedBasket",
    "PricedLine",
    "Promotion",
    "PromotionKind",
    "Purchase",
    "QuantityTier",
    "UnitPrice",
    "price_basket",
    "price_unit",
]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


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
    """The price of `quantity` units of `item` in `channel` at `at`: a one-line basket.

    ORDER rules and coupon rules are left out (a shelf price has no basket and no coupon),
    so `total` equals the quote of this one line whenever no ORDER rule applies to it.
    `valid_until` is the earliest of the applied promotions' ends and the start of any
    later promotion that targets the item here: a cached price must not outlive either.
    """
    if quantity < 1:
        raise ValueError(f"quantity must be 1 or more, got {quantity}")
    # Only the rules that can touch this item: a listing prices hundreds of variants.
    rules = [
        p
        for p in promotions
        if not p.order_level
        and p.coupon_code is None
        and p.targets(item, channel=channel, tier=tier)
    ]
    if not rules:  # most of a listing: what price_basket gives a line no rule touches
        unit = round_money(list_amount, currency)
        return UnitPrice(item, currency, quantity, unit, unit, unit * quantity, (), None)
    basket = price_basket(
        [BasketLine(item, list_amount, quantity)],
        rules,
        channel=channel,
        tier=tier,
        at=at,
        currency=currency,
    )
    (line,) = basket.lines
    off = line.unit_list_amount * quantity - line.total
    boundaries = [p.starts_at for p in rules if p.starts_at > at]
    boundaries += [d.promotion.ends_at for d in line.discounts]
    return UnitPrice(
        item=item,
        currency=currency,
        quantity=quantity,
        list_amount=line.unit_list_amount,
        amount=line.unit_list_amount - round_money(off / quantity, currency),
        total=line.total,
        discounts=tuple(
            Discount(d.promotion, round_money(d.amount / quantity, currency))
            for d in line.discounts
        ),
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
    history: Sequence[Purchase] = (),
    coupons: Sequence[str] = (),
) -> PricedBasket:
    """Price a basket by the policy of this module's docstring; its lines in the order given.

    `history` is the customer's earlier purchases in every channel (only cross-channel
    rules read it); `coupons` the codes the customer entered, each reported back in
    `coupons` as APPLIED, UNKNOWN, EXPIRED or NOT_APPLICABLE.
    """
    order = sorted(range(len(lines)), key=lambda i: _canonical(lines[i]))
    basket = _price_canonical(
        [lines[i] for i in order],
        promotions,
        channel=channel,
        tier=tier,
        at=at,
        currency=currency,
        history=history,
        coupons=coupons,
    )
    position = {index: place for place, index in enumerate(order)}
    return replace(basket, lines=tuple(basket.lines[position[i]] for i in range(len(lines))))


def _canonical(line: BasketLine) -> tuple[str, Decimal, int]:
    """Step 0's order: by variant id, then list amount, then quantity."""
    return (line.item.variant_id, line.list_amount, line.quantity)


def _price_canonical(
    lines: Sequence[BasketLine],
    promotions: Iterable[Promotion],
    *,
    channel: str,
    tier: str | None,
    at: datetime,
    currency: str,
    history: Sequence[Purchase],
    coupons: Sequence[str],
) -> PricedBasket:
    """Steps 1 to 4 on lines already in step 0's order (remainders on the last of them)."""
    every = sorted(promotions, key=rank)
    codes = frozenset(coupon_key(code) for code in coupons)
    live = [
        p
        for p in every
        if p.is_active(at) and p.reaches(channel=channel, tier=tier) and p.unlocked(codes)
    ]
    groups = variant_groups(lines, currency)
    line_rules = [p for p in live if not p.order_level and any(p.matches(g.item) for g in groups)]
    group_discounts = line_discounts(groups, line_rules, tuple(history), at, currency)

    gross = [
        round_money(round_money(line.list_amount, currency) * line.quantity, currency)
        for line in lines
    ]
    per_line: list[list[Discount]] = [[] for _ in lines]
    left = list(gross)
    for group, discounts in zip(groups, group_discounts, strict=True):
        for discount in discounts:
            _spread(discount, group.lines, left, per_line, currency)
    for discount_lines in _order_level(lines, left, [p for p in live if p.order_level], currency):
        discount, indexes = discount_lines
        _spread(discount, indexes, left, per_line, currency)

    totals: dict[str, Discount] = {}
    for discounts in per_line:
        for d in discounts:
            so_far = totals.get(d.promotion.id)
            totals[d.promotion.id] = (
                Discount(d.promotion, so_far.amount + d.amount) if so_far else d
            )
    priced = tuple(
        PricedLine(
            item=line.item,
            quantity=line.quantity,
            unit_list_amount=round_money(line.list_amount, currency),
            discounts=tuple(discounts),
            total=remaining,
        )
        for line, discounts, remaining in zip(lines, per_line, left, strict=True)
    )
    # Every part is in whole minor units already; rounding the sums fixes their exponent,
    # so an empty basket says 0.00 like any other.
    subtotal = round_money(sum(gross, _ZERO), currency)
    total = round_money(sum(left, _ZERO), currency)
    applied = sorted(totals.values(), key=lambda d: (d.promotion.order_level, *rank(d.promotion)))
    return PricedBasket(
        currency=currency,
        lines=priced,
        subtotal=subtotal,
        discount_total=subtotal - total,
        total=total,
        promotions=tuple(applied),
        coupons=_coupon_results(coupons, every, set(totals), at),
    )


def _spread(
    discount: Discount,
    indexes: Sequence[int],
    left: list[Decimal],
    per_line: list[list[Discount]],
    currency: str,
) -> None:
    """Share `discount` over the lines `indexes` in proportion to what they still cost."""
    caps = [left[i] for i in indexes]
    for index, share in zip(indexes, split(discount.amount, caps, caps, currency), strict=True):
        if share > 0:
            per_line[index].append(Discount(discount.promotion, share))
            left[index] -= share


# ---------- order level ----------


def _order_level(
    lines: Sequence[BasketLine],
    left: Sequence[Decimal],
    rules: Sequence[Promotion],
    currency: str,
) -> list[tuple[Discount, list[int]]]:
    """The ORDER discounts to apply, each with the lines it is spread over.

    Thresholds are judged on the subtotal after line discounts, before any ORDER rule.
    """
    eligible: list[tuple[Promotion, list[int]]] = []
    for p in rules:
        indexes = [i for i, line in enumerate(lines) if p.matches(line.item)]
        base = sum((left[i] for i in indexes), _ZERO)
        if base > 0 and (p.min_subtotal is None or base >= p.min_subtotal):
            eligible.append((p, indexes))

    def off(p: Promotion, base: Decimal) -> Decimal:
        if p.percent is not None:
            return round_money(base * p.percent / _HUNDRED, currency)
        return min(round_money(p.amount or _ZERO, currency), base)

    best = min(
        (
            (Discount(p, off(p, sum((left[i] for i in indexes), _ZERO))), indexes)
            for p, indexes in eligible
            if not p.combinable
        ),
        key=lambda pair: (-pair[0].amount, *rank(pair[0].promotion)),
        default=None,
    )
    stack: list[tuple[Discount, list[int]]] = []
    remaining = list(left)
    for p, indexes in eligible:
        if not p.combinable:
            continue
        amount = off(p, sum((remaining[i] for i in indexes), _ZERO))
        if amount <= 0:
            continue
        caps = [remaining[i] for i in indexes]
        for i, share in zip(indexes, split(amount, caps, caps, currency), strict=True):
            remaining[i] -= share
        stack.append((Discount(p, amount), indexes))
    stack_total = sum((d.amount for d, _ in stack), _ZERO)
    if best is not None and best[0].amount > 0 and best[0].amount >= stack_total:
        return [best]
    return stack


# ---------- coupons ----------


def _coupon_results(
    coupons: Sequence[str], promotions: Sequence[Promotion], applied: set[str], at: datetime
) -> tuple[CouponResult, ...]:
    results: dict[str, CouponResult] = {}
    for code in coupons:
        key = coupon_key(code)
        if key in results:
            continue
        rules = [p for p in promotions if p.coupon_code and coupon_key(p.coupon_code) == key]
        status: CouponStatus
        if not key or not rules:
            status = "UNKNOWN"
        elif any(p.id in applied for p in rules):
            status = "APPLIED"
        elif all(p.ends_at <= at for p in rules):
            status = "EXPIRED"
        else:
            status = "NOT_APPLICABLE"
        results[key] = CouponResult(code.strip(), status)
    return tuple(results.values())
