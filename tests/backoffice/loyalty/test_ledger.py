"""Booking points: one entry and one balance change per reference, however often it is asked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.errors import Conflict, InvalidRequest, NoAccount, NotFound
from backoffice.loyalty.models import Account, PointsEntry
from backoffice.loyalty.service import LoyaltyService
from tests.backoffice.loyalty.rows import CLOCK, account, insert

pytestmark = pytest.mark.anyio

CARD = "2600000000011"


@pytest.fixture
async def service(sessions: async_sessionmaker[AsyncSession]) -> LoyaltyService:
    await insert(sessions, account(CARD, "c-1", 100), account("2600000000028", "c-2", 7))
    return LoyaltyService(sessions, clock=CLOCK)


async def balance(sessions: async_sessionmaker[AsyncSession], card: str = CARD) -> int:
    async with sessions() as session:
        points = await session.scalar(select(Account.points).where(Account.card_number == card))
    assert points is not None
    return points


async def ledger(sessions: async_sessionmaker[AsyncSession], card: str = CARD) -> tuple[int, int]:
    """How many entries the card has, and what they add up to."""
    async with sessions() as session:
        count, total = (
            await session.execute(
                select(func.count(), func.coalesce(func.sum(PointsEntry.points), 0)).where(
                    PointsEntry.card_number == card
                )
            )
        ).one()
    return count, total


async def test_earning_books_an_entry_and_raises_the_balance(sessions, service):
    entry = await service.earn("c-1", points=42, reference="checkout:W-1", order_number="W-1")

    assert entry == {
        "reference": "checkout:W-1",
        "customer_id": "c-1",
        "card_number": CARD,
        "points": 42,
        "reason": "EARN",
        "order_number": "W-1",
        "at": "2024-03-01T10:00:00+00:00",
        "balance": 142,
        "shortfall": 0,
    }
    assert await balance(sessions) == 142
    assert await ledger(sessions) == (1, 42)


async def test_earning_again_with_the_same_reference_answers_the_first_entry(sessions, service):
    first = await service.earn("c-1", points=42, reference="checkout:W-1", order_number="W-1")
    again = await service.earn("c-1", points=42, reference="checkout:W-1", order_number="W-1")

    assert again == first
    assert await balance(sessions) == 142
    assert await ledger(sessions) == (1, 42)


async def test_a_reference_reused_for_another_booking_is_a_conflict(sessions, service):
    await service.earn("c-1", points=42, reference="checkout:W-1")

    with pytest.raises(
        Conflict, match="was used for an earning of 42 points for the customer 'c-1'"
    ):
        await service.earn("c-1", points=43, reference="checkout:W-1")
    with pytest.raises(Conflict, match="for the customer 'c-1'"):
        await service.earn("c-2", points=42, reference="checkout:W-1")
    with pytest.raises(Conflict, match="an earning of 42 points"):
        await service.reverse("c-1", points=42, reference="checkout:W-1")
    assert await balance(sessions) == 142
    assert await balance(sessions, "2600000000028") == 7


async def test_a_customer_without_an_account_has_nothing_to_earn(sessions, service):
    with pytest.raises(NoAccount) as caught:
        await service.earn("c-404", points=10, reference="checkout:W-2")

    assert (caught.value.code, caught.value.customer_id) == ("NO_ACCOUNT", "c-404")
    assert isinstance(caught.value, NotFound)
    assert await service.get_entries(["checkout:W-2"]) == []


@pytest.mark.parametrize(
    ("points", "reference", "message"),
    [
        pytest.param(0, "r-1", "between 1 and", id="zero"),
        pytest.param(-5, "r-1", "between 1 and", id="negative"),
        pytest.param(True, "r-1", "whole number", id="a-boolean"),
        pytest.param(1.5, "r-1", "whole number", id="a-fraction"),
        pytest.param(10, "", "reference must be a non-empty string", id="no-reference"),
        pytest.param(10, "r" * 65, "at most 64 characters", id="long-reference"),
    ],
)
async def test_a_malformed_booking_is_refused_and_books_nothing(
    sessions, service, points, reference, message
):
    for book in (service.earn, service.reverse):
        with pytest.raises(InvalidRequest, match=message):
            await book("c-1", points=points, reference=reference)

    assert await balance(sessions) == 100
    assert await ledger(sessions) == (0, 0)


async def test_a_reversal_takes_points_back_once(sessions, service):
    await service.earn("c-1", points=42, reference="checkout:W-1", order_number="W-1")

    entry = await service.reverse("c-1", points=40, reference="refund:R-1", order_number="W-1")
    again = await service.reverse("c-1", points=40, reference="refund:R-1", order_number="W-1")

    assert entry == again
    assert (entry["points"], entry["reason"], entry["balance"], entry["shortfall"]) == (
        -40,
        "RETURN",
        102,
        0,
    )
    assert await balance(sessions) == 102
    assert await ledger(sessions) == (2, 2)


async def test_a_reversal_beyond_the_balance_stops_at_zero_and_records_the_shortfall(
    sessions, service
):
    entry = await service.reverse("c-2", points=50, reference="refund:R-2", reason="CORRECTION")

    assert (entry["points"], entry["reason"], entry["balance"], entry["shortfall"]) == (
        -7,
        "CORRECTION",
        0,
        43,
    )
    # At zero, a reversal still leaves its record: nothing taken, everything short.
    nothing = await service.reverse("c-2", points=5, reference="refund:R-3")
    assert (nothing["points"], nothing["balance"], nothing["shortfall"]) == (0, 0, 5)
    # Retrying either reversal asks for what it asked the first time, and gets that entry.
    assert (
        await service.reverse("c-2", points=50, reference="refund:R-2", reason="CORRECTION")
        == entry
    )
    assert await service.reverse("c-2", points=5, reference="refund:R-3") == nothing
    assert await balance(sessions, "2600000000028") == 0
    # The ledger still adds up to the balance.
    assert await ledger(sessions, "2600000000028") == (2, -7)


async def test_entries_are_found_by_reference_in_a_batch(sessions, service):
    earned = await service.earn("c-1", points=42, reference="checkout:W-1")
    reversed_ = await service.reverse("c-2", points=3, reference="refund:R-1")

    found = await service.get_entries(["refund:R-1", "checkout:W-9", "checkout:W-1"])

    assert found == [earned, reversed_]
    assert await service.get_entries([]) == []
