"""What every back-office test database shares: a fresh engine, sessions, inserts, a statement counter.

Each system's `rows.py` opens its own tables with `database(prefix)` in an `engine` fixture,
re-exports `sessions`, and keeps the row builders of that system.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backoffice.db import Base, create_engine, sessionmaker


@asynccontextmanager
async def database(table_prefix: str) -> AsyncIterator[AsyncEngine]:
    """A fresh in-memory database holding one system's tables, those named `<table_prefix>…`."""
    # In memory, one connection shared by all sessions (StaticPool): gone when disposed.
    engine = create_engine("sqlite+aiosqlite://")
    # Only this system's tables: creating all of them would triple the setup time.
    tables = [t for name, t in Base.metadata.tables.items() if name.startswith(table_prefix)]
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all, tables=tables)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return sessionmaker(engine)


async def insert(sessions: async_sessionmaker[AsyncSession], *rows: Base) -> None:
    async with sessions.begin() as session:
        session.add_all(rows)


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


def text(nl: str, en: str) -> dict[str, str]:
    """Localised text in the two locales the tests use."""
    return {"nl": nl, "en": en}
