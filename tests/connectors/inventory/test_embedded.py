from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.db import create_engine, sessionmaker
from backoffice.inventory.service import InventoryService
from connectors.errors import SourceUnavailable
from connectors.inventory.embedded import EmbeddedInventoryConnector
from connectors.inventory.protocol import InventoryConnector
from kernel.clock import FixedClock
from tests.backoffice.inventory.rows import T0

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("stock")]


@pytest.fixture
def inventory(sessions: async_sessionmaker[AsyncSession]) -> InventoryConnector:
    # Typed as the port: mypy checks that the adapter implements it.
    connector: InventoryConnector = EmbeddedInventoryConnector(
        InventoryService(sessions, clock=FixedClock(T0))
    )
    return connector


async def test_locations_come_back_as_records_under_the_requested_ids(inventory):
    locations = await inventory.get_locations(["LOC-DC", "nope", "LOC-UTR"])

    assert list(locations) == ["LOC-DC", "LOC-UTR"]
    assert (locations["LOC-DC"].type, locations["LOC-DC"].address) == ("DISTRIBUTION_CENTER", None)
    assert locations["LOC-UTR"].address is not None
    assert locations["LOC-UTR"].address.city == "Utrecht"


async def test_locations_are_listed_by_code(inventory):
    everything = await inventory.list_locations(None)
    centres = await inventory.list_locations(["DISTRIBUTION_CENTER"])

    assert [location.code for location in everything] == ["AMS01", "DC01", "UTR01"]
    assert [location.id for location in centres] == ["LOC-DC"]


async def test_stock_answers_every_requested_variant(inventory):
    stock = await inventory.get_stock(["V-2", "V-1", "V-3"], ["LOC-UTR", "LOC-DC"])

    assert {
        variant_id: [(level.location_id, level.quantity, level.as_of) for level in levels]
        for variant_id, levels in stock.items()
    } == {
        "V-2": [("LOC-DC", 0, T0)],
        "V-1": [("LOC-DC", 120, T0), ("LOC-UTR", 3, T0)],
        "V-3": [],
    }


async def test_a_database_failure_makes_the_inventory_unavailable():
    engine = create_engine("sqlite+aiosqlite://")  # no tables
    inventory = EmbeddedInventoryConnector(
        InventoryService(sessionmaker(engine), clock=FixedClock(T0))
    )
    try:
        with pytest.raises(SourceUnavailable) as caught:
            await inventory.list_locations(None)
    finally:
        await engine.dispose()

    assert caught.value.source == "inventory"
