"""Fixtures of the PIM service tests: a fresh database per test, on SQLite and on PostgreSQL, with a small catalogue.

`engine` is the PIM's tables with their search indexes, in memory on SQLite or in a fresh
schema of the real PostgreSQL: every test that reaches the database runs on both.
"""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import Base
from tests.backoffice.pim.rows import catalogue, sessions, sqlite_pim

__all__ = ["PIM_TABLES", "catalogue", "engine", "postgres_pim", "sessions", "sqlite_pim"]

PIM_TABLES = [t for name, t in Base.metadata.tables.items() if name.startswith("pim_")]


@pytest.fixture
async def postgres_pim(postgres_engine: AsyncEngine) -> AsyncEngine:
    async with postgres_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=PIM_TABLES)
    return postgres_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> AsyncEngine:
    """The PIM's tables on either database, the search indexes with them."""
    # A plain fixture: an async one may not ask for other async fixtures by name.
    name = {"sqlite": "sqlite_pim", "postgresql": "postgres_pim"}[request.param]
    found: AsyncEngine = request.getfixturevalue(name)
    return found
