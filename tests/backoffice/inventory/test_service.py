from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.inventory.service import InventoryService
from kernel.clock import FixedClock
from tests.backoffice.inventory.rows import MOVED, T0, count_statements
from tests.clocks import ManualClock

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("stock")]


def service(sessions: async_sessionmaker[AsyncSession]) -> InventoryService:
    return InventoryService(sessions, clock=FixedClock(T0))


async def test_a_location_document_holds_address_geo_and_fulfilment_options(sessions):
    docs = await service(sessions).get_locations(["LOC-UTR", "nope"])

    assert docs == [
        {
            "id": "LOC-UTR",
            "code": "UTR01",
            "name": "Utrecht",
            "type": "STORE",
            "address": {
                "line1": "Stationsplein 1",
                "line2": None,
                "postal_code": "3511 AA",
                "city": "Utrecht",
                "country": "NL",
            },
            "geo": {"latitude": 52.09, "longitude": 5.11},
            "click_and_collect": True,
            "ship_from_store": True,
            "channels": ["POS", "WEB"],
            "footfall": 4200,
        }
    ]


async def test_a_location_without_a_whole_address_or_coordinates_has_neither(sessions):
    (doc,) = await service(sessions).get_locations(["LOC-DC"])

    assert (doc["type"], doc["address"], doc["geo"], doc["footfall"]) == (
        "DISTRIBUTION_CENTER",
        None,
        None,
        None,
    )


async def test_locations_are_listed_by_code_and_filtered_by_type(sessions):
    inventory = service(sessions)

    everything = await inventory.list_locations()
    stores = await inventory.list_locations(["STORE"])
    nothing = await inventory.list_locations([])

    assert [d["code"] for d in everything] == ["AMS01", "DC01", "UTR01"]
    assert [d["code"] for d in stores] == ["AMS01", "UTR01"]
    assert nothing == []


async def test_stock_lists_the_pairs_that_have_a_row_in_one_statement(sessions, engine):
    with count_statements(engine) as statements:
        docs = await service(sessions).get_stock(
            ["V-1", "V-2", "V-3"], ["LOC-UTR", "LOC-AMS", "LOC-DC"]
        )

    assert docs == [
        {
            "variant_id": "V-1",
            "location_id": "LOC-DC",
            "quantity": 120,
            "as_of": T0.isoformat(),
            "updated_at": MOVED.isoformat(),
        },
        {
            "variant_id": "V-1",
            "location_id": "LOC-UTR",
            "quantity": 3,
            "as_of": T0.isoformat(),
            "updated_at": MOVED.isoformat(),
        },
        {
            "variant_id": "V-2",
            "location_id": "LOC-DC",
            "quantity": 0,
            "as_of": T0.isoformat(),
            "updated_at": MOVED.isoformat(),
        },
    ]
    assert len(statements) == 1


async def test_stock_is_only_read_at_the_locations_asked_for(sessions, engine):
    inventory = service(sessions)

    with count_statements(engine) as statements:
        at_amsterdam = await inventory.get_stock(["V-1", "V-2"], ["LOC-AMS"])
        nowhere = await inventory.get_stock(["V-1"], [])
        nothing = await inventory.get_stock([], ["LOC-DC"])

    assert (at_amsterdam, nowhere, nothing) == ([], [], [])
    assert len(statements) == 1


async def test_stock_is_as_of_the_moment_the_clock_tells_when_it_is_read(sessions):
    clock = ManualClock(T0.timestamp())
    inventory = InventoryService(sessions, clock=clock)

    (first,) = await inventory.get_stock(["V-2"], ["LOC-DC"])
    clock.seconds += 90
    (second,) = await inventory.get_stock(["V-2"], ["LOC-DC"])

    assert [datetime.fromisoformat(doc["as_of"]) for doc in (first, second)] == [
        T0,
        T0 + timedelta(seconds=90),
    ]
