"""Fixtures of the contract suite: the seeded database, and the connectors in one mode or both."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import create_engine
from tests.backoffice import live
from tests.connectors.contracts.modes import Connectors, connected, embedded_connectors


@pytest.fixture
async def engine(seeded_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(seeded_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def http_connectors(
    request: pytest.FixtureRequest, seeded_url: str
) -> AsyncIterator[Connectors]:
    async with connected(live.running(request, seeded_url)) as connectors:
        yield connectors


@pytest.fixture(params=["embedded", "http"])
async def sources(
    request: pytest.FixtureRequest, engine: AsyncEngine, seeded_url: str
) -> AsyncIterator[Connectors]:
    if request.param == "embedded":
        yield embedded_connectors(engine)
    else:
        async with connected(live.running(request, seeded_url)) as connectors:
            yield connectors
