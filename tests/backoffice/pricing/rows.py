"""A fresh price-engine database per test, builders for its rows, and a statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backoffice.db import Base, create_engine, sessionmaker
from backoffice.pricing.models import ListPrice, PriceItem, Promotion

#: "Now" in every pricing test: a promotion week runs from T0 - 1 day to T0 + 6 days.
T0 = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
WEEK_START = T0 - timedelta(days=1)
WEEK_END = T0 + timedelta(days=6)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = create_engine("sqlite+aiosqlite://")
    # Only this system's tables: creating all of them would triple the setup time.
    tables = [t for name, t in Base.metadata.tables.items() if name.startswith("price_")]
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=tables)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return sessionmaker(engine)


async def insert(sessions: async_sessionmaker[AsyncSession], *rows: Base) -> None:
    async with sessions.begin() as session:
        session.add_all(rows)


def text(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


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
        "starts_at": WEEK_START,
        "ends_at": WEEK_END,
    }
    return Promotion(**(fields | overrides))


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Collect the SQL statements the engine sends while the block runs."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
