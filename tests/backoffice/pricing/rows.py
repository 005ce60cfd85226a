"""A fresh price-engine database per test, builders for its rows, the service over them, a statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backoffice.pricing.models import ListPrice, PriceItem, Promotion
from backoffice.pricing.service import PricingService
from kernel.clock import FixedClock
from tests.backoffice.support import count_statements as count_statements
from tests.backoffice.support import database, text
from tests.backoffice.support import insert as insert
from tests.backoffice.support import sessions as sessions

#: "Now" in every pricing test: a promotion week runs from T0 - 1 day to T0 + 6 days.
T0 = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
WEEK_START = T0 - timedelta(days=1)
WEEK_END = T0 + timedelta(days=6)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    async with database("price_") as engine:
        yield engine


def service(sessions: async_sessionmaker[AsyncSession]) -> PricingService:
    return PricingService(sessions, clock=FixedClock(T0))


def list_price(
    variant_id: str, amount: str, channel: str = "DEFAULT", currency: str = "EUR"
) -> ListPrice:
    return ListPrice(
        variant_id=variant_id, channel=channel, currency=currency, amount=Decimal(amount)
    )


def item(variant_id: str, product_id: str, **overrides: Any) -> PriceItem:
    fields: dict[str, Any] = {
        "variant_id": variant_id,
        "product_id": product_id,
        "brand": None,
        "category_ids": [],
    }
    return PriceItem(**(fields | overrides))


def promotion(id: str, **overrides: Any) -> Promotion:
    """A PERCENT promotion in every test channel during the promotion week, unless overridden."""
    fields: dict[str, Any] = {
        "id": id,
        "name": text(f"Actie {id}", f"Promotion {id}"),
        "description": text(f"Beschrijving {id}", f"Description {id}"),
        "kind": "PERCENT",
        "percent": Decimal(10),
        "buy_quantity": None,
        "pay_quantity": None,
        "product_ids": None,
        "category_id": None,
        "brand": None,
        "channels": ["WEB", "POS"],
        "tiers": None,
        "cross_channel": False,
        "amount": None,
        "quantity_tiers": None,
        "bundle_ids": None,
        "min_subtotal": None,
        "coupon_code": None,
        "priority": 0,
        "combinable": False,
        "starts_at": WEEK_START,
        "ends_at": WEEK_END,
    }
    return Promotion(**(fields | overrides))
