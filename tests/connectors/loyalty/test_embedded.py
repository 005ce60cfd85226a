from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.db import create_engine, sessionmaker
from backoffice.loyalty.service import Document, LoyaltyService
from connectors.errors import SourceContractViolation, SourceUnavailable
from connectors.loyalty.embedded import EmbeddedLoyaltyConnector
from connectors.loyalty.protocol import LoyaltyConnector
from connectors.loyalty.records import LoyaltyAccount
from tests.backoffice.loyalty.rows import CLOCK, account, insert

pytestmark = pytest.mark.anyio


@pytest.fixture
def connector(sessions: async_sessionmaker[AsyncSession]) -> LoyaltyConnector:
    # Assigning to the Protocol makes mypy check that the adapter implements it exactly.
    connector: LoyaltyConnector = EmbeddedLoyaltyConnector(LoyaltyService(sessions, clock=CLOCK))
    return connector


async def test_accounts_come_back_under_the_requested_customer_ids(sessions, connector):
    await insert(sessions, account("2600000000011", "c-1", 1250), account("2600000000028", "c-2"))

    accounts = await connector.get_accounts(["c-2", "c-404", "c-1"])

    assert accounts == {
        "c-2": LoyaltyAccount(customer_id="c-2", card_number="2600000000028", points=0),
        "c-1": LoyaltyAccount(customer_id="c-1", card_number="2600000000011", points=1250),
    }
    assert list(accounts) == ["c-2", "c-1"]


async def test_accounts_come_back_under_the_requested_card_numbers(sessions, connector):
    await insert(sessions, account("2600000000011", "c-1", 1250))

    accounts = await connector.find_by_card(["2600000000011", "2600000000099"])

    assert accounts == {
        "2600000000011": LoyaltyAccount(customer_id="c-1", card_number="2600000000011", points=1250)
    }


async def test_a_database_failure_is_the_loyalty_system_being_unavailable():
    # An empty database: every table is missing.
    engine = create_engine("sqlite+aiosqlite://")
    connector = EmbeddedLoyaltyConnector(LoyaltyService(sessionmaker(engine), clock=CLOCK))
    try:
        with pytest.raises(SourceUnavailable) as caught:
            await connector.find_by_card(["2600000000011"])
    finally:
        await engine.dispose()

    assert caught.value.source == "loyalty"


async def test_a_broken_document_is_a_contract_violation(sessions):
    class BrokenLoyalty(LoyaltyService):
        async def get_accounts(self, customer_ids: Sequence[str]) -> list[Document]:
            return [{"customer_id": "c-1", "card_number": "2600000000011", "points": None}]

    connector = EmbeddedLoyaltyConnector(BrokenLoyalty(sessions, clock=CLOCK))

    with pytest.raises(SourceContractViolation, match="points None"):
        await connector.get_accounts(["c-1"])
