"""One test per promotion kind, then how rules combine, coupons and cross-channel counting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backoffice.pricing.engine import (
    BasketLine,
    Item,
    PricedBasket,
    Promotion,
    Purchase,
    QuantityTier,
    price_basket,
    price_unit,
)

NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
WEEK_START = NOW - timedelta(days=2)
PAINT = Item("V-PAINT", product_id="P-PAINT", brand="Polderverf", category_ids=frozenset({"c02"}))
ROLLER = Item(
    "V-ROLLER", product_id="P-ROLLER", brand="Polderverf", category_ids=frozenset({"c02"})
)
TAPE = Item("V-TAPE", product_id="P-TAPE", category_ids=frozenset({"c02"}))
BAG = Item("V-BAG", product_id="P-BAG", brand="Urban Carry", category_ids=frozenset({"c04"}))


def rule(id: str, kind: str, **fields: Any) -> Promotion:
    base: dict[str, Any] = {
        "id": id,
        "kind": kind,
        "starts_at": WEEK_START,
        "ends_at": WEEK_START + timedelta(days=7),
        "channels": frozenset({"WEB", "STORE"}),
        "name": {"nl": id, "en": id},
        "description": {"nl": "", "en": ""},
    }
    return Promotion(**(base | fields))


def quote(
    lines: list[tuple[Item, str, int]],
    promotions: list[Promotion],
    *,
    channel: str = "WEB",
    history: list[Purchase] | None = None,
    coupons: list[str] | None = None,
    tier: str | None = None,
) -> PricedBasket:
    return price_basket(
        [BasketLine(item, Decimal(amount), quantity) for item, amount, quantity in lines],
        promotions,
        channel=channel,
        tier=tier,
        at=NOW,
        currency="EUR",
        history=history or [],
        coupons=coupons or [],
    )


def line_discounts(basket: PricedBasket) -> list[list[tuple[str, Decimal]]]:
    return [[(d.promotion.id, d.amount) for d in line.discounts] for line in basket.lines]


def totals(basket: PricedBasket) -> tuple[Decimal, Decimal, Decimal]:
    return basket.subtotal, basket.discount_total, basket.total


# ---------- one test per rule kind ----------


def test_rule_percent_takes_a_percentage_off_every_targeted_unit():
    basket = quote(
        [(PAINT, "39.95", 2), (BAG, "89.95", 1)],
        [rule("R", "PERCENT", percent=Decimal(15), brand="Polderverf")],
    )

    assert line_discounts(basket) == [[("R", Decimal("11.99"))], []]  # 15 % of 79.90 = 11.985
    assert totals(basket) == (Decimal("169.85"), Decimal("11.99"), Decimal("157.86"))


def test_rule_amount_off_takes_an_amount_off_every_unit_never_below_zero():
    offers = [rule("R", "AMOUNT_OFF", amount=Decimal("2.00"), category_id="c02")]

    basket = quote([(ROLLER, "9.95", 3), (TAPE, "1.50", 2)], offers)

    assert line_discounts(basket) == [[("R", Decimal("6.00"))], [("R", Decimal("3.00"))]]
    assert [line.total for line in basket.lines] == [Decimal("23.85"), Decimal("0.00")]


def test_rule_fixed_price_sets_the_unit_price_when_lower():
    offers = [
        rule(
            "R",
            "FIXED_PRICE",
            amount=Decimal("9.99"),
            product_ids=frozenset({"P-ROLLER", "P-TAPE"}),
        )
    ]

    basket = quote([(ROLLER, "14.95", 2), (TAPE, "4.50", 1)], offers)

    assert line_discounts(basket) == [[("R", Decimal("9.92"))], []]  # tape is cheaper already
    assert [line.total for line in basket.lines] == [Decimal("19.98"), Decimal("4.50")]


def test_rule_multi_buy_three_for_two_gives_the_cheapest_units_free():
    offers = [rule("R", "MULTI_BUY", buy_quantity=3, pay_quantity=2, brand="Polderverf")]

    basket = quote([(PAINT, "39.95", 2), (ROLLER, "9.95", 1)], offers)

    assert line_discounts(basket) == [[], [("R", Decimal("9.95"))]]
    assert basket.total == Decimal("79.90")


def test_rule_bundle_for_a_fixed_total_counts_complete_sets_only():
    offers = [rule("R", "BUNDLE", bundle_ids=("P-PAINT", "V-ROLLER"), amount=Decimal("40.00"))]

    basket = quote([(PAINT, "39.95", 2), (ROLLER, "9.95", 1)], offers)

    # One set (39.95 + 9.95 = 49.90) for 40.00: 9.90 off, split 39.95 : 9.95 over the set.
    assert line_discounts(basket) == [[("R", Decimal("7.93"))], [("R", Decimal("1.97"))]]
    assert basket.total == Decimal("79.95")


def test_rule_bundle_for_a_percentage_off_the_set():
    offers = [rule("R", "BUNDLE", bundle_ids=("P-PAINT", "P-ROLLER"), percent=Decimal(20))]

    basket = quote([(PAINT, "40.00", 1), (ROLLER, "10.00", 2)], offers)

    assert line_discounts(basket) == [[("R", Decimal("8.00"))], [("R", Decimal("2.00"))]]
    assert quote([(PAINT, "40.00", 3)], offers).discount_total == Decimal("0.00")


def test_rule_tiered_applies_the_tier_the_quantity_reaches():
    tiers = (QuantityTier(3, Decimal(10)), QuantityTier(6, Decimal(20)))
    offers = [rule("R", "TIERED", quantity_tiers=tiers, product_ids=frozenset({"P-TAPE"}))]

    assert [quote([(TAPE, "5.00", q)], offers).total for q in (2, 3, 5, 6, 9)] == [
        Decimal("10.00"),  # 1-2 units: list
        Decimal("13.50"),  # 3-5: 10 % off
        Decimal("22.50"),
        Decimal("24.00"),  # 6+: 20 % off
        Decimal("36.00"),
    ]


def test_rule_order_takes_an_amount_off_from_a_threshold_after_line_discounts():
    offers = [
        rule("LINE", "PERCENT", percent=Decimal(50), product_ids=frozenset({"P-BAG"})),
        rule("ORDER", "ORDER", amount=Decimal("10.00"), min_subtotal=Decimal("100.00")),
    ]

    below = quote([(BAG, "150.00", 1)], offers)  # 75.00 after the line discount
    above = quote([(BAG, "150.00", 1), (PAINT, "40.00", 1)], offers)

    assert below.total == Decimal("75.00")
    # 10.00 allocated 75 : 40, the remainder on the last line.
    assert line_discounts(above) == [
        [("LINE", Decimal("75.00")), ("ORDER", Decimal("6.52"))],
        [("ORDER", Decimal("3.48"))],
    ]
    assert totals(above) == (Decimal("190.00"), Decimal("85.00"), Decimal("105.00"))


def test_rule_order_percent_is_allocated_proportionally():
    offers = [rule("ORDER", "ORDER", percent=Decimal(10))]

    basket = quote([(PAINT, "33.33", 1), (BAG, "66.67", 1), (TAPE, "0.01", 1)], offers)

    assert line_discounts(basket) == [
        [("ORDER", Decimal("3.33"))],
        [("ORDER", Decimal("6.67"))],
        [],
    ]
    assert (
        sum((line.total for line in basket.lines), Decimal(0)) == basket.total == Decimal("90.01")
    )


def test_rule_coupon_applies_only_when_its_code_is_passed():
    offers = [rule("R", "PERCENT", percent=Decimal(10), coupon_code="WELCOME10")]

    without = quote([(BAG, "50.00", 1)], offers)
    with_code = quote([(BAG, "50.00", 1)], offers, coupons=[" welcome10"])

    assert (without.total, without.coupons) == (Decimal("50.00"), ())
    assert with_code.total == Decimal("45.00")
    assert [(c.code, c.status) for c in with_code.coupons] == [("welcome10", "APPLIED")]


# ---------- coupon statuses ----------


def test_coupon_statuses_say_unknown_expired_and_not_applicable():
    ended = rule(
        "OLD",
        "PERCENT",
        percent=Decimal(10),
        coupon_code="SUMMER",
        ends_at=NOW - timedelta(days=1),
        starts_at=NOW - timedelta(days=9),
    )
    bags_only = rule(
        "BAGS", "PERCENT", percent=Decimal(10), coupon_code="BAGS10", category_id="c04"
    )
    store_only = rule(
        "POS", "PERCENT", percent=Decimal(10), coupon_code="STORE5", channels=frozenset({"STORE"})
    )

    basket = quote(
        [(PAINT, "10.00", 1)],
        [ended, bags_only, store_only],
        coupons=["NOPE", "SUMMER", "BAGS10", "STORE5", "nope"],
    )

    assert [(c.code, c.status) for c in basket.coupons] == [
        ("NOPE", "UNKNOWN"),
        ("SUMMER", "EXPIRED"),
        ("BAGS10", "NOT_APPLICABLE"),
        ("STORE5", "NOT_APPLICABLE"),
    ]
    assert basket.total == Decimal("10.00")


def test_a_coupon_that_loses_to_a_better_promotion_is_not_applicable():
    offers = [
        rule("BIG", "PERCENT", percent=Decimal(30)),
        rule("CODE", "PERCENT", percent=Decimal(10), coupon_code="TEN"),
    ]

    basket = quote([(BAG, "100.00", 1)], offers, coupons=["TEN"])

    assert line_discounts(basket) == [[("BIG", Decimal("30.00"))]]
    assert [c.status for c in basket.coupons] == ["NOT_APPLICABLE"]


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
