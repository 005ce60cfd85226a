"""Fixtures shared by the whole suite: the async backend, a seeded back office, the app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import create_engine
from backoffice.seed import seed
from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from tests.api import CLOCK, TODAY, Api, serve
from tests.servers import RedisProcess, own_redis_server


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    # Strawberry's and aiodataloader's DataLoaders are asyncio-only.
    return "asyncio"


@pytest.fixture(scope="session")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file holding the small demo retailer (seeded once, read-only in tests)."""
    import asyncio

    path: Path = tmp_path_factory.mktemp("backoffice") / "backoffice.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"

    async def run() -> None:
        engine = create_engine(url)
        await seed(engine, size="small", today=TODAY)
        await engine.dispose()

    asyncio.run(run())
    return url


@pytest.fixture
def settings(seeded_url: str) -> Settings:
    return Settings.load(
        None,
        env={
            "DATABASE_URL": seeded_url,
            "GATEWAY_SERVER__DEBUG_SOURCE_CALLS": "true",
        },
    )


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.backoffice.url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def api(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Api]:
    """The whole gateway over the seeded back office, with a fresh cache for each test."""
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    async with serve(create_app(settings, runtime=runtime), settings) as client:
        yield client


@pytest.fixture
def redis_process() -> Iterator[RedisProcess]:
    """A redis-server of our own, to stop mid-test; skips without the binary (fails when CI=true)."""
    with own_redis_server() as server:
        yield server
