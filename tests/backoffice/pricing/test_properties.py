"""Properties every quote keeps, whatever the basket and the promotions (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from backoffice.pricing.allocation import split
from backoffice.pricing.engine import (
    BasketLine,
    Item,
    PricedBasket,
    PricedLine,
    Promotion,
    Purchase,
    QuantityTier,
    price_basket,
)

NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
ITEMS = [
    Item(f"V{i}", product_id=f"P{i % 4}", brand=f"B{i % 3}", category_ids=frozenset({f"C{i % 2}"}))
    for i in range(6)
]
ZERO = Decimal(0)

cents = st.integers(min_value=0, max_value=20_000).map(lambda c: Decimal(c).scaleb(-2))
percents = st.integers(min_value=1, max_value=100).map(Decimal)
targets = st.sampled_from(
    [
        {},
        {"product_ids": frozenset({"P1", "P2"})},
        {"category_id": "C0"},
        {"brand": "B1"},
    ]
)


@st.composite
def promotions(draw: st.DrawFn, index: int) -> Promotion:
    kind = draw(
        st.sampled_from(
            ["PERCENT", "AMOUNT_OFF", "FIXED_PRICE", "MULTI_BUY", "BUNDLE", "TIERED", "ORDER"]
        )
    )
    fields: dict[str, object] = {}
    if kind == "PERCENT":
        fields["percent"] = draw(percents)
    elif kind in ("AMOUNT_OFF", "FIXED_PRICE"):
        fields["amount"] = draw(cents.filter(lambda c: c > 0))
    elif kind == "MULTI_BUY":
        buy = draw(st.integers(2, 5))
        fields |= {"buy_quantity": buy, "pay_quantity": draw(st.integers(0, buy - 1))}
    elif kind == "BUNDLE":
        fields["bundle_ids"] = tuple(
            draw(st.sets(st.sampled_from(["P0", "P1", "V2", "V5"]), min_size=2, max_size=3))
        )
        fields |= draw(st.sampled_from([{"percent": Decimal(25)}, {"amount": Decimal("3.00")}]))
    elif kind == "TIERED":
        fields["quantity_tiers"] = (QuantityTier(2, Decimal(10)), QuantityTier(4, draw(percents)))
    else:
        fields |= draw(st.sampled_from([{"percent": Decimal(10)}, {"amount": Decimal("7.50")}]))
        fields["min_subtotal"] = draw(st.sampled_from([None, Decimal("20.00")]))
    return Promotion(
        id=f"R{index:02d}",
        kind=kind,  # type: ignore[arg-type]
        starts_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(days=1),
        channels=frozenset({"WEB"}),
        name={"en": kind},
        description={"en": ""},
        priority=draw(st.integers(0, 3)),
        combinable=draw(st.booleans()),
        cross_channel=draw(st.booleans()),
        **fields,  # type: ignore[arg-type]
        **(draw(targets) if kind != "ORDER" or draw(st.booleans()) else {}),
    )


@st.composite
def rule_sets(draw: st.DrawFn) -> list[Promotion]:
    count = draw(st.integers(0, 6))
    return [draw(promotions(i)) for i in range(count)]


baskets = st.lists(
    st.tuples(st.sampled_from(ITEMS), st.integers(1, 7)),
    min_size=1,
    max_size=6,
)
histories = st.lists(
    st.tuples(st.sampled_from(ITEMS), st.integers(1, 4), st.integers(0, 47)),
    max_size=3,
)
PRICES = {
    item.variant_id: Decimal(f"{3 + 7 * i}.{(i * 37) % 100:02d}") for i, item in enumerate(ITEMS)
}


def _priced(line: PricedLine) -> tuple[object, ...]:
    discounts = tuple((d.promotion.id, d.amount) for d in line.discounts)
    return (line.item.variant_id, line.unit_list_amount, line.quantity, line.total, discounts)


def price(
    lines: list[tuple[Item, int]],
    rules: list[Promotion],
    history: list[tuple[Item, int, int]] = (),  # type: ignore[assignment]
) -> PricedBasket:
    return price_basket(
        [BasketLine(item, PRICES[item.variant_id], quantity) for item, quantity in lines],
        rules,
        channel="WEB",
        tier=None,
        at=NOW,
        currency="EUR",
        history=[Purchase(item, q, NOW - timedelta(hours=h), "STORE") for item, q, h in history],
    )


@settings(max_examples=150, deadline=None)
@given(baskets, rule_sets(), histories)
def test_line_totals_always_add_up_to_the_quote_total(lines, rules, history):
    basket = price(lines, rules, history)

    assert sum((line.total for line in basket.lines), ZERO) == basket.total
    assert basket.subtotal - basket.discount_total == basket.total
    assert sum((d.amount for d in basket.promotions), ZERO) == basket.discount_total
    for line in basket.lines:
        gross = line.unit_list_amount * line.quantity
        assert line.total == gross - sum((d.amount for d in line.discounts), ZERO)


@settings(max_examples=150, deadline=None)
@given(baskets, rule_sets(), histories)
def test_allocations_and_totals_are_never_negative(lines, rules, history):
    basket = price(lines, rules, history)

    assert all(d.amount > 0 for line in basket.lines for d in line.discounts)
    assert all(line.total >= 0 for line in basket.lines)
    assert basket.total >= 0


@settings(max_examples=100, deadline=None)
@given(baskets, rule_sets(), st.randoms(use_true_random=False))
def test_repricing_is_deterministic_and_order_free(lines, rules, rnd):
    first = price(lines, rules)
    again = price(lines, rules)
    shuffled_rules = list(rules)
    rnd.shuffle(shuffled_rules)
    shuffled_lines = list(lines)
    rnd.shuffle(shuffled_lines)

    assert again == first
    assert price(lines, shuffled_rules) == first
    other = price(shuffled_lines, rules)
    # Reordered lines come back in their new order, priced as before: the engine prices
    # them in one canonical order, so every rounding remainder lands where it did.
    assert (other.subtotal, other.discount_total, other.total) == (
        first.subtotal,
        first.discount_total,
        first.total,
    )
    assert other.promotions == first.promotions
    assert [line.item for line in other.lines] == [item for item, _ in shuffled_lines]
    assert sorted(map(_priced, other.lines)) == sorted(map(_priced, first.lines))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(cents, cents), min_size=1, max_size=6),
    st.integers(0, 100),
)
def test_a_split_is_exact_within_its_caps(pairs, percent):
    weights = [w for w, _ in pairs]
    caps = [c for _, c in pairs]
    total = (sum(caps, ZERO) * percent / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")

    parts = split(total, weights, caps, "EUR")

    assert sum(parts, ZERO) == total
    assert all(ZERO <= part <= cap for part, cap in zip(parts, caps, strict=True))


def test_a_split_puts_the_remainder_on_the_last_line():
    assert split(Decimal("10.00"), [Decimal(1)] * 3, [Decimal(10)] * 3, "EUR") == [
        Decimal("3.33"),
        Decimal("3.33"),
        Decimal("3.34"),
    ]


def test_a_split_never_gives_a_line_a_negative_share():
    # kernel.money.allocate alone gives [0.01, 0.01, -0.01] here.
    parts = split(
        Decimal("0.01"), [Decimal(1), Decimal(1), ZERO], [Decimal("0.01")] * 2 + [ZERO], "EUR"
    )

    assert parts == [Decimal("0.00"), Decimal("0.01"), Decimal("0.00")] or parts == [
        Decimal("0.01"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]
