"""The amounts an order stores add up to the cent, whatever the basket (hypothesis).

From the engine's basket through the price engine's document and the connector's
mapping to the order's amounts: the path a checkout takes, minus the I/O.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from backoffice.pricing.documents import quote_document
from connectors.pricing.mapping import to_quote
from resolvers.order_amounts import CheckoutRules, order_amounts, shipping_for, tax_in
from tests.backoffice.pricing.test_properties import baskets, histories, price, rule_sets

ZERO = Decimal(0)
RULES = CheckoutRules()
fulfilments = st.sampled_from(["SHIP_TO_HOME", "SHIP_FROM_STORE", "CLICK_AND_COLLECT", "CARRY_OUT"])


@settings(max_examples=150, deadline=None)
@given(baskets, rule_sets(), histories, fulfilments)
def test_line_totals_and_shipping_add_up_to_the_order_total(lines, rules, history, fulfilment):
    quote = to_quote(quote_document(price(lines, rules, history)))
    skus = {line.variant_id: f"SKU-{line.variant_id}" for line in quote.lines}
    amounts = order_amounts(quote, skus=skus, fulfillment=fulfilment, rules=RULES)

    assert sum((line.total for line in amounts.lines), ZERO) + amounts.shipping == amounts.total
    assert amounts.subtotal - amounts.discount_total == amounts.goods
    for line in amounts.lines:
        # What the OMS checks of every line it is sent.
        discounts = sum((d.amount for d in line.discounts), ZERO)
        assert line.unit_list_amount * line.quantity - discounts == line.total
        assert all(d.amount > 0 for d in line.discounts)
        assert ZERO <= line.tax <= line.total
    assert amounts.points == int(amounts.goods.to_integral_value(rounding=ROUND_FLOOR))
    assert amounts.points >= 0


@settings(max_examples=100, deadline=None)
@given(baskets, rule_sets(), histories)
def test_re_pricing_the_same_cart_gives_the_same_order(lines, rules, history):
    quotes = [to_quote(quote_document(price(lines, rules, history))) for _ in range(2)]
    skus = {line.variant_id: line.variant_id for line in quotes[0].lines}
    assert order_amounts(quotes[0], skus=skus, fulfillment="SHIP_TO_HOME", rules=RULES) == (
        order_amounts(quotes[1], skus=skus, fulfillment="SHIP_TO_HOME", rules=RULES)
    )


def test_shipping_is_free_from_the_threshold_and_for_collection():
    assert shipping_for("SHIP_TO_HOME", Decimal("49.99"), RULES, "EUR") == Decimal("4.95")
    assert shipping_for("SHIP_TO_HOME", Decimal("50.00"), RULES, "EUR") == Decimal("0.00")
    assert shipping_for("CLICK_AND_COLLECT", Decimal("10.00"), RULES, "EUR") == Decimal("0.00")


def test_the_tax_in_a_price_is_rounded_half_up_once():
    # 39.95 incl. 21 % VAT holds 6.9334... of tax.
    assert tax_in(Decimal("39.95"), Decimal(21), "EUR") == Decimal("6.93")
    assert tax_in(Decimal("0.05"), Decimal(21), "EUR") == Decimal("0.01")
