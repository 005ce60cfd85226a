"""A fresh inventory database per test, three locations with some stock, and a statement counter.

`served_inventory(path)` serves such a database over real HTTP (on a file of its own,
since reservations write to it) for the API and HTTP connector tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backoffice.db import Base, create_engine, sessionmaker
from backoffice.inventory.models import Location, Stock
from tests.backoffice.live import LiveBackoffice
from tests.backoffice.support import count_statements as count_statements
from tests.backoffice.support import database
from tests.backoffice.support import sessions as sessions

#: When the inventory tests read stock; the rows last moved an hour earlier.
T0 = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
MOVED = T0 - timedelta(hours=1)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    async with database("inv_") as engine:
        yield engine


@pytest.fixture
async def stock(sessions: async_sessionmaker[AsyncSession]) -> None:
    await add_stock(sessions)


async def add_stock(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Two stores and a distribution centre; V-1 is in the DC and one store, V-2 in the DC."""
    async with sessions.begin() as session:
        session.add_all(
            [
                location("LOC-UTR", "UTR01", "Utrecht", footfall=4200),
                location("LOC-AMS", "AMS01", "Amsterdam", footfall=6100, ship_from_store=False),
                location(
                    "LOC-DC",
                    "DC01",
                    "Distributiecentrum",
                    type="DISTRIBUTION_CENTER",
                    line1=None,
                    latitude=None,
                    longitude=None,
                    click_and_collect=False,
                    channels=["WEB"],
                    footfall=None,
                ),
            ]
        )
        await session.flush()
        session.add_all(
            [
                Stock(variant_id="V-1", location_id="LOC-UTR", quantity=3, updated_at=MOVED),
                Stock(variant_id="V-1", location_id="LOC-DC", quantity=120, updated_at=MOVED),
                Stock(variant_id="V-2", location_id="LOC-DC", quantity=0, updated_at=MOVED),
            ]
        )


def location(id: str, code: str, name: str, **overrides: Any) -> Location:
    fields: dict[str, Any] = {
        "id": id,
        "code": code,
        "name": name,
        "type": "STORE",
        "line1": "Stationsplein 1",
        "line2": None,
        "postal_code": "3511 AA",
        "city": name,
        "country": "NL",
        "latitude": 52.09,
        "longitude": 5.11,
        "click_and_collect": True,
        "ship_from_store": True,
        "channels": ["POS", "WEB"],
        "footfall": None,
    }
    return Location(**(fields | overrides))


@asynccontextmanager
async def served_inventory(folder: Path) -> AsyncIterator[LiveBackoffice]:
    """The back office over HTTP on a fresh SQLite file in `folder`, holding `add_stock`'s rows."""
    url = f"sqlite+aiosqlite:///{folder / 'inventory.sqlite3'}"
    engine = create_engine(url)
    try:
        tables = [t for name, t in Base.metadata.tables.items() if name.startswith("inv_")]
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all, tables=tables)
        await add_stock(sessionmaker(engine))
    finally:
        await engine.dispose()
    server = LiveBackoffice(url)
    server.start()
    try:
        yield server
    finally:
        server.stop()
