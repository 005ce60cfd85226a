"""A fresh inventory database per test, three locations with some stock, and a statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backoffice.inventory.models import Location, Stock
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
