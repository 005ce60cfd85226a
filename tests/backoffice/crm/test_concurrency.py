"""Orders racing for one voucher, and twins of one write, on a SQLite file and on a real PostgreSQL.

Each session has a connection of its own here (unlike the in-memory test database, whose
sessions share one), so the writes really race.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.crm.service import CrmService
from backoffice.db import create_engine, sessionmaker
from backoffice.errors import IdentifierTaken, VoucherNotRedeemable
from tests.backoffice.crm.rows import CLOCK, T0, create_crm_tables, customer, insert, voucher

pytestmark = pytest.mark.anyio

RACERS = 20


@pytest.fixture
async def sqlite_file_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'crm.sqlite3'}")
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite_file_engine", "postgres_engine"])
def racing_engine(request: pytest.FixtureRequest) -> AsyncEngine:
    # A plain fixture: anyio cannot resolve an async fixture from inside another one.
    engine: AsyncEngine = request.getfixturevalue(request.param)
    return engine


async def opened(engine: AsyncEngine) -> CrmService:
    """The CRM over `engine`: c-1 and c-2, and c-1's voucher TB-RACE."""
    await create_crm_tables(engine)
    sessions = sessionmaker(engine)
    await insert(sessions, customer("c-1"), customer("c-2"))
    await insert(
        sessions,
        voucher("v-1", "c-1", T0, code="TB-RACE", expires_at=CLOCK.now() + timedelta(days=9)),
    )
    return CrmService(sessions, clock=CLOCK)


async def test_of_twenty_orders_racing_for_one_voucher_exactly_one_wins(racing_engine):
    service = await opened(racing_engine)

    outcomes = await asyncio.gather(
        *(
            service.redeem_voucher("TB-RACE", order_id=f"o-{n}", customer_id="c-1")
            for n in range(RACERS)
        ),
        return_exceptions=True,
    )

    won = [outcome for outcome in outcomes if isinstance(outcome, dict)]
    lost = [outcome for outcome in outcomes if not isinstance(outcome, dict)]
    assert len(won) == 1
    assert all(isinstance(e, VoucherNotRedeemable) for e in lost)
    assert {e.code for e in lost if isinstance(e, VoucherNotRedeemable)} == {"VOUCHER_REDEEMED"}
    [stored] = await service.get_vouchers(["c-1"])
    assert stored["redeemed_order_id"] == won[0]["redeemed_order_id"]


async def test_twenty_redemptions_of_one_voucher_for_one_order_all_answer_it(racing_engine):
    service = await opened(racing_engine)

    answers = await asyncio.gather(
        *(
            service.redeem_voucher("TB-RACE", order_id="o-1", customer_id="c-1")
            for _ in range(RACERS)
        )
    )

    assert {answer["redeemed_order_id"] for answer in answers} == {"o-1"}
    assert len({answer["redeemed_at"] for answer in answers}) == 1


async def test_twenty_twins_of_one_issue_store_one_voucher(racing_engine):
    service = await opened(racing_engine)

    issued = await asyncio.gather(
        *(
            service.issue_voucher(
                "v-2", customer_id="c-2", amount="5.00", currency="EUR", reason="Sorry"
            )
            for _ in range(RACERS)
        )
    )

    assert len({answer["code"] for answer in issued}) == 1
    assert len(await service.get_vouchers(["c-2"])) == 1


async def test_two_customers_linking_one_card_at_once_one_gets_it(racing_engine):
    service = await opened(racing_engine)

    outcomes = await asyncio.gather(
        *(
            service.link_identifier(owner, type_="LOYALTY_CARD", value="2600000000901")
            for owner in ("c-1", "c-2") * (RACERS // 2)
        ),
        return_exceptions=True,
    )

    winners = {outcome["id"] for outcome in outcomes if isinstance(outcome, dict)}
    assert len(winners) == 1
    assert all(isinstance(o, IdentifierTaken) for o in outcomes if not isinstance(o, dict))
    documents = await service.get_customers(["c-1", "c-2"])
    assert sum(len(doc["identifiers"]) for doc in documents) == 1
