"""A fresh loyalty database per test, a builder for accounts, and a statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backoffice.db import Base, create_engine, create_tables, sessionmaker
from backoffice.loyalty.models import Account

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    # In memory, one connection shared by all sessions (StaticPool): gone when disposed.
    engine = create_engine("sqlite+aiosqlite://")
    await create_tables(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return sessionmaker(engine)


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


async def insert(sessions: async_sessionmaker[AsyncSession], *rows: Base) -> None:
    async with sessions() as session:
        session.add_all(rows)
        await session.commit()


def account(card_number: str, customer_id: str, points: int = 0) -> Account:
    return Account(card_number=card_number, customer_id=customer_id, points=points)
