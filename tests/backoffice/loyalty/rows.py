"""A fresh loyalty database per test, a pinned clock, builders for accounts, and a statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import Base
from backoffice.loyalty.models import Account
from kernel.clock import FixedClock
from tests.backoffice.support import count_statements as count_statements
from tests.backoffice.support import database
from tests.backoffice.support import insert as insert
from tests.backoffice.support import sessions as sessions

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)

#: The loyalty system's clock in these tests: entries are booked at T0.
CLOCK = FixedClock(T0)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    async with database("loy_") as engine:
        yield engine


def account(card_number: str, customer_id: str, points: int = 0) -> Account:
    return Account(card_number=card_number, customer_id=customer_id, points=points)


async def create_loyalty_tables(engine: AsyncEngine) -> None:
    """The loyalty system's tables, and no others, in the database of `engine`."""
    tables = [t for name, t in Base.metadata.tables.items() if name.startswith("loy_")]
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=tables)
