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
    QuantityTier,
    UnitPrice,
    price_basket,
    price_unit,
)

NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
PAINT = Item("V-PAINT", product_id="P-PAINT", brand="Flexa", category_ids=frozenset({"paint"}))
BAG = Item("V-BAG", product_id="P-BAG", brand="Vandenberg", category_ids=frozenset({"bags"}))


def promotion(id: str = "PR-1", **overrides: Any) -> Promotion:
    fields: dict[str, Any] = {
        "id": id,
        "kind": "PERCENT",
        "percent": Decimal(15),
        "starts_at": NOW - timedelta(days=1),
        "ends_at": NOW + timedelta(days=6),
        "channels": frozenset({"WEB", "POS"}),
        "name": {"nl": f"Actie {id}", "en": f"Promotion {id}"},
        "description": {"nl": "", "en": ""},
    }
    return Promotion(**(fields | overrides))


def three_for_two(id: str = "PR-3FOR2", **overrides: Any) -> Promotion:
    return promotion(
        id, kind="MULTI_BUY", percent=None, buy_quantity=3, pay_quantity=2, **overrides
    )


def unit(
    list_amount: str,
    promotions: list[Promotion],
    *,
    quantity: int = 1,
    channel: str = "WEB",
    tier: str | None = None,
    at: datetime = NOW,
    item: Item = PAINT,
) -> UnitPrice:
    return price_unit(
        item,
        Decimal(list_amount),
        promotions,
        channel=channel,
        tier=tier,
        quantity=quantity,
        at=at,
        currency="EUR",
    )


# ---------- one unit ----------


def test_percent_off_rounds_half_up_to_the_cent():
    price = unit("19.99", [promotion(percent=Decimal(15))])  # 2.9985 off

    assert (price.list_amount, price.amount) == (Decimal("19.99"), Decimal("16.99"))
    assert [d.amount for d in price.discounts] == [Decimal("3.00")]


def test_an_exact_half_cent_rounds_up_not_to_even():
    price = unit("10.05", [promotion(percent=Decimal(50))])  # 5.025 off

    assert price.amount == Decimal("5.02")


@pytest.mark.parametrize(
    ("quantity", "unit_discount", "line_discount"),
    [
        (1, "0.00", "0.00"),
        (2, "0.00", "0.00"),
        (3, "3.33", "10.00"),
        (4, "2.50", "10.00"),
        (6, "3.33", "20.00"),
    ],
)
def test_three_for_two_gives_one_unit_free_per_complete_three(
    quantity, unit_discount, line_discount
):
    price = unit("10.00", [three_for_two()], quantity=quantity)

    assert price.list_amount - price.amount == Decimal(unit_discount)
    assert price.total == Decimal("10.00") * quantity - Decimal(line_discount)


def test_a_multi_buy_below_its_quantity_is_not_applied():
    price = unit("10.00", [three_for_two()], quantity=2)

    assert (price.amount, price.discounts) == (Decimal("10.00"), ())


def test_promotions_do_not_stack_the_largest_discount_wins():
    offers = [promotion("PR-10", percent=Decimal(10)), three_for_two()]

    one = unit("10.00", offers, quantity=1)
    three = unit("10.00", offers, quantity=3)

    assert (one.amount, [d.promotion.id for d in one.discounts]) == (Decimal("9.00"), ["PR-10"])
    assert (three.amount, [d.promotion.id for d in three.discounts]) == (
        Decimal("6.67"),
        ["PR-3FOR2"],
    )


def test_on_a_tie_the_lowest_promotion_id_wins():
    price = unit("10.00", [promotion("PR-B"), promotion("PR-A"), promotion("PR-C")])

    assert [d.promotion.id for d in price.discounts] == ["PR-A"]


@pytest.mark.parametrize(
    ("at", "applies"),
    [
        (NOW - timedelta(days=1, seconds=1), False),  # not started
        (NOW - timedelta(days=1), True),  # starts_at is inclusive
        (NOW + timedelta(days=6, seconds=-1), True),
        (NOW + timedelta(days=6), False),  # ends_at is exclusive
    ],
)
def test_a_promotion_applies_from_its_start_until_its_end(at, applies):
    price = unit("10.00", [promotion(percent=Decimal(10))], at=at)

    assert price.amount == (Decimal("9.00") if applies else Decimal("10.00"))


@pytest.mark.parametrize(("tier", "applies"), [(None, False), ("SILVER", False), ("GOLD", True)])
def test_a_tier_promotion_applies_to_that_tier_only(tier, applies):
    price = unit("10.00", [promotion(tiers=frozenset({"GOLD"}))], tier=tier)

    assert bool(price.discounts) is applies


def test_a_promotion_applies_only_in_its_channels():
    offers = [promotion(channels=frozenset({"WEB"}))]

    assert unit("10.00", offers, channel="WEB").discounts
    assert not unit("10.00", offers, channel="POS").discounts


@pytest.mark.parametrize(
    ("targeting", "applies"),
    [
        ({}, True),  # none set: everything
        ({"product_ids": frozenset({"P-PAINT"})}, True),
        ({"product_ids": frozenset({"P-BAG"})}, False),
        ({"product_ids": frozenset()}, False),  # set but empty: nothing
        ({"category_id": "paint"}, True),
        ({"category_id": "bags"}, False),
        ({"brand": "Flexa"}, True),
        ({"brand": "Vandenberg"}, False),
        ({"brand": "Vandenberg", "category_id": "paint"}, True),  # any target matches
    ],
)
def test_a_promotion_targets_products_a_category_or_a_brand(targeting, applies):
    price = unit("10.00", [promotion(**targeting)], item=PAINT)

    assert bool(price.discounts) is applies


