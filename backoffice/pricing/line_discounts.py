"""Line-level promotions (step 2 of `backoffice.pricing.engine`): what each variant's lines get off.

Lines of one variant are priced together as a `VariantGroup`. Per group, the customer gets
whichever takes off more: the best single non-combinable rule or every combinable rule
stacked in `rank` order, each on what the previous ones left. MULTI_BUY, TIERED and
BUNDLE count the targeted units of the whole basket (plus earlier purchases when
`cross_channel`); their free or discounted units are the cheapest ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from backoffice.pricing.allocation import split
from backoffice.pricing.quotes import BasketLine, Discount
from backoffice.pricing.rules import Item, Promotion, Purchase
from kernel.money import round_money

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


@dataclass(slots=True)
class VariantGroup:
    """The lines of one variant, priced together."""

    item: Item
    unit: Decimal
    quantity: int
    gross: Decimal
    lines: list[int] = field(default_factory=list)


def rank(promotion: Promotion) -> tuple[int, str]:
    """The order promotions are applied in, and ties broken by: `priority`, then id."""
    return (promotion.priority, promotion.id)


def variant_groups(lines: Sequence[BasketLine], currency: str) -> list[VariantGroup]:
    """The basket's lines by variant, in order of first appearance; a quantity below 1 is refused.

    The engine passes its lines in step 0's canonical order, so the groups come by variant
    id and a shared discount's rounding remainder lands on the same variant however the
    basket's lines were sent.
    """
    by_variant: dict[str, VariantGroup] = {}
    for index, line in enumerate(lines):
        if line.quantity < 1:
            raise ValueError(f"quantity must be 1 or more, got {line.quantity}")
        group = by_variant.get(line.item.variant_id)
        if group is None:
            unit = round_money(line.list_amount, currency)
            group = by_variant[line.item.variant_id] = VariantGroup(line.item, unit, 0, _ZERO)
        group.quantity += line.quantity
        group.gross = group.unit * group.quantity
        group.lines.append(index)
    return list(by_variant.values())


def line_discounts(
    groups: Sequence[VariantGroup],
    rules: Sequence[Promotion],
    history: tuple[Purchase, ...],
    at: datetime,
    currency: str,
) -> list[list[Discount]]:
    """Per group, the discounts it gets: the best exclusive rule or the combinable stack."""
    gross = [g.gross for g in groups]
    exclusive = [
        (p, _rule(p, groups, gross, p.prior_units(history, at), currency))
        for p in rules
        if not p.combinable
    ]
    stacked: list[list[Discount]] = [[] for _ in groups]
    left = list(gross)
    for p in rules:
        if not p.combinable:
            continue
        for index, amount in enumerate(
            _rule(p, groups, left, p.prior_units(history, at), currency)
        ):
            if amount > 0:
                stacked[index].append(Discount(p, amount))
                left[index] -= amount
    chosen: list[list[Discount]] = []
    for index in range(len(groups)):
        best = min(
            ((p, amounts[index]) for p, amounts in exclusive if amounts[index] > 0),
            key=lambda pair: (-pair[1], *rank(pair[0])),
            default=None,
        )
        stack_total = gross[index] - left[index]
        if best is None or stack_total > best[1]:
            chosen.append(stacked[index])
        else:
            chosen.append([Discount(*best)])
    return chosen


def _rule(
    p: Promotion,
    groups: Sequence[VariantGroup],
    left: Sequence[Decimal],
    prior: int,
    currency: str,
) -> list[Decimal]:
    """What one line-level rule takes off each group, given what each group still costs."""
    matched = [i for i, g in enumerate(groups) if p.matches(g.item)]
    amounts = [_ZERO] * len(groups)
    if not matched:
        return amounts
    if p.kind == "MULTI_BUY":
        units = sum(groups[i].quantity for i in matched)
        free = p.free_units(prior + units) - p.free_units(prior)
        return _units_off(groups, left, _cheapest(groups, matched, free), currency)
    if p.kind == "BUNDLE":
        return _bundle(p, groups, left, matched, currency)
    for i in matched:
        g, remaining = groups[i], left[i]
        if p.kind == "PERCENT" and p.percent is not None:
            off = round_money(remaining * p.percent / _HUNDRED, currency)
        elif p.kind == "AMOUNT_OFF" and p.amount is not None:
            off = round_money(p.amount * g.quantity, currency)
        elif p.kind == "FIXED_PRICE" and p.amount is not None:
            off = remaining - round_money(p.amount * g.quantity, currency)
        elif p.kind == "TIERED":
            units = prior + sum(groups[j].quantity for j in matched)
            off = round_money(remaining * p.tier_percent(units) / _HUNDRED, currency)
        else:  # pragma: no cover - Promotion validates kinds and their fields
            raise ValueError(f"promotion {p.id}: cannot price kind {p.kind!r}")
        amounts[i] = min(max(off, _ZERO), remaining)
    return amounts


def _cheapest(
    groups: Sequence[VariantGroup], indexes: Iterable[int], wanted: int
) -> dict[int, int]:
    """Take `wanted` units from these groups, cheapest first (ties by variant id)."""
    taken: dict[int, int] = {}
    for i in sorted(indexes, key=lambda i: (groups[i].unit, groups[i].item.variant_id)):
        if wanted <= 0:
            break
        taken[i] = min(groups[i].quantity, wanted)
        wanted -= taken[i]
    return taken


def _units_off(
    groups: Sequence[VariantGroup], left: Sequence[Decimal], taken: dict[int, int], currency: str
) -> list[Decimal]:
    """The whole price still owed for the `taken` units of each group."""
    amounts = [_ZERO] * len(groups)
    for i, units in taken.items():
        amounts[i] = min(round_money(left[i] * units / groups[i].quantity, currency), left[i])
    return amounts


def _bundle(
    p: Promotion,
    groups: Sequence[VariantGroup],
    left: Sequence[Decimal],
    matched: Sequence[int],
    currency: str,
) -> list[Decimal]:
    """A BUNDLE: complete sets of one unit per component, cheapest units first.

    The set's discount is rounded once and split over the groups in their order, the
    remainder on the last: each group then keeps its share only if no other rule beats it.
    """
    amounts = [_ZERO] * len(groups)
    by_component: dict[int, list[int]] = {}
    for i in matched:
        component = p.component(groups[i].item)
        if component is not None:
            by_component.setdefault(component, []).append(i)
    sets = min(
        (
            sum(groups[i].quantity for i in by_component.get(c, []))
            for c in range(len(p.bundle_ids))
        ),
        default=0,
    )
    if sets == 0:
        return amounts
    taken: dict[int, int] = {}
    for indexes in by_component.values():
        taken.update(_cheapest(groups, indexes, sets))
    used = {i: left[i] * units / groups[i].quantity for i, units in taken.items()}
    value = round_money(sum(used.values(), _ZERO), currency)
    if p.amount is not None:
        off = max(value - round_money(p.amount * sets, currency), _ZERO)
    else:
        off = round_money(value * (p.percent or _ZERO) / _HUNDRED, currency)
    order = sorted(used)
    shares = split(off, [used[i] for i in order], [left[i] for i in order], currency)
    for i, share in zip(order, shares, strict=True):
        amounts[i] = share
    return amounts
