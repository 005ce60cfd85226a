"""Items, promotions and quotes for the tests of the price engine's pure maths (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from backoffice.pricing.engine import (
    BasketLine,
    Item,
    PricedBasket,
    Promotion,
    Purchase,
    price_basket,
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
