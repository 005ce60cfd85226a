"""Refunds add up to the cent and never exceed what was paid, over any sequence of returns.

Orders come from the real path (engine basket with every rule type, order-level
discounts allocated to lines, the order's amounts); returns take random quantities of
random lines, by store or mail, until the order is complete or not (hypothesis).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backoffice.pricing.documents import quote_document
from connectors.orders.records import Order, OrderLine, Payment
from connectors.pricing.mapping import to_quote
from resolvers.order_amounts import CheckoutRules, order_amounts, points_for
from resolvers.refunds import (
    GOODS,
    RETURN_FEE,
    SHIPPING,
    RefundRules,
    ReturnedUnits,
    points_earned,
    refund_for,
)
from tests.backoffice.pricing.test_properties import baskets, histories, price, rule_sets

ZERO = Decimal(0)
POINTS = CheckoutRules()
RULES = RefundRules()


def _order(lines, rules, history, fulfilment: str, method: str = "CARD") -> Order:
    quote = to_quote(quote_document(price(lines, rules, history)))
    amounts = order_amounts(
        quote,
        skus={line.variant_id: line.variant_id for line in quote.lines},
        fulfillment=fulfilment,
        rules=POINTS,
    )
    return Order(
        id="o1",
        number="W1",
        channel="WEB",
        location_id=None,
        customer_id="c1",
        status="COMPLETED",
        placed_at=datetime(2026, 3, 1, tzinfo=UTC),
        currency=amounts.currency,
        lines=tuple(
            OrderLine(
                id=f"l{i}",
                variant_id=line.variant_id,
                sku=line.sku,
                quantity=line.quantity,
                unit_list_amount=line.unit_list_amount,
                discounts=line.discounts,
                tax=line.tax,
                total=line.total,
                returned_quantity=0,
            )
            for i, line in enumerate(amounts.lines)
        ),
        subtotal=amounts.subtotal,
        discount_total=amounts.discount_total,
        shipping=amounts.shipping,
        total=amounts.total,
        payments=(Payment(method, amounts.total),),
        fulfillments=(),
        history=(),
        version=1,
    )


def _after(order: Order, units: list[ReturnedUnits]) -> Order:
    """The order as the OMS keeps it once the return is registered."""
    taking = {unit.order_line_id: unit.quantity for unit in units}
    return dataclasses.replace(
        order,
        lines=tuple(
            dataclasses.replace(
                line, returned_quantity=line.returned_quantity + taking.get(line.id, 0)
            )
            for line in order.lines
        ),
    )


@st.composite
def return_sequences(draw, order: Order) -> list[tuple[str, str | None, list[ReturnedUnits]]]:
    """Returns of random parts of what is left, by store or mail, until done or stopped."""
    left = {line.id: line.quantity for line in order.lines}
    sequence = []
    while any(left.values()) and len(sequence) < 8:
        open_lines = sorted(line_id for line_id, n in left.items() if n)
        chosen = draw(st.lists(st.sampled_from(open_lines), min_size=1, unique=True))
        units = [ReturnedUnits(line_id, draw(st.integers(1, left[line_id]))) for line_id in chosen]
        for unit in units:
            left[unit.order_line_id] -= unit.quantity
        channel = draw(st.sampled_from(["STORE", "MAIL"]))
        sequence.append((channel, draw(st.sampled_from([None, "STANDARD", "GOLD"])), units))
        if draw(st.booleans()) and len(sequence) > 2:
            break
    return sequence


fulfilments = st.sampled_from(["SHIP_TO_HOME", "CLICK_AND_COLLECT"])


@settings(max_examples=200, deadline=None)
@given(st.data(), baskets, rule_sets(), histories, fulfilments, st.floats(0, 1))
def test_refunds_never_exceed_what_was_paid_and_add_up_to_the_cent(
    data, lines, rules, history, fulfilment, voucher_share
):
    order = _order(lines, rules, history, fulfilment)
    # Part of it paid by a voucher, the rest by card.
    by_voucher = (order.total * Decimal(voucher_share)).quantize(Decimal("0.01"), ROUND_DOWN)
    order = dataclasses.replace(
        order,
        payments=tuple(
            p
            for p in (Payment("VOUCHER", by_voucher), Payment("CARD", order.total - by_voucher))
            if p.amount > 0
        )
        or (Payment("CARD", order.total),),
    )
    earned = points_earned(order, POINTS)
    method = max(order.payments, key=lambda p: p.amount).method
    refunds = []
    for channel, tier, units in data.draw(return_sequences(order)):
        refund = refund_for(
            order, units, channel=channel, tier=tier, rules=RULES, points=POINTS, has_loyalty=True
        )
        refunds.append((channel, tier, refund))
        order = _after(order, units)

        parts = {c.kind: c.amount for c in refund.breakdown}
        assert refund.amount == sum(parts.values(), ZERO) >= 0
        assert refund.amount == refund.amount.quantize(Decimal("0.01"))
        assert parts[GOODS] >= 0
        assert (RETURN_FEE in parts) <= (channel == "MAIL")
        assert refund.method == method

    paid_goods = sum((line.total for line in order.lines), ZERO)
    goods = sum((dict((c.kind, c.amount) for c in r.breakdown)[GOODS] for _, _, r in refunds), ZERO)
    total = sum((r.amount for _, _, r in refunds), ZERO)
    assert total <= order.total
    assert goods <= paid_goods
    shipping = [r for _, _, r in refunds if any(c.kind == SHIPPING for c in r.breakdown)]
    assert len(shipping) <= 1
    points = sum(r.loyalty_points_reversed for _, _, r in refunds)
    assert 0 <= points <= earned <= points_for(paid_goods, POINTS)

    if all(line.returned_quantity == line.quantity for line in order.lines):
        # Everything came back: every cent of the goods, and all the points earned on them.
        assert goods == paid_goods
        assert points == earned
        _, last_tier, last = refunds[-1]
        if order.shipping > 0 and last_tier != "GOLD":
            assert shipping == [last]
        if all(channel == "STORE" for channel, _, _ in refunds) and last_tier != "GOLD":
            assert total == order.total
    else:
        assert not shipping


def _simple_order(*totals: tuple[int, str], shipping: str = "4.95", method: str = "CARD") -> Order:
    return Order(
        id="o1",
        number="W1",
        channel="WEB",
        location_id=None,
        customer_id="c1",
        status="COMPLETED",
        placed_at=datetime(2026, 3, 1, tzinfo=UTC),
        currency="EUR",
        lines=tuple(
            OrderLine(f"l{i}", f"v{i}", f"S{i}", n, Decimal(t), (), ZERO, Decimal(t), 0)
            for i, (n, t) in enumerate(totals)
        ),
        subtotal=sum((Decimal(t) for _, t in totals), ZERO),
        discount_total=ZERO,
        shipping=Decimal(shipping),
        total=sum((Decimal(t) for _, t in totals), ZERO) + Decimal(shipping),
        payments=(Payment(method, Decimal(1)),),
        fulfillments=(),
        history=(),
        version=1,
    )


def _refund(order: Order, *units: tuple[str, int], channel="STORE", tier=None, rules=RULES):
    return refund_for(
        order,
        [ReturnedUnits(line_id, q) for line_id, q in units],
        channel=channel,
        tier=tier,
        rules=rules,
        points=POINTS,
        has_loyalty=True,
    )


def test_thirds_of_a_line_refund_its_total_to_the_cent():
    # 10.00 for 3 units: 3.33, 3.34, 3.33 — not 3 × 3.33, which would keep a cent.
    order = _simple_order((3, "10.00"))
    amounts = []
    for _ in range(3):
        amounts.append(_refund(order, ("l0", 1)).breakdown[0].amount)
        order = _after(order, [ReturnedUnits("l0", 1)])
    assert amounts == [Decimal("3.33"), Decimal("3.34"), Decimal("3.33")]


def test_shipping_comes_back_with_the_last_item_except_to_gold_members():
    order = _simple_order((1, "20.00"), (1, "15.00"))
    first = _refund(order, ("l0", 1))
    assert [c.kind for c in first.breakdown] == [GOODS]
    order = _after(order, [ReturnedUnits("l0", 1)])
    assert _refund(order, ("l1", 1)).amount == Decimal("19.95")
    assert _refund(order, ("l1", 1), tier="GOLD").amount == Decimal("15.00")


def test_a_mail_return_pays_the_fee_never_below_zero():
    order = _simple_order((1, "20.00"), (1, "1.50"))
    assert _refund(order, ("l0", 1), channel="MAIL").amount == Decimal("17.05")
    cheap = _refund(order, ("l1", 1), channel="MAIL")
    assert cheap.amount == ZERO
    assert dict((c.kind, c.amount) for c in cheap.breakdown)[RETURN_FEE] == Decimal("-1.50")


def test_refunds_go_back_to_the_original_method_as_configured():
    order = _simple_order((1, "20.00"), method="GIFT_CARD")
    assert _refund(order, ("l0", 1)).method == "GIFT_CARD"
    mapped = RefundRules(refund_methods={"GIFT_CARD": "VOUCHER"})
    assert _refund(order, ("l0", 1), rules=mapped).method == "VOUCHER"
    with pytest.raises(ValueError, match="never refunded as CASH"):
        RefundRules(refund_methods={"CARD": "CASH"})
