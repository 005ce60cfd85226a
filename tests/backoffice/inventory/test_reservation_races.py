"""Reservations raced by many concurrent checkouts, on a SQLite file and on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import Base, create_engine, sessionmaker
from backoffice.errors import InsufficientStock, ReservationConflict
from backoffice.inventory.models import Stock
from backoffice.inventory.service import InventoryService
from kernel.clock import FixedClock
from tests.backoffice.inventory.rows import MOVED, T0, location

pytestmark = pytest.mark.anyio

CHECKOUTS = 100
IN_STOCK = 7


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inventory.sqlite3'}")
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite_file", "postgres_engine"])
def shared(request: pytest.FixtureRequest) -> AsyncEngine:
    """A database many connections share: a SQLite file, or the real PostgreSQL."""
    engine: AsyncEngine = request.getfixturevalue(request.param)
    return engine


@pytest.fixture
async def database(shared: AsyncEngine) -> AsyncEngine:
    """The inventory's tables on `shared`, with a few stock rows."""
    tables = [t for name, t in Base.metadata.tables.items() if name.startswith("inv_")]
    async with shared.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=tables)
    async with sessionmaker(shared).begin() as session:
        session.add_all([location("LOC-UTR", "UTR01", "Utrecht"), location("LOC-DC", "DC01", "DC")])
        await session.flush()
        session.add_all(
            [
                Stock(variant_id="V-1", location_id="LOC-UTR", quantity=IN_STOCK, updated_at=MOVED),
                Stock(variant_id="V-2", location_id="LOC-UTR", quantity=50, updated_at=MOVED),
                Stock(variant_id="V-2", location_id="LOC-DC", quantity=50, updated_at=MOVED),
            ]
        )
    return shared


def one_of_v1(id_: str) -> tuple[str, list[dict[str, object]]]:
    return id_, [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1}]


async def outcome(inventory: InventoryService, id_: str, lines: list[dict[str, object]]) -> str:
    try:
        await inventory.reserve(id_, lines)
    except InsufficientStock as exc:
        honest = all(0 <= s["available"] < s["requested"] for s in exc.shortages)
        return "short" if honest else f"short, but says {exc.shortages}"
    return "reserved"


async def test_a_hundred_checkouts_racing_for_seven_units_get_exactly_seven(database, request):
    inventory = InventoryService(sessionmaker(database), clock=FixedClock(T0))

    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(outcome(inventory, *one_of_v1(f"chk-{n:03d}")) for n in range(CHECKOUTS))
    )
    seconds = time.perf_counter() - started

    assert outcomes.count("reserved") == IN_STOCK
    assert outcomes.count("short") == CHECKOUTS - IN_STOCK
    assert await inventory.get_stock(["V-1"], ["LOC-UTR"]) == [
        {
            "variant_id": "V-1",
            "location_id": "LOC-UTR",
            "quantity": 0,
            "as_of": T0.isoformat(),
            "updated_at": T0.isoformat(),
        }
    ]
    ids = [f"chk-{n:03d}" for n in range(CHECKOUTS)]
    reserved = await inventory.get_reservations(ids)
    assert len(reserved) == IN_STOCK
    assert all(doc["status"] == "RESERVED" for doc in reserved)
    print(
        f"\n{request.node.callspec.id}: {CHECKOUTS} reserves for {IN_STOCK} units in {seconds:.3f} s"
    )


async def test_racing_multi_line_reservations_never_oversell_any_line(database):
    # V-2 at two locations, 50 each: 30 checkouts want 2 at each, so 25 fit, whole.
    inventory = InventoryService(sessionmaker(database), clock=FixedClock(T0))
    lines = [
        {"variant_id": "V-2", "location_id": "LOC-DC", "quantity": 2},
        {"variant_id": "V-2", "location_id": "LOC-UTR", "quantity": 2},
    ]
    # Half ask for the lines in the other order: the rows are still locked in one order.
    outcomes = await asyncio.gather(
        *(outcome(inventory, f"chk-{n:03d}", lines if n % 2 else lines[::-1]) for n in range(30)),
        return_exceptions=True,
    )

    assert outcomes.count("reserved") == 25, outcomes
    levels = await inventory.get_stock(["V-2"], ["LOC-DC", "LOC-UTR"])
    assert [level["quantity"] for level in levels] == [0, 0]


async def test_the_same_reservation_sent_many_times_at_once_takes_its_units_once(database):
    inventory = InventoryService(sessionmaker(database), clock=FixedClock(T0))

    answers = await asyncio.gather(*(inventory.reserve(*one_of_v1("chk-1")) for _ in range(20)))

    assert {answer["status"] for answer in answers} == {"RESERVED"}
    assert all(answer == answers[0] for answer in answers)
    (level,) = await inventory.get_stock(["V-1"], ["LOC-UTR"])
    assert level["quantity"] == IN_STOCK - 1


async def test_a_reserve_racing_its_own_release_either_wins_and_is_undone_or_is_refused(database):
    inventory = InventoryService(sessionmaker(database), clock=FixedClock(T0))

    for n in range(20):
        id_ = f"chk-{n:03d}"
        reserved, released = await asyncio.gather(
            inventory.reserve(*one_of_v1(id_)), inventory.release(id_), return_exceptions=True
        )
        assert isinstance(released, dict)
        assert released["status"] == "RELEASED"
        assert isinstance(reserved, dict | ReservationConflict), reserved

    (level,) = await inventory.get_stock(["V-1"], ["LOC-UTR"])
    assert level["quantity"] == IN_STOCK
