"""Every amount an order stores, computed once at checkout from the engine's quote.

The order keeps, per line, the list price, each discount the engine allocated to it
(order-level ones included) and what was paid, so that a refund never depends on
today's prices (DESIGN §8). Nothing here prices anything: the promotion engine did; this
adds what the engine does not know — shipping, the tax contained in each line, the
payment and the loyalty points the paid amount earns — with the one rounding rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from connectors.orders.records import LineDiscount, NewOrderLine
from connectors.pricing.records import Quote
from kernel.money import round_money

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

#: Fulfilments that send a parcel, and so may cost shipping.
SHIPPED = frozenset({"SHIP_TO_HOME", "SHIP_FROM_STORE"})


@dataclass(frozen=True, slots=True)
class CheckoutRules:
    """Business settings of checkout (configuration `[checkout]`).

    Prices include VAT; `vat_percent` says how much of each line total is tax. Shipping
    costs `shipping_fee` per order that ships, free from `free_shipping_from` of goods.
    Points are earned on the goods paid (shipping earns none), `points_per_unit` per
    whole currency unit, rounded down.
    """

    vat_percent: Decimal = Decimal(21)
    shipping_fee: Decimal = Decimal("4.95")
    free_shipping_from: Decimal = Decimal("50.00")
    points_per_unit: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class OrderAmounts:
    """The amounts of an order: goods (the quote's total), shipping, total and points."""

    currency: str
    subtotal: Decimal
    discount_total: Decimal
    goods: Decimal
    shipping: Decimal
    total: Decimal
    points: int
    lines: tuple[NewOrderLine, ...]
    #: The promotions that shaped the amounts, for the audit log.
    promotion_ids: tuple[str, ...] = ()


def tax_in(amount: Decimal, vat_percent: Decimal, currency: str) -> Decimal:
    """The VAT contained in a tax-inclusive amount."""
    return round_money(amount * vat_percent / (_HUNDRED + vat_percent), currency)


def shipping_for(fulfillment: str, goods: Decimal, rules: CheckoutRules, currency: str) -> Decimal:
    if fulfillment not in SHIPPED or goods >= rules.free_shipping_from:
        return round_money(_ZERO, currency)
    return round_money(rules.shipping_fee, currency)


def points_for(goods: Decimal, rules: CheckoutRules) -> int:
    return int((goods * rules.points_per_unit).to_integral_value(rounding=ROUND_FLOOR))


def order_amounts(
    quote: Quote, *, skus: dict[str, str], fulfillment: str, rules: CheckoutRules
) -> OrderAmounts:
    """The order's amounts from its quote; `skus` maps each line's variant to its SKU.

    Line totals add up to the goods total and, with shipping, to the order total: the
    engine guarantees the first, this function adds shipping once.
    """
    currency = quote.currency
    goods = quote.total
    shipping = shipping_for(fulfillment, goods, rules, currency)
    lines = tuple(
        NewOrderLine(
            variant_id=line.variant_id,
            sku=skus[line.variant_id],
            quantity=line.quantity,
            unit_list_amount=line.unit_list_amount,
            discounts=tuple(
                LineDiscount(promotion_id=d.promotion_id, name=d.name, amount=d.amount)
                for d in line.discounts
            ),
            tax=tax_in(line.total, rules.vat_percent, currency),
            total=line.total,
        )
        for line in quote.lines
    )
    return OrderAmounts(
        currency=currency,
        subtotal=quote.subtotal,
        discount_total=quote.discount_total,
        goods=goods,
        shipping=shipping,
        total=goods + shipping,
        points=points_for(goods, rules),
        lines=lines,
        promotion_ids=tuple(p.id for p in quote.promotions),
    )
