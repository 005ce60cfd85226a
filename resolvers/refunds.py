"""What a return refunds, to the cent, from what the order stored when it was placed.

Never from today's prices (DESIGN §8): a line's refund is its share of the `total` the
order stored for it, which already has every discount allocated to it, order-level ones
included. The rules (configuration `[returns]`):

* **Goods.** A line of `n` units that stored `total` refunds, once `k` of its units have
  come back in all, `round(total × k / n)`; a return that brings `k` from `before` to
  `before + q` refunds the difference. So however a line comes back — one unit at a time or
  all at once, in any order of returns — the refunds add up to its total exactly, and
  never to more.
* **Shipping** comes back with the return that completes the order (no unit left to
  return), except for the tiers in `shipping_kept_for_tiers` (GOLD by default).
* **A return fee** (`mail_return_fee`) is deducted from returns by mail only, never
  taking the refund below zero.
* **Method:** back to how the order was paid (the largest payment), through
  `refund_methods` where a retailer maps one method to another; a card is never refunded
  in cash (fraud rule; the configuration check refuses that mapping).
* **Points:** the order earned them on its goods less what vouchers paid; a return takes
  back the share of the goods it refunds in all, rounded down, less what earlier returns
  took — all of them once everything came back, never more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from connectors.orders.records import Order, OrderLine, Refund, RefundComponent
from kernel.money import round_money
from resolvers.order_amounts import CheckoutRules, points_for

_ZERO = Decimal(0)

#: The refund methods that a card payment may never become (DESIGN §8's fraud rule).
NOT_FOR_CARDS = frozenset({"CASH"})

#: The kinds of `RefundComponent`.
GOODS, SHIPPING, RETURN_FEE = "goods", "shipping", "return_costs"


@dataclass(frozen=True, slots=True)
class RefundRules:
    """The refund rules of the module docstring; the defaults are `[returns]`'s."""

    mail_return_fee: Decimal = Decimal("2.95")
    shipping_kept_for_tiers: frozenset[str] = frozenset({"GOLD"})
    #: Original payment method -> the method refunds go to, where it is not the same.
    refund_methods: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for original, refunded in self.refund_methods.items():
            if original == "CARD" and refunded in NOT_FOR_CARDS:
                raise ValueError(f"a card payment is never refunded as {refunded}")


@dataclass(frozen=True, slots=True)
class ReturnedUnits:
    """Units of one order line a return takes back."""

    order_line_id: str
    quantity: int


def goods_refunded(line: OrderLine, returned: int) -> Decimal:
    """What `returned` units of the line refund in all: its stored total, pro rata, rounded once."""
    if returned >= line.quantity:
        return line.total
    return round_money(line.total * returned / line.quantity)


def refund_for(
    order: Order,
    units: Sequence[ReturnedUnits],
    *,
    channel: str,
    tier: str | None,
    rules: RefundRules,
    points: CheckoutRules,
    has_loyalty: bool,
) -> Refund:
    """The refund of a return of `units` of `order`, after the returns the order shows.

    `units` must be returnable (each line known, quantities within what is left); the
    caller checks that first, in words the customer understands.
    """
    lines = {line.id: line for line in order.lines}
    taking = {unit.order_line_id: unit.quantity for unit in units}
    before = after = _ZERO
    completes = True
    for line in order.lines:
        returned_after = line.returned_quantity + taking.get(line.id, 0)
        before += goods_refunded(line, line.returned_quantity)
        after += goods_refunded(line, returned_after)
        completes = completes and returned_after >= line.quantity
    assert set(taking) <= set(lines), "refund_for needs known order lines"
    goods = round_money(after - before, order.currency)
    breakdown = [RefundComponent(GOODS, goods)]
    if completes and order.shipping > 0 and tier not in rules.shipping_kept_for_tiers:
        breakdown.append(RefundComponent(SHIPPING, order.shipping))
    if channel == "MAIL" and rules.mail_return_fee > 0:
        due = sum((c.amount for c in breakdown), _ZERO)
        fee = min(round_money(rules.mail_return_fee, order.currency), due)
        if fee > 0:
            breakdown.append(RefundComponent(RETURN_FEE, -fee))
    reversed_points = _points_back(order, before, after, points) if has_loyalty else 0
    return Refund(
        amount=sum((c.amount for c in breakdown), _ZERO),
        currency=order.currency,
        method=refund_method(order, rules),
        breakdown=tuple(breakdown),
        loyalty_points_reversed=reversed_points,
    )


def points_earned(order: Order, rules: CheckoutRules) -> int:
    """The points the order earned: on its goods less what vouchers paid (vouchers pay goods first)."""
    goods = sum((line.total for line in order.lines), _ZERO)
    by_voucher = sum((p.amount for p in order.payments if p.method == "VOUCHER"), _ZERO)
    return points_for(max(goods - by_voucher, _ZERO), rules)


def _points_back(order: Order, before: Decimal, after: Decimal, rules: CheckoutRules) -> int:
    # The earned points in proportion to the goods refunded in all, rounded down, less
    # those taken back before: all of them once everything came back, never more.
    goods = sum((line.total for line in order.lines), _ZERO)
    if goods <= 0:
        return 0
    earned = points_earned(order, rules)
    return int(earned * after // goods) - int(earned * before // goods)


def refund_method(order: Order, rules: RefundRules) -> str:
    """How the order was paid (its largest payment), mapped by `refund_methods`."""
    if not order.payments:
        original = "CARD"  # an order without payments on record was paid at a till by card
    else:
        original = max(order.payments, key=lambda payment: payment.amount).method
    return rules.refund_methods.get(original, original)
