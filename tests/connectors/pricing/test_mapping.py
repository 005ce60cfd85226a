from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import SourceContractViolation
from connectors.pricing.mapping import (
    from_purchase,
    from_quote_line,
    to_price,
    to_promotion,
    to_quote,
)
from connectors.pricing.records import (
    AppliedPromotion,
    CouponResult,
    LineDiscount,
    Price,
    PurchaseRecord,
    QuantityTier,
    Quote,
    QuotedLine,
    QuoteLineRequest,
)

NAME = {"nl": "15% op verf", "en": "15% off paint"}
PRICE = {
    "variant_id": "V-1",
    "channel": "WEB",
    "quantity": 1,
    "currency": "EUR",
    "list_amount": "19.99",
    "amount": "16.99",
    "total": "16.99",
    "promotions": [
        {"id": "PR-15", "name": NAME, "description": {}, "kind": "PERCENT", "discount": "3.00"}
    ],
    "valid_until": "2026-06-09T12:00:00+00:00",
}
QUOTE: dict[str, Any] = {
    "currency": "EUR",
    "lines": [
        {
            "variant_id": "V-1",
            "quantity": 3,
            "unit_list_amount": "19.99",
            "discounts": [
                {"promotion_id": "PR-15", "name": NAME, "kind": "PERCENT", "amount": "9.00"}
            ],
            "total": "50.97",
        }
    ],
    "subtotal": "59.97",
    "discount_total": "9.00",
    "total": "50.97",
    "promotions": [
        {"id": "PR-15", "name": NAME, "description": {}, "kind": "PERCENT", "discount": "9.00"}
    ],
    "coupons": [{"code": "EXTRA10", "status": "NOT_APPLICABLE"}],
}


def test_a_price_document_becomes_a_price_with_exact_amounts():
    assert to_price(PRICE) == Price(
        variant_id="V-1",
        currency="EUR",
        list_amount=Decimal("19.99"),
        amount=Decimal("16.99"),
        promotions=(AppliedPromotion("PR-15", NAME, {}, Decimal("3.00"), "PERCENT"),),
        valid_until=datetime(2026, 6, 9, 12, 0, tzinfo=UTC),
        total=Decimal("16.99"),
    )


def test_a_price_may_be_valid_indefinitely_and_any_offset_becomes_utc():
    indefinite = to_price(PRICE | {"valid_until": None})
    amsterdam = to_price(PRICE | {"valid_until": "2026-06-09T14:00:00+02:00"})

    assert indefinite.valid_until is None
    assert amsterdam.valid_until == datetime(2026, 6, 9, 12, 0, tzinfo=UTC)
    assert amsterdam.valid_until is not None
    assert amsterdam.valid_until.tzinfo is UTC


def test_a_quote_document_becomes_a_quote():
    assert to_quote(QUOTE) == Quote(
        currency="EUR",
        lines=(
            QuotedLine(
                variant_id="V-1",
                quantity=3,
                unit_list_amount=Decimal("19.99"),
                discounts=(LineDiscount("PR-15", NAME, Decimal("9.00"), "PERCENT"),),
                total=Decimal("50.97"),
            ),
        ),
        subtotal=Decimal("59.97"),
        discount_total=Decimal("9.00"),
        total=Decimal("50.97"),
        promotions=(AppliedPromotion("PR-15", NAME, {}, Decimal("9.00"), "PERCENT"),),
        coupons=(CouponResult("EXTRA10", "NOT_APPLICABLE"),),
    )


def test_a_quote_line_request_becomes_a_document():
    assert from_quote_line(QuoteLineRequest("V-1", 2)) == {"variant_id": "V-1", "quantity": 2}


def test_a_purchase_becomes_a_history_line():
    purchase = PurchaseRecord("o1", "STORE", datetime(2026, 6, 1, 10, tzinfo=UTC), "V-1", 1)

    assert from_purchase(purchase) == {
        "order_id": "o1",
        "channel": "STORE",
        "placed_at": "2026-06-01T10:00:00+00:00",
        "variant_id": "V-1",
        "quantity": 1,
    }


PROMOTION = {
    "id": "pr13",
    "kind": "TIERED",
    "name": NAME,
    "description": {},
    "priority": 0,
    "combinable": False,
    "cross_channel": True,
    "requires_coupon": False,
    "channels": ["STORE", "WEB"],
    "tiers": None,
    "product_ids": None,
    "category_id": "c0205",
    "brand": None,
    "bundle_ids": None,
    "percent": None,
    "amount": None,
    "buy_quantity": None,
    "pay_quantity": None,
    "quantity_tiers": [{"min_quantity": 3, "percent": "10.00"}],
    "min_subtotal": None,
    "starts_at": "2026-06-01T00:00:00+00:00",
    "ends_at": "2026-07-01T00:00:00+00:00",
}


def test_a_promotion_document_becomes_a_promotion():
    promotion = to_promotion(PROMOTION)

    assert (promotion.kind, promotion.cross_channel, promotion.channels) == (
        "TIERED",
        True,
        ("STORE", "WEB"),
    )
    assert promotion.quantity_tiers == (QuantityTier(3, Decimal("10.00")),)
    assert promotion.starts_at == datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "FREEBIE"}, "unknown promotion kind"),
        ({"cross_channel": "yes"}, "expected a boolean"),
        ({"quantity_tiers": [{"min_quantity": 0, "percent": "10"}]}, "whole number"),
    ],
)
def test_a_broken_promotion_document_is_a_contract_violation(changes, message):
    with pytest.raises(SourceContractViolation, match=message):
        to_promotion(PROMOTION | changes)


def test_an_unknown_coupon_status_is_a_contract_violation():
    doc = copy.deepcopy(QUOTE)
    doc["coupons"] = [{"code": "X", "status": "MAYBE"}]

    with pytest.raises(SourceContractViolation, match="coupon status"):
        to_quote(doc)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": 16.99}, "expected a string"),  # floats cannot hold cents
        ({"amount": "sixteen"}, "malformed"),
        ({"amount": "NaN"}, "expected an amount"),
        ({"valid_until": "2026-06-09T12:00:00"}, "UTC offset"),
        ({"valid_until": "next week"}, "malformed"),
        ({"promotions": [{"id": "PR-15", "name": NAME, "description": {}}]}, "'discount'"),
    ],
)
def test_a_broken_price_document_is_a_contract_violation(changes, message):
    with pytest.raises(SourceContractViolation, match=message) as caught:
        to_price(PRICE | changes)

    assert caught.value.source == "pricing"


@pytest.mark.parametrize("quantity", ["3", 3.0, True, None])
def test_a_quote_line_with_a_wrong_quantity_is_a_contract_violation(quantity):
    doc = copy.deepcopy(QUOTE)
    doc["lines"][0]["quantity"] = quantity

    with pytest.raises(SourceContractViolation, match="expected a whole number"):
        to_quote(doc)
