"""The guarded inventory connector: live stock for baskets, reservations and restocks retried safely."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.inventory.service import InventoryService
from connectors.cache import MemoryCache
from connectors.errors import InsufficientStock, SourceUnavailable
from connectors.guard import CachePolicy
from connectors.inventory.embedded import EmbeddedInventoryConnector
from connectors.inventory.guarded import GuardedInventoryConnector
from connectors.inventory.records import Reservation, ReservationLine, StockLevel
from connectors.resilience import ResiliencePolicy
from gateway.bootstrap import build_stack
from kernel.clock import FixedClock
from tests.backoffice.inventory.rows import T0
from tests.clocks import ManualClock

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("stock")]

TWO_AT_UTRECHT = [ReservationLine("V-1", "LOC-UTR", 2)]

T = TypeVar("T")


class LosingFirstAnswers(EmbeddedInventoryConnector):
    """The embedded inventory, except that the first answer to each write in `lose` is lost.

    The write is applied; its answer fails as a connection reset after sending would.
    """

    def __init__(self, service: InventoryService) -> None:
        super().__init__(service)
        self.calls: list[str] = []
        self.lose = {"reserve", "release", "restock"}

    async def reserve(
        self,
        reservation_id: str,
        lines: Sequence[ReservationLine],
        *,
        reference: str | None = None,
    ) -> Reservation:
        self.calls.append("reserve")
        answer = await super().reserve(reservation_id, lines, reference=reference)
        return self._lose_first(answer)

    async def release(self, reservation_id: str) -> Reservation:
        self.calls.append("release")
        return self._lose_first(await super().release(reservation_id))

    async def restock(self, reference: str, lines: Sequence[ReservationLine]) -> None:
        self.calls.append("restock")
        await super().restock(reference, lines)
        self._lose_first(None)

    async def get_stock(
        self, variant_ids: Sequence[str], location_ids: Sequence[str]
    ) -> Mapping[str, Sequence[StockLevel]]:
        self.calls.append("stock")
        return await super().get_stock(variant_ids, location_ids)

    def _lose_first(self, answer: T) -> T:
        if self.calls[-1] in self.lose:
            self.lose.discard(self.calls[-1])
            raise SourceUnavailable("inventory", "connection reset after the request was sent")
        return answer


@pytest.fixture
def inner(sessions: async_sessionmaker[AsyncSession]) -> LosingFirstAnswers:
    return LosingFirstAnswers(InventoryService(sessions, clock=FixedClock(T0)))


@pytest.fixture
def guarded(inner: LosingFirstAnswers) -> GuardedInventoryConnector:
    clock = ManualClock(T0.timestamp())
    guard = build_stack(
        "inventory",
        cache=MemoryCache(clock=clock),
        timeout=5.0,
        clock=clock,
        timer=clock,
        resilience=ResiliencePolicy(retries=2, backoff_base=0.001, backoff_max=0.002),
    )
    policy = CachePolicy(ttl=60)
    return GuardedInventoryConnector(inner, guard, locations=policy, stock=policy)


async def quantity(stock: Mapping[str, Sequence[StockLevel]]) -> int:
    (level,) = stock["V-1"]
    return level.quantity


async def test_a_reserve_whose_answer_was_lost_is_sent_again_and_reserves_once(guarded, inner):
    reservation = await guarded.reserve("chk-1", TWO_AT_UTRECHT)

    assert inner.calls == ["reserve", "reserve"]
    assert reservation.status == "RESERVED"
    assert await quantity(await guarded.get_stock_live(["V-1"], ["LOC-UTR"])) == 1


async def test_a_release_whose_answer_was_lost_puts_the_units_back_once(guarded, inner):
    inner.lose = {"release"}
    await guarded.reserve("chk-1", TWO_AT_UTRECHT)

    released = await guarded.release("chk-1")

    assert inner.calls.count("release") == 2
    assert released.status == "RELEASED"
    assert await quantity(await guarded.get_stock_live(["V-1"], ["LOC-UTR"])) == 3


async def test_insufficient_stock_is_an_answer_not_a_failure(guarded, inner):
    with pytest.raises(InsufficientStock):
        await guarded.reserve("chk-1", [ReservationLine("V-1", "LOC-UTR", 9)])

    assert inner.calls == ["reserve"]  # one attempt: a refusal is not retried
    assert guarded._guard.breaker.state == "closed"


async def test_live_stock_skips_the_cache_that_listings_read(guarded, inner):
    inner.lose = set()
    listing = await guarded.get_stock(["V-1"], ["LOC-UTR"])
    await guarded.reserve("chk-1", TWO_AT_UTRECHT)

    cached = await guarded.get_stock(["V-1"], ["LOC-UTR"])
    live = await guarded.get_stock_live(["V-1"], ["LOC-UTR"])
    refreshed = await guarded.get_stock(["V-1"], ["LOC-UTR"])

    assert [await quantity(s) for s in (listing, cached, live, refreshed)] == [3, 3, 1, 1]
    assert inner.calls.count("stock") == 2  # the first listing and the live read


async def test_a_restock_whose_answer_was_lost_is_sent_again_and_adds_its_units_once(
    guarded, inner
):
    await guarded.restock("return:rt-1", [ReservationLine("V-1", "LOC-UTR", 2)])

    assert inner.calls == ["restock", "restock"]
    (level,) = (await guarded.get_stock_live(["V-1"], ["LOC-UTR"]))["V-1"]
    assert level.quantity == 3 + 2
