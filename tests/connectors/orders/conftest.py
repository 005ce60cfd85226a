"""Fixtures of the orders connector tests: a fresh back-office database per test, and the OMS in both modes.

`oms` is the connector embedded (over this test's fresh database) or over real HTTP: the
OMS app served on a database of its own per test module (the session's seeded one stays
read-only), so every test also proves the route and its error mapping. Tests that write
through it use ids of their own (`tests.connectors.orders.test_writes.unique`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from backoffice.db import create_engine, create_tables
from backoffice.orders.service import OrdersService
from connectors.orders.embedded import EmbeddedOrdersConnector
from connectors.orders.http import HttpOrdersConnector
from connectors.orders.protocol import OrdersConnector
from tests.backoffice import live
from tests.backoffice.orders.rows import engine, sessions

__all__ = ["engine", "oms", "served", "sessions"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveBackoffice]:
    path: Path = tmp_path_factory.mktemp("oms-writes") / "backoffice.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"

    async def tables() -> None:
        engine = create_engine(url)
        await create_tables(engine)
        await engine.dispose()

    asyncio.run(tables())
    server = live.LiveBackoffice(url)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "http"])
async def oms(request, sessions, served) -> AsyncIterator[OrdersConnector]:
    connector: OrdersConnector
    if request.param == "embedded":
        connector = EmbeddedOrdersConnector(OrdersService(sessions, clock=live.CLOCK))
        yield connector
        return
    served.reset_requests()
    async with served.client("orders") as client:
        connector = HttpOrdersConnector(client)
        yield connector
