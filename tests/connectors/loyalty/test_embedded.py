from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.db import create_engine, sessionmaker
from backoffice.loyalty.service import Document, LoyaltyService
from connectors.cache import NO_CACHE
from connectors.errors import (
    NoLoyaltyAccount,
    SourceContractViolation,
    SourceRejected,
    SourceUnavailable,
)
from connectors.loyalty.embedded import EmbeddedLoyaltyConnector
from connectors.loyalty.guarded import GuardedLoyaltyConnector
from connectors.loyalty.protocol import LoyaltyConnector
from connectors.loyalty.records import LoyaltyAccount, PointsEntry
from connectors.resilience import ResiliencePolicy
from gateway.bootstrap import build_stack
from tests.backoffice.loyalty.rows import CLOCK, T0, account, insert

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


# Bookings


async def test_a_booking_comes_back_as_a_points_entry_and_reads_back_by_reference(
    sessions, connector
):
    await insert(sessions, account("2600000000011", "c-1", 10))

    earned = await connector.earn("c-1", points=5, reference="checkout:W-1", order_number="W-1")
    reversed_ = await connector.reverse("c-1", points=20, reference="refund:R-1", reason="RMA")

    assert earned == PointsEntry(
        reference="checkout:W-1",
        customer_id="c-1",
        card_number="2600000000011",
        points=5,
        reason="EARN",
        order_number="W-1",
        at=T0,
        balance=15,
        shortfall=0,
    )
    assert (reversed_.points, reversed_.reason, reversed_.balance, reversed_.shortfall) == (
        -15,
        "RMA",
        0,
        5,
    )
    assert await connector.earn("c-1", points=5, reference="checkout:W-1", order_number="W-1") == (
        earned
    )
    entries = await connector.get_entries(["refund:R-1", "nope", "checkout:W-1"])
    assert entries == {"refund:R-1": reversed_, "checkout:W-1": earned}
    assert list(entries) == ["refund:R-1", "checkout:W-1"]


async def test_a_customer_without_an_account_is_no_loyalty_account(connector):
    with pytest.raises(NoLoyaltyAccount) as caught:
        await connector.earn("c-404", points=5, reference="checkout:W-1")

    assert (caught.value.source, caught.value.code, caught.value.customer_id) == (
        "loyalty",
        "NO_ACCOUNT",
        "c-404",
    )


async def test_a_reference_reused_for_another_booking_is_rejected(sessions, connector):
    await insert(sessions, account("2600000000011", "c-1", 10))
    await connector.earn("c-1", points=5, reference="checkout:W-1")

    with pytest.raises(SourceRejected, match="was used for an earning of 5 points"):
        await connector.reverse("c-1", points=5, reference="checkout:W-1")


async def test_the_guard_retries_a_booking_whose_answer_was_lost_and_books_it_once(
    sessions, connector
):
    await insert(sessions, account("2600000000011", "c-1", 10))

    class LostAnswer(EmbeddedLoyaltyConnector):
        """Books, then fails as a dropped connection would, the first time only."""

        calls = 0

        async def earn(self, customer_id: str, **booking: Any) -> PointsEntry:
            LostAnswer.calls += 1
            entry = await super().earn(customer_id, **booking)
            if LostAnswer.calls == 1:
                raise SourceUnavailable("loyalty", "connection reset")
            return entry

    guard = build_stack(
        "loyalty",
        cache=None,
        timeout=5,
        clock=CLOCK,
        resilience=ResiliencePolicy(retries=2, backoff_base=0.001, backoff_max=0.002),
    )
    guarded = GuardedLoyaltyConnector(
        LostAnswer(LoyaltyService(sessions, clock=CLOCK)), guard, NO_CACHE
    )

    entry = await guarded.earn("c-1", points=5, reference="checkout:W-1")

    assert LostAnswer.calls == 2
    assert (entry.points, entry.balance) == (5, 15)
    assert (await connector.get_accounts(["c-1"]))["c-1"].points == 15
    with pytest.raises(NoLoyaltyAccount):
        await guarded.reverse("c-404", points=5, reference="refund:R-1")
    assert guard.breaker.consecutive_failures == 0
