"""Restocks: units put (back) into stock once per reference, in one transaction, racing or not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backoffice.db import Base, create_engine, sessionmaker
from backoffice.errors import InvalidRequest, ReservationConflict, UnknownItems
from backoffice.inventory.service import InventoryService
from kernel.clock import FixedClock
from tests.backoffice.inventory.rows import MOVED, T0, add_stock

pytestmark = pytest.mark.anyio

ONE_BACK_AT_UTRECHT = [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1}]


@pytest.fixture
async def inventory(sessions: async_sessionmaker[AsyncSession]) -> InventoryService:
    await add_stock(sessions)  # V-1: 3 at LOC-UTR, 120 at LOC-DC; V-2: 0 at LOC-DC
    return InventoryService(sessions, clock=FixedClock(T0))


async def levels(inventory: InventoryService, variant_id: str) -> dict[str, tuple[int, str]]:
    docs = await inventory.get_stock([variant_id], ["LOC-UTR", "LOC-AMS", "LOC-DC"])
    return {doc["location_id"]: (doc["quantity"], doc["updated_at"]) for doc in docs}


async def test_a_restock_adds_the_units_where_they_came_back_and_says_what_it_added(inventory):
    restock = await inventory.restock(
        "return:rt-1",
        [
            {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1},
            {"variant_id": "V-2", "location_id": "LOC-DC", "quantity": 2},
            {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1},
        ],
    )

    assert restock == {
        "reference": "return:rt-1",
        "created_at": T0.isoformat(),
        "lines": [
            {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 2},
            {"variant_id": "V-2", "location_id": "LOC-DC", "quantity": 2},
        ],
    }
    assert await levels(inventory, "V-1") == {
        "LOC-UTR": (5, T0.isoformat()),
        "LOC-DC": (120, MOVED.isoformat()),
    }
    assert await levels(inventory, "V-2") == {"LOC-DC": (2, T0.isoformat())}


async def test_a_location_that_held_none_of_the_variant_gets_its_stock_row(inventory):
    await inventory.restock(
        "return:rt-1", [{"variant_id": "V-2", "location_id": "LOC-AMS", "quantity": 1}]
    )

    assert await levels(inventory, "V-2") == {
        "LOC-AMS": (1, T0.isoformat()),
        "LOC-DC": (0, MOVED.isoformat()),
    }


async def test_the_same_reference_again_moves_nothing_and_answers_the_first(inventory):
    first = await inventory.restock("return:rt-1", ONE_BACK_AT_UTRECHT)

    again = await inventory.restock("return:rt-1", ONE_BACK_AT_UTRECHT)

    assert again == first
    assert (await levels(inventory, "V-1"))["LOC-UTR"][0] == 4


async def test_the_same_reference_with_other_lines_is_a_conflict(inventory):
    await inventory.restock("return:rt-1", ONE_BACK_AT_UTRECHT)

    with pytest.raises(ReservationConflict, match="applied with other lines") as refused:
        await inventory.restock(
            "return:rt-1", [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 2}]
        )

    assert refused.value.code == "RESERVATION_CONFLICT"
    assert (await levels(inventory, "V-1"))["LOC-UTR"][0] == 4


async def test_an_unknown_location_moves_nothing_and_keeps_the_reference_free(inventory):
    lines = [*ONE_BACK_AT_UTRECHT, {"variant_id": "V-1", "location_id": "LOC-NOPE", "quantity": 1}]

    with pytest.raises(UnknownItems) as unknown:
        await inventory.restock("return:rt-1", lines)
    restocked = await inventory.restock("return:rt-1", ONE_BACK_AT_UTRECHT)

    assert unknown.value.ids == ("LOC-NOPE",)
    assert restocked["lines"] == ONE_BACK_AT_UTRECHT
    assert (await levels(inventory, "V-1"))["LOC-UTR"][0] == 4


@pytest.mark.parametrize(
    ("reference", "lines", "message"),
    [
        ("", ONE_BACK_AT_UTRECHT, "'reference' must be a string of 1 to 64"),
        ("r" * 65, ONE_BACK_AT_UTRECHT, "'reference' must be a string of 1 to 64"),
        ("return/rt-1", ONE_BACK_AT_UTRECHT, "may not contain '/'"),
        ("return:rt-1", [], "a restock needs at least one line"),
        (
            "return:rt-1",
            [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 0}],
            "at least 1",
        ),
        (
            "return:rt-1",
            [{"variant_id": "V" * 33, "location_id": "LOC-UTR", "quantity": 1}],
            "at most 32 characters",
        ),
    ],
)
async def test_a_malformed_restock_is_an_invalid_request(inventory, reference, lines, message):
    with pytest.raises(InvalidRequest, match=message):
        await inventory.restock(reference, lines)


# Racing restocks on databases many connections share.

RACERS = 20


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inventory.sqlite3'}")
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite_file", "postgres_engine"])
def database(request: pytest.FixtureRequest) -> AsyncEngine:
    engine: AsyncEngine = request.getfixturevalue(request.param)
    return engine


@pytest.fixture
async def shared(database: AsyncEngine) -> InventoryService:
    tables = [t for name, t in Base.metadata.tables.items() if name.startswith("inv_")]
    async with database.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=tables)
    await add_stock(sessionmaker(database))
    return InventoryService(sessionmaker(database), clock=FixedClock(T0))


async def test_racing_restocks_each_add_their_units_even_to_a_row_none_of_them_found(shared):
    # LOC-AMS holds no V-1: the first restocks race to create its row.
    lines = [
        {"variant_id": "V-1", "location_id": "LOC-AMS", "quantity": 1},
        {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1},
    ]

    await asyncio.gather(*(shared.restock(f"return:rt-{n:02d}", lines) for n in range(RACERS)))

    assert await levels(shared, "V-1") == {
        "LOC-AMS": (RACERS, T0.isoformat()),
        "LOC-UTR": (3 + RACERS, T0.isoformat()),
        "LOC-DC": (120, MOVED.isoformat()),
    }


async def test_the_same_restock_sent_many_times_at_once_adds_its_units_once(shared):
    answers = await asyncio.gather(
        *(shared.restock("return:rt-1", ONE_BACK_AT_UTRECHT) for _ in range(RACERS))
    )

    assert all(answer == answers[0] for answer in answers)
    assert (await levels(shared, "V-1"))["LOC-UTR"][0] == 4