def test_a_price_is_valid_until_the_applied_promotion_ends():
    price = unit("10.00", [promotion()])

    assert price.valid_until == NOW + timedelta(days=6)


def test_a_price_is_valid_until_a_promotion_that_would_target_it_starts():
    starts = NOW + timedelta(days=2)
    offers = [
        promotion("PR-NOW"),
        promotion("PR-LATER", starts_at=starts, ends_at=NOW + timedelta(days=9)),
        # Neither of these can change this price, so neither bounds it.
        promotion("PR-POS", starts_at=NOW + timedelta(days=1), channels=frozenset({"POS"})),
        promotion("PR-BAGS", starts_at=NOW + timedelta(days=1), brand="Vandenberg"),
    ]

    price = unit("10.00", offers)

    assert price.valid_until == starts


def test_a_price_without_any_promotion_boundary_is_valid_indefinitely():
    assert unit("10.00", [promotion(channels=frozenset({"POS"}))]).valid_until is None


def test_a_losing_promotion_ending_does_not_bound_the_price():
    offers = [
        promotion("PR-BIG", percent=Decimal(20)),
        promotion("PR-SMALL", percent=Decimal(5), ends_at=NOW + timedelta(hours=1)),
    ]

    assert unit("10.00", offers).valid_until == NOW + timedelta(days=6)


@pytest.mark.parametrize(
    "broken",
    [
        {"percent": None},
        {"percent": Decimal(0)},
        {"percent": Decimal(101)},
        {"kind": "MULTI_BUY", "buy_quantity": 2, "pay_quantity": 2},
        {"kind": "MULTI_BUY", "buy_quantity": None, "pay_quantity": 1},
        {"kind": "BOGUS"},
        {"kind": "AMOUNT_OFF", "percent": None},
        {"kind": "FIXED_PRICE", "percent": None, "amount": Decimal(-1)},
        {"kind": "BUNDLE", "bundle_ids": ("P-PAINT",)},
        {"kind": "BUNDLE", "bundle_ids": ("P-PAINT", "P-BAG"), "amount": Decimal(5)},
        {"kind": "TIERED", "percent": None},
        {
            "kind": "TIERED",
            "percent": None,
            "quantity_tiers": (QuantityTier(3, Decimal(10)), QuantityTier(2, Decimal(20))),
        },
        {"kind": "ORDER", "amount": Decimal(5)},
        {"coupon_code": "  "},
        {"ends_at": NOW - timedelta(days=1)},
    ],
)
def test_a_promotion_that_cannot_be_computed_is_refused(broken):
    with pytest.raises(ValueError, match="promotion PR-1"):
        promotion(**broken)


# ---------- a basket ----------


def basket(lines: list[tuple[Item, str, int]], promotions: list[Promotion]) -> PricedBasket:
    return price_basket(
        [BasketLine(item, Decimal(amount), quantity) for item, amount, quantity in lines],
        promotions,
        channel="WEB",
        tier=None,
        at=NOW,
        currency="EUR",
    )


def test_a_basket_line_rounds_its_percent_discount_once_over_the_line():
    quote = basket([(PAINT, "19.99", 3)], [promotion(percent=Decimal(15))])  # 8.9955 off

    (line,) = quote.lines
    assert [d.amount for d in line.discounts] == [Decimal("9.00")]
    assert line.total == Decimal("50.97")
    assert (quote.subtotal, quote.discount_total, quote.total) == (
        Decimal("59.97"),
        Decimal("9.00"),
        Decimal("50.97"),
    )


def test_lines_of_one_variant_count_together_for_a_multi_buy():
    quote = basket([(PAINT, "10.00", 1), (BAG, "50.00", 1), (PAINT, "10.00", 2)], [three_for_two()])

    # One free can, split 1:2 over the paint lines with the remainder on the last one.
    assert [[d.amount for d in line.discounts] for line in quote.lines] == [
        [Decimal("3.33")],
        [],
        [Decimal("6.67")],
    ]
    assert [line.total for line in quote.lines] == [
        Decimal("6.67"),
        Decimal("50.00"),
        Decimal("13.33"),
    ]
    assert (quote.subtotal, quote.discount_total, quote.total) == (
        Decimal("80.00"),
        Decimal("10.00"),
        Decimal("70.00"),
    )
    assert [(d.promotion.id, d.amount) for d in quote.promotions] == [
        ("PR-3FOR2", Decimal("10.00"))
    ]


def test_each_line_gets_its_own_best_promotion_and_the_quote_sums_them():
    offers = [
        three_for_two(brand="Flexa"),
        promotion("PR-BAGS", brand="Vandenberg", percent=Decimal(20)),
    ]

    quote = basket([(PAINT, "10.00", 3), (BAG, "50.00", 2)], offers)

    assert [[(d.promotion.id, d.amount) for d in line.discounts] for line in quote.lines] == [
        [("PR-3FOR2", Decimal("10.00"))],
        [("PR-BAGS", Decimal("20.00"))],
    ]
    assert quote.total == Decimal("100.00")
    assert [d.promotion.id for d in quote.promotions] == ["PR-3FOR2", "PR-BAGS"]


def test_a_basket_ignores_promotions_not_active_now():
    later = promotion(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2))

    quote = basket([(PAINT, "10.00", 1)], [later])

    assert (quote.discount_total, quote.promotions) == (Decimal("0.00"), ())
