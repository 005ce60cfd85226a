"""Fixtures shared by the whole suite: the async backend, a seeded back office, the app."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from backoffice.db import create_engine, normalise_url
from backoffice.seed import seed
from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from ledger.db import create_engine as create_ledger_engine
from ledger.migrate import upgrade
from tests.api import CLOCK, TODAY, Api, serve
from tests.servers import POSTGRES_URL, RedisProcess, own_redis_server


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


@pytest.fixture(scope="session")
def ledger_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file of the gateway's own database, migrated once (tests that write make their own)."""
    import asyncio

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('ledger') / 'gateway.sqlite3'}"

    async def run() -> None:
        engine = create_ledger_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(run())
    return url


@pytest.fixture
def settings(seeded_url: str, ledger_url: str) -> Settings:
    return Settings.load(
        None,
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "GATEWAY_DATABASE__URL": ledger_url,
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


@pytest.fixture
async def postgres_engine() -> AsyncIterator[AsyncEngine]:
    """An engine on the real PostgreSQL whose search_path is a fresh schema, dropped afterwards.

    Skips with the reason on a laptop without the server; fails with CI=true.
    """
    url = normalise_url(POSTGRES_URL)
    admin = create_async_engine(url)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        async with admin.begin() as conn:
            await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:  # the driver has its own errors for "unreachable"
        await admin.dispose()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL at {url} is required in CI but unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {url} is unreachable ({exc}); set DATABASE_URL or start it")
    engine = create_async_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()
