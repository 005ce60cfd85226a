"""How promotions combine (priority, stacking, order rules), cross-channel counting, and prices agreeing with baskets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from backoffice.pricing.engine import Item, Purchase, QuantityTier, price_unit
from tests.backoffice.pricing.baskets import (
    BAG,
    NOW,
    PAINT,
    TAPE,
    line_discounts,
    quote,
    rule,
    totals,
)

# ---------- priority and combination ----------


def test_combinable_rules_stack_in_priority_order_on_what_is_left():
    offers = [
        rule("B", "PERCENT", percent=Decimal(10), combinable=True, priority=2),
        rule("A", "AMOUNT_OFF", amount=Decimal("5.00"), combinable=True, priority=1),
    ]

    basket = quote([(BAG, "50.00", 1)], offers)

    # A first: 50.00 - 5.00 = 45.00; then B: 10 % of 45.00 = 4.50.
    assert line_discounts(basket) == [[("A", Decimal("5.00")), ("B", Decimal("4.50"))]]
    assert basket.total == Decimal("40.50")


def test_the_stack_wins_over_a_smaller_exclusive_rule_and_loses_to_a_larger_one():
    stack = [
        rule("S1", "PERCENT", percent=Decimal(10), combinable=True),
        rule("S2", "PERCENT", percent=Decimal(10), combinable=True),
    ]  # together 19 %

    small = quote([(BAG, "100.00", 1)], [*stack, rule("X", "PERCENT", percent=Decimal(15))])
    large = quote([(BAG, "100.00", 1)], [*stack, rule("X", "PERCENT", percent=Decimal(20))])
    tie = quote([(BAG, "100.00", 1)], [*stack, rule("X", "PERCENT", percent=Decimal(19))])

    assert line_discounts(small) == [[("S1", Decimal("10.00")), ("S2", Decimal("9.00"))]]
    assert line_discounts(large) == [[("X", Decimal("20.00"))]]
    assert line_discounts(tie) == [[("X", Decimal("19.00"))]]  # a tie goes to the single rule


def test_each_line_chooses_for_itself():
    offers = [
        rule("X", "PERCENT", percent=Decimal(25), brand="Urban Carry"),
        rule("S", "PERCENT", percent=Decimal(10), combinable=True),
    ]

    basket = quote([(BAG, "100.00", 1), (PAINT, "10.00", 1)], offers)

    assert line_discounts(basket) == [[("X", Decimal("25.00"))], [("S", Decimal("1.00"))]]


def test_equal_exclusive_rules_go_to_the_lower_priority_then_the_lower_id():
    offers = [
        rule("A", "PERCENT", percent=Decimal(10), priority=5),
        rule("B", "PERCENT", percent=Decimal(10), priority=1),
        rule("C", "PERCENT", percent=Decimal(10), priority=1),
    ]

    assert line_discounts(quote([(BAG, "10.00", 1)], offers)) == [[("B", Decimal("1.00"))]]


def test_order_rules_follow_the_same_policy_after_line_rules():
    offers = [
        rule("O1", "ORDER", amount=Decimal("5.00"), combinable=True, priority=1),
        rule("O2", "ORDER", percent=Decimal(10), combinable=True, priority=2),
        rule("OX", "ORDER", amount=Decimal("12.00")),
    ]

    stacked = quote([(BAG, "100.00", 1)], offers)  # 5.00 + 9.50 = 14.50 > 12.00
    single = quote([(BAG, "50.00", 1)], offers)  # 5.00 + 4.50 = 9.50 < 12.00

    assert line_discounts(stacked) == [[("O1", Decimal("5.00")), ("O2", Decimal("9.50"))]]
    assert line_discounts(single) == [[("OX", Decimal("12.00"))]]
    assert [d.promotion.id for d in stacked.promotions] == ["O1", "O2"]


def test_line_level_discounts_are_listed_before_order_level_ones():
    offers = [
        rule("O", "ORDER", percent=Decimal(10), priority=0),
        rule("L", "PERCENT", percent=Decimal(10), priority=9),
    ]

    basket = quote([(BAG, "100.00", 1)], offers)

    assert line_discounts(basket) == [[("L", Decimal("10.00")), ("O", Decimal("9.00"))]]
    assert [d.promotion.id for d in basket.promotions] == ["L", "O"]


# ---------- cross-channel (DESIGN.md §7, journey 1) ----------

PAINT_3FOR2 = rule(
    "pr01",
    "MULTI_BUY",
    buy_quantity=3,
    pay_quantity=2,
    product_ids=frozenset({"P-PAINT"}),
    cross_channel=True,
)


def bought(quantity: int, days_ago: float, channel: str = "STORE", item: Item = PAINT) -> Purchase:
    return Purchase(item, quantity, NOW - timedelta(days=days_ago), channel)


def test_journey_1_a_can_bought_in_store_makes_the_third_online_can_free():
    basket = quote([(PAINT, "39.95", 2)], [PAINT_3FOR2], history=[bought(1, days_ago=2)])

    assert line_discounts(basket) == [[("pr01", Decimal("39.95"))]]
    assert totals(basket) == (Decimal("79.90"), Decimal("39.95"), Decimal("39.95"))


def test_journey_1_without_the_store_purchase_two_cans_cost_full_price():
    assert quote([(PAINT, "39.95", 2)], [PAINT_3FOR2]).total == Decimal("79.90")


def test_a_free_unit_is_never_given_twice():
    # Three earlier cans already had their free one; two more make five: still one free in all.
    basket = quote([(PAINT, "39.95", 2)], [PAINT_3FOR2], history=[bought(3, days_ago=1)])
    four_more = quote(
        [(PAINT, "39.95", 4)], [PAINT_3FOR2], history=[bought(2, 1), bought(1, 0.5, "APP")]
    )

    assert basket.discount_total == Decimal("0.00")
    assert four_more.discount_total == Decimal("39.95")  # 3 + 4 = 7 units: 2 free, 1 before


def test_purchases_outside_the_period_or_of_other_products_do_not_count():
    history = [bought(1, days_ago=3), bought(5, days_ago=1, item=BAG)]  # before the start; a bag

    assert quote([(PAINT, "39.95", 2)], [PAINT_3FOR2], history=history).discount_total == Decimal(
        "0.00"
    )


def test_a_promotion_that_is_not_cross_channel_ignores_the_history():
    local = rule(
        "L", "MULTI_BUY", buy_quantity=3, pay_quantity=2, product_ids=frozenset({"P-PAINT"})
    )

    assert quote([(PAINT, "39.95", 2)], [local], history=[bought(1, 1)]).discount_total == Decimal(
        "0.00"
    )


def test_a_cross_channel_tiered_rule_counts_earlier_units_for_the_tier():
    tiers = (QuantityTier(3, Decimal(10)),)
    offers = [
        rule(
            "T",
            "TIERED",
            quantity_tiers=tiers,
            product_ids=frozenset({"P-TAPE"}),
            cross_channel=True,
        )
    ]

    basket = quote([(TAPE, "5.00", 2)], offers, history=[bought(1, 1, item=TAPE)])

    assert basket.total == Decimal("9.00")


# ---------- prices agree with baskets ----------


@pytest.mark.parametrize("quantity", [1, 2, 3, 4, 7])
def test_a_price_total_is_the_quote_of_that_one_line(quantity):
    offers = [
        rule(
            "pr01", "MULTI_BUY", buy_quantity=3, pay_quantity=2, product_ids=frozenset({"P-PAINT"})
        ),
        rule("S", "PERCENT", percent=Decimal(5), combinable=True),
        rule("O", "ORDER", amount=Decimal(1), min_subtotal=Decimal(1000)),
    ]

    price = price_unit(
        PAINT,
        Decimal("39.95"),
        offers,
        channel="WEB",
        tier=None,
        quantity=quantity,
        at=NOW,
        currency="EUR",
    )
    basket = quote([(PAINT, "39.95", quantity)], offers)

    assert price.total == basket.total
    if quantity == 3:
        assert (price.amount, price.total) == (Decimal("26.63"), Decimal("79.90"))


def test_a_price_leaves_out_order_rules_and_coupons():
    offers = [
        rule("O", "ORDER", percent=Decimal(10)),
        rule("C", "PERCENT", percent=Decimal(10), coupon_code="X"),
    ]

    price = price_unit(
        BAG, Decimal("50.00"), offers, channel="WEB", tier=None, quantity=1, at=NOW, currency="EUR"
    )

    assert (price.amount, price.total, price.discounts) == (Decimal("50.00"), Decimal("50.00"), ())
