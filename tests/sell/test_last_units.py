"""No oversell: 100 checkouts at once for the last units sell each unit once.

The whole gateway, on SQLite files and on the real PostgreSQL (the back office and the
gateway's own database both there): 100 carts of one unit each are checked out
concurrently at a till that has 5 left. The reservation is one conditional update in
the inventory, so exactly 5 orders are placed; the other 95 are told INSUFFICIENT_STOCK
and leave nothing behind.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import create_engine, sessionmaker
from backoffice.inventory.models import Stock
from backoffice.seed import seed
from backoffice.seed.story import PAINT_VARIANT_ID
from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from ledger.db import create_engine as create_ledger_engine
from ledger.migrate import upgrade
from tests.api import CLOCK, TODAY, Api, serve
from tests.sell.documents import CHECKOUT, CREATE, STOCK, checkout_input, line, location, variant

pytestmark = pytest.mark.anyio

STORE = "s02"
LEFT = 5
BUYERS = 100
TILL = {"role": "associate", "subject": "staff-s02", "store_id": STORE, "channel": "STORE"}


async def _leave(engine: AsyncEngine, units: int) -> None:
    async with sessionmaker(engine)() as session, session.begin():
        await session.execute(
            update(Stock)
            .where(Stock.variant_id == PAINT_VARIANT_ID, Stock.location_id == STORE)
            .values(quantity=units)
        )


@asynccontextmanager
async def _till(backoffice: AsyncEngine, ledger: AsyncEngine) -> AsyncIterator[Api]:
    """The gateway over these databases, with the paint down to its last units at the till.

    Source timeouts are generous: 100 checkouts at once on two cores queue for the CPU,
    and what is under test is that every unit sells once, not how fast.
    """
    env = {
        "GATEWAY_BACKOFFICE__DATABASE_URL": "sqlite:///unused.sqlite3",
        "GATEWAY_DATABASE__URL": "sqlite:///unused.sqlite3",
        "GATEWAY_LIMITS__DEADLINE_SECONDS": "120",
    }
    for source in ("pim", "pricing", "inventory", "crm", "orders", "loyalty"):
        env[f"GATEWAY_SOURCES__{source.upper()}__TIMEOUT"] = "60"
    settings = Settings.load(None, env=env)
    await upgrade(ledger)
    await _leave(backoffice, LEFT)
    runtime = await open_runtime(settings, engine=backoffice, ledger_engine=ledger, clock=CLOCK)
    async with serve(create_app(settings, runtime=runtime), settings) as api:
        yield api


async def test_last_units_on_sqlite(seeded_url: str, tmp_path: Path):
    copy = tmp_path / "backoffice.sqlite3"
    shutil.copyfile(seeded_url.removeprefix("sqlite+aiosqlite:///"), copy)
    backoffice = create_engine(f"sqlite+aiosqlite:///{copy}")
    ledger = create_ledger_engine(f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}")
    try:
        async with _till(backoffice, ledger) as till:
            await _sell_the_last_units(till)
    finally:
        await backoffice.dispose()
        await ledger.dispose()


@pytest.mark.postgres
async def test_last_units_on_postgresql(postgres_engine: AsyncEngine):
    # Both databases in one fresh schema: their tables do not overlap.
    await seed(postgres_engine, size="small", today=TODAY)
    async with _till(postgres_engine, postgres_engine) as till:
        await _sell_the_last_units(till)


async def _sell_the_last_units(till: Api) -> None:
    """100 checkouts at once for the last 5 units: 5 orders, 95 INSUFFICIENT_STOCK, 0 left."""
    carts = []
    for _ in range(BUYERS):
        reply = await till.query(CREATE, {"lines": [line(PAINT_VARIANT_ID, 1)]}, **TILL)
        carts.append(reply.data["cartCreate"]["cart"]["id"])

    async def checkout(index: int, cart: str) -> dict[str, Any]:
        reply = await till.query(
            CHECKOUT,
            checkout_input(cart, f"last-{index}", fulfillment="CARRY_OUT"),
            **TILL,
        )
        assert reply.errors is None, reply.errors
        return reply.data["checkout"]

    started = time.perf_counter()
    results = await asyncio.gather(*(checkout(i, cart) for i, cart in enumerate(carts)))
    elapsed = time.perf_counter() - started

    placed = [r["order"] for r in results if r["order"] is not None]
    refused = [r["userErrors"][0]["code"] for r in results if r["order"] is None]
    assert len(placed) == LEFT, f"{len(placed)} orders for {LEFT} units in {elapsed:.1f} s"
    assert refused == ["INSUFFICIENT_STOCK"] * (BUYERS - LEFT)
    assert len({order["number"] for order in placed}) == LEFT
    stock = await till.query(
        STOCK, {"variant": variant(PAINT_VARIANT_ID), "stores": [location(STORE)]}
    )
    assert stock.data["variant"]["availability"]["locations"][0]["quantity"] == 0
    print(f"{BUYERS} checkouts for {LEFT} units: {elapsed:.2f} s")
