"""Concurrent bookings on one card, on a SQLite file and on a real PostgreSQL.

Each session has a connection of its own here (unlike the in-memory test database, whose
sessions share one), so the bookings really race: twenty at once with one reference must
raise the balance once, and twenty with twenty references must each count (no booking
may compute its balance from a stale one).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import create_engine, sessionmaker
from backoffice.loyalty.models import Account, PointsEntry
from backoffice.loyalty.service import LoyaltyService
from tests.backoffice.loyalty.rows import CLOCK, account, create_loyalty_tables, insert

pytestmark = pytest.mark.anyio

CARD = "2600000000011"
RACERS = 20


@pytest.fixture
async def sqlite_file_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'loyalty.sqlite3'}")
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite_file_engine", "postgres_engine"])
def racing_engine(request: pytest.FixtureRequest) -> AsyncEngine:
    # A plain fixture: anyio cannot resolve an async fixture from inside another one.
    engine: AsyncEngine = request.getfixturevalue(request.param)
    return engine


async def opened(engine: AsyncEngine) -> LoyaltyService:
    """The loyalty service over `engine`, its tables created and c-1 holding 100 points."""
    await create_loyalty_tables(engine)
    sessions = sessionmaker(engine)
    await insert(sessions, account(CARD, "c-1", 100))
    return LoyaltyService(sessions, clock=CLOCK)


async def state(engine: AsyncEngine) -> tuple[int, int, int]:
    """The card's balance, its number of entries, and what they add up to."""
    async with sessionmaker(engine)() as session:
        points = await session.scalar(select(Account.points).where(Account.card_number == CARD))
        count, total = (
            await session.execute(
                select(func.count(), func.coalesce(func.sum(PointsEntry.points), 0)).where(
                    PointsEntry.card_number == CARD
                )
            )
        ).one()
    return int(points), int(count), int(total)


async def test_twenty_concurrent_earnings_of_one_reference_raise_the_balance_once(racing_engine):
    service = await opened(racing_engine)

    entries = await asyncio.gather(
        *(
            service.earn("c-1", points=42, reference="checkout:W-1", order_number="W-1")
            for _ in range(RACERS)
        )
    )

    assert {entry["balance"] for entry in entries} == {142}
    assert all(entry == entries[0] for entry in entries)
    assert await state(racing_engine) == (142, 1, 42)


async def test_twenty_concurrent_bookings_of_their_own_references_all_count(racing_engine):
    service = await opened(racing_engine)

    earned = await asyncio.gather(
        *(service.earn("c-1", points=10, reference=f"checkout:{n}") for n in range(RACERS))
    )
    # Reversals racing each other past zero: 300 points held, 20 x 20 asked.
    reversed_ = await asyncio.gather(
        *(service.reverse("c-1", points=20, reference=f"refund:{n}") for n in range(RACERS))
    )

    # Each booking saw the balance the one before it left: no two share a balance.
    assert sorted(entry["balance"] for entry in earned) == list(range(110, 301, 10))
    assert sorted(entry["balance"] for entry in reversed_) == [0] * 5 + list(range(0, 281, 20))
    assert sum(entry["shortfall"] for entry in reversed_) == RACERS * 20 - 300
    assert sum(-entry["points"] for entry in reversed_) == 300
    # The ledger moved the opening 100 down to 0.
    assert await state(racing_engine) == (0, 2 * RACERS, -100)
