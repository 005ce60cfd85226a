"""Returns registered concurrently, on a SQLite file and on PostgreSQL: never beyond what was bought."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import Base, sessionmaker
from backoffice.errors import NotReturnable, VersionConflict
from backoffice.orders.service import OrdersService
from tests.backoffice.orders.return_docs import return_doc, returned, the_order
from tests.backoffice.orders.rows import CLOCK, insert, order

pytestmark = pytest.mark.anyio


# Concurrency: on a SQLite file and on PostgreSQL, each session its own connection.

BOUGHT = 5
RACERS = 20


@pytest.fixture(params=["sqlite_file", "postgres_engine"])
def database(request: pytest.FixtureRequest) -> AsyncEngine:
    """A database many connections share: a SQLite file, or the real PostgreSQL."""
    engine: AsyncEngine = request.getfixturevalue(request.param)
    return engine


@pytest.fixture
async def shared(database: AsyncEngine) -> OrdersService:
    """The OMS on `database`, holding o-1 whose first line has 5 units."""
    engine = database
    async with engine.begin() as conn:
        tables = [t for name, t in Base.metadata.tables.items() if name.startswith("oms_")]
        await conn.run_sync(Base.metadata.create_all, tables=tables)
    sessions = sessionmaker(engine)
    five = order("o-1", lines=2)
    five.lines[0].quantity = BOUGHT
    await insert(sessions, five)
    return OrdersService(sessions, clock=CLOCK)


def one_unit(id: str, version: int) -> dict[str, Any]:
    return return_doc(
        id,
        expected_order_version=version,
        lines=[{"order_line_id": "o-1-1", "quantity": 1}],
        history=[],
    )


async def register_as_a_gateway_would(service: OrdersService, id: str) -> str:
    """Read the order, register at its version; read again after a VersionConflict."""
    for _ in range(10 * RACERS):
        version = (await the_order(service))["version"]
        try:
            await service.register_return(one_unit(id, version))
        except VersionConflict:
            continue
        except NotReturnable:
            return "not returnable"
        return "registered"
    return "gave up"


async def test_racing_returns_never_take_back_more_than_was_bought(shared):
    outcomes = await asyncio.gather(
        *(register_as_a_gateway_would(shared, f"rt-{n:02d}") for n in range(RACERS))
    )

    assert outcomes.count("registered") == BOUGHT, outcomes
    assert outcomes.count("not returnable") == RACERS - BOUGHT, outcomes
    order = await the_order(shared)
    assert (order["version"], returned(order)) == (1 + BOUGHT, [BOUGHT, 0])
    registered = await shared.get_order_returns(["o-1"])
    assert sum(doc["lines"][0]["quantity"] for doc in registered) == BOUGHT


async def test_of_returns_decided_on_the_same_version_exactly_one_is_registered(shared):
    outcomes = await asyncio.gather(
        *(shared.register_return(one_unit(f"rt-{n:02d}", 1)) for n in range(RACERS)),
        return_exceptions=True,
    )

    registered = [o for o in outcomes if isinstance(o, dict)]
    assert len(registered) == 1, outcomes
    assert all(isinstance(o, VersionConflict) for o in outcomes if o not in registered)
    order = await the_order(shared)
    assert (order["version"], returned(order)) == (2, [1, 0])


async def test_the_same_return_sent_many_times_at_once_is_registered_once(shared):
    answers = await asyncio.gather(
        *(shared.register_return(one_unit("rt-1", 1)) for _ in range(RACERS))
    )

    assert all(answer == answers[0] for answer in answers)
    order = await the_order(shared)
    assert (order["version"], returned(order)) == (2, [1, 0])
    assert len(await shared.get_order_returns(["o-1"])) == 1
