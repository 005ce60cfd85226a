"""One test per promotion kind, then what becomes of coupon codes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from backoffice.pricing.engine import QuantityTier
from tests.backoffice.pricing.baskets import (
    BAG,
    NOW,
    PAINT,
    ROLLER,
    TAPE,
    line_discounts,
    quote,
    rule,
    totals,
)

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
