"""The guarded CRM: vouchers by code read live, keyed writes sent again safely, refusals not retried."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.crm.service import CrmService
from connectors.cache import MemoryCache
from connectors.crm.embedded import EmbeddedCrmConnector
from connectors.crm.guarded import GuardedCrmConnector
from connectors.crm.records import NewVoucher, Voucher
from connectors.errors import SourceUnavailable, VoucherNotRedeemable
from connectors.guard import CachePolicy
from connectors.resilience import ResiliencePolicy
from gateway.bootstrap import build_stack
from tests.backoffice.crm.rows import CLOCK, customer, insert
from tests.clocks import ManualClock

pytestmark = pytest.mark.anyio

T = TypeVar("T")

NEW = NewVoucher(
    id="v-1",
    customer_id="c-1",
    amount=Decimal("10.00"),
    currency="EUR",
    reason="Late delivery",
    expires_at=CLOCK.now() + timedelta(days=90),
    issued_by="svc:sanne",
)


class LosingFirstAnswers(EmbeddedCrmConnector):
    """The embedded CRM, except that the first answer to each write in `lose` is lost.

    The write is applied; its answer fails as a connection reset after sending would.
    """

    def __init__(self, service: CrmService) -> None:
        super().__init__(service)
        self.calls: list[str] = []
        self.lose = {"issue", "redeem"}

    async def issue_voucher(self, new: NewVoucher) -> Voucher:
        return self._lose_first("issue", await self._counted("issue", super().issue_voucher(new)))

    async def redeem_voucher(self, code: str, *, order_id: str, customer_id: str | None) -> Voucher:
        answer = super().redeem_voucher(code, order_id=order_id, customer_id=customer_id)
        return self._lose_first("redeem", await self._counted("redeem", answer))

    async def get_vouchers_by_code(self, codes: Sequence[str]) -> Mapping[str, Voucher]:
        return await self._counted("by_code", super().get_vouchers_by_code(codes))

    async def _counted(self, name: str, answer: Awaitable[T]) -> T:
        self.calls.append(name)
        return await answer

    def _lose_first(self, name: str, answer: Voucher) -> Voucher:
        if name in self.lose:
            self.lose.discard(name)
            raise SourceUnavailable("crm", "connection reset after the request was sent")
        return answer


@pytest.fixture
async def inner(sessions: async_sessionmaker[AsyncSession]) -> LosingFirstAnswers:
    await insert(sessions, customer("c-1"), customer("c-2"))
    return LosingFirstAnswers(CrmService(sessions, clock=CLOCK))


@pytest.fixture
def guarded(inner: LosingFirstAnswers) -> GuardedCrmConnector:
    clock = ManualClock(CLOCK.now().timestamp())
    guard = build_stack(
        "crm",
        cache=MemoryCache(clock=clock),
        timeout=5.0,
        clock=clock,
        timer=clock,
        resilience=ResiliencePolicy(retries=2, backoff_base=0.001, backoff_max=0.002),
    )
    return GuardedCrmConnector(inner, guard, CachePolicy(ttl=60, private=True))


async def test_an_issue_and_a_redemption_whose_answers_were_lost_apply_once(guarded, inner):
    issued = await guarded.issue_voucher(NEW)
    spent = await guarded.redeem_voucher(issued.code, order_id="o-1", customer_id="c-1")

    assert inner.calls == ["issue", "issue", "redeem", "redeem"]
    assert spent.redeemed_order_id == "o-1"
    assert [v.id for v in (await guarded.get_vouchers(["c-1"]))["c-1"]] == ["v-1"]


async def test_a_refused_redemption_is_an_answer_and_not_retried(guarded, inner):
    inner.lose = set()
    issued = await guarded.issue_voucher(NEW)

    with pytest.raises(VoucherNotRedeemable) as caught:
        await guarded.redeem_voucher(issued.code, order_id="o-1", customer_id="c-2")

    assert caught.value.code == "VOUCHER_NOT_YOURS"
    assert inner.calls == ["issue", "redeem"]
    assert guarded._guard.breaker.state == "closed"


async def test_vouchers_by_code_are_read_live_every_time(guarded, inner):
    inner.lose = set()
    issued = await guarded.issue_voucher(NEW)

    before = await guarded.get_vouchers_by_code([issued.code])
    await guarded.redeem_voucher(issued.code, order_id="o-1", customer_id="c-1")
    after = await guarded.get_vouchers_by_code([issued.code])

    assert before[issued.code].redeemed_at is None
    assert after[issued.code].redeemed_order_id == "o-1"
    assert inner.calls.count("by_code") == 2
    assert await guarded.get_vouchers_by_code([]) == {}
