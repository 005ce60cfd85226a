"""Fixtures of the orders service tests: a fresh database per test, an OMS over it, a SQLite file.

A module whose tests need rows in the database first defines its own `service`.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import create_engine
from backoffice.orders.service import OrdersService
from tests.backoffice.orders.order_docs import new_service
from tests.backoffice.orders.rows import engine, sessions

__all__ = ["engine", "service", "sessions", "sqlite_file"]


@pytest.fixture
def service(sessions) -> OrdersService:
    return new_service(sessions)


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    # A file, not the shared in-memory connection: each session gets a connection of its own.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'oms.sqlite3'}")
    yield engine
    await engine.dispose()
