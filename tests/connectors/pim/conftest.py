"""Fixtures of the PIM connector tests: a fresh SQLite database per test, with a small catalogue."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.backoffice.pim.rows import catalogue, sessions, sqlite_pim

__all__ = ["catalogue", "engine", "sessions", "sqlite_pim"]


@pytest.fixture
def engine(sqlite_pim: AsyncEngine) -> AsyncEngine:
    return sqlite_pim
