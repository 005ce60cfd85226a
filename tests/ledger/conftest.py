"""Every ledger test runs on a SQLite file and on the real PostgreSQL, migrated to head."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ledger import Ledger
from ledger.db import create_engine
from ledger.migrate import upgrade
from tests.clocks import ManualClock


@pytest.fixture
async def sqlite_engine(tmp_path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'gateway.sqlite3'}")
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def bare_engine(request) -> AsyncEngine:
    """An empty database of either kind (PostgreSQL: a fresh schema of the real server)."""
    # A plain fixture: an async one may not ask for other async fixtures by name.
    name = "postgres_engine" if request.param == "postgresql" else "sqlite_engine"
    engine: AsyncEngine = request.getfixturevalue(name)
    return engine


@pytest.fixture
async def ledger_engine(bare_engine: AsyncEngine) -> AsyncEngine:
    await upgrade(bare_engine)
    return bare_engine


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_800_000_000.0)


@pytest.fixture
def ledger(ledger_engine: AsyncEngine, clock: ManualClock) -> Ledger:
    return Ledger.on(ledger_engine, clock)
