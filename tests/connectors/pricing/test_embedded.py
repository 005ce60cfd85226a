from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.db import create_engine, sessionmaker
from backoffice.pricing.service import PricingService
from connectors.cache import CachePolicy, MemoryCache
from connectors.errors import SourceRejected, SourceUnavailable, UnknownKeys
from connectors.pricing.embedded import EmbeddedPricingConnector
from connectors.pricing.guarded import GuardedPricingConnector
from connectors.pricing.protocol import PricingConnector
from connectors.pricing.records import CouponResult, Promotion, PurchaseRecord, QuoteLineRequest
from gateway.bootstrap import build_stack
from kernel.clock import FixedClock
from tests.backoffice.pricing.rows import T0, insert, item, list_price, promotion
from tests.clocks import ManualClock

pytestmark = pytest.mark.anyio


@pytest.fixture
async def pricing(sessions: async_sessionmaker[AsyncSession]) -> PricingConnector:
    await insert(
        sessions,
        list_price("V-1", "10.00"),
        list_price("V-2", "19.99", channel="WEB"),
        item("V-1", "P-1", brand="Flexa"),
        item("V-2", "P-2", brand="Flexa"),
        promotion(
            "PR-3FOR2",
            kind="MULTI_BUY",
            percent=None,
            buy_quantity=3,
            pay_quantity=2,
            brand="Flexa",
        ),
        promotion("PR-GOLD", percent=Decimal(15), tiers=["GOLD"], ends_at=T0 + timedelta(days=2)),
    )
    # Typed as the port: mypy checks that the adapter implements it.
    connector: PricingConnector = EmbeddedPricingConnector(
        PricingService(sessions, clock=FixedClock(T0))
    )
    return connector


async def test_prices_come_back_as_records_under_the_requested_variants(pricing):
    prices = await pricing.get_prices(
        ["V-2", "nope", "V-1"], channel="WEB", quantity=1, tier="GOLD"
    )

    assert list(prices) == ["V-2", "V-1"]
    v2 = prices["V-2"]
    assert (v2.list_amount, v2.amount, v2.valid_until) == (
        Decimal("19.99"),
        Decimal("16.99"),
        T0 + timedelta(days=2),
    )
    assert [(p.id, p.discount) for p in v2.promotions] == [("PR-GOLD", Decimal("3.00"))]


async def test_a_variant_without_a_price_in_the_channel_is_absent(pricing):
    prices = await pricing.get_prices(["V-1", "V-2"], channel="POS", quantity=3, tier=None)

    assert {key: price.amount for key, price in prices.items()} == {"V-1": Decimal("6.67")}


async def test_a_quote_comes_back_as_a_record(pricing):
    quote = await pricing.quote(
        [QuoteLineRequest("V-1", 2), QuoteLineRequest("V-1", 1)],
        channel="WEB",
        customer_id="C-1",
        tier=None,
    )

    assert [line.total for line in quote.lines] == [Decimal("13.33"), Decimal("6.67")]
    assert (quote.subtotal, quote.discount_total, quote.total) == (
        Decimal("30.00"),
        Decimal("10.00"),
        Decimal("20.00"),
    )
    assert [(p.id, p.discount) for p in quote.promotions] == [("PR-3FOR2", Decimal("10.00"))]


async def test_a_quote_with_unknown_variants_names_them(pricing):
    with pytest.raises(UnknownKeys) as caught:
        await pricing.quote(
            [QuoteLineRequest("V-1", 1), QuoteLineRequest("V-9", 1), QuoteLineRequest("V-2", 1)],
            channel="POS",
            customer_id=None,
            tier=None,
        )

    assert (caught.value.source, caught.value.keys) == ("pricing", ("V-2", "V-9"))


async def test_a_request_the_price_engine_refuses_is_a_rejected_request(pricing):
    with pytest.raises(SourceRejected, match="quantity"):
        await pricing.get_prices(["V-1"], channel="WEB", quantity=0, tier=None)


async def test_a_database_failure_makes_pricing_unavailable():
    engine = create_engine("sqlite+aiosqlite://")  # no tables
    pricing = EmbeddedPricingConnector(PricingService(sessionmaker(engine), clock=FixedClock(T0)))
    try:
        with pytest.raises(SourceUnavailable) as caught:
            await pricing.get_prices(["V-1"], channel="WEB", quantity=1, tier=None)
    finally:
        await engine.dispose()

    assert caught.value.source == "pricing"


async def test_a_quote_passes_history_and_coupons_through(pricing):
    earlier = PurchaseRecord("o1", "STORE", T0 - timedelta(hours=3), "V-1", 1)

    quote = await pricing.quote(
        [QuoteLineRequest("V-1", 2)],
        channel="WEB",
        customer_id="C-1",
        tier=None,
        history=[earlier],
        coupons=["NOPE"],
    )

    # PR-3FOR2 is not cross-channel: the earlier can does not count.
    assert quote.total == Decimal("20.00")
    assert quote.coupons == (CouponResult("NOPE", "UNKNOWN"),)


async def test_the_promotions_come_back_as_records(pricing):
    promotions = await pricing.get_promotions()

    assert [(p.id, p.kind, p.tiers) for p in promotions] == [
        ("PR-3FOR2", "MULTI_BUY", None),
        ("PR-GOLD", "PERCENT", ("GOLD",)),
    ]
    assert await pricing.get_promotions(cross_channel=True) == ()


class CountingPricing:
    """Counts the promotions calls that reach the inner connector."""

    def __init__(self, inner: PricingConnector) -> None:
        self.inner = inner
        self.calls = 0

    async def get_promotions(
        self, *, cross_channel: bool | None = None, active_at: datetime | None = None
    ) -> tuple[Promotion, ...]:
        self.calls += 1
        return await self.inner.get_promotions(cross_channel=cross_channel, active_at=active_at)


async def test_the_guard_caches_the_running_promotions_until_the_first_ends(pricing):
    clock = ManualClock(T0.timestamp())
    counting = CountingPricing(pricing)
    guard = build_stack("pricing", cache=MemoryCache(clock=clock), timeout=1.0, clock=clock)
    guarded = GuardedPricingConnector(counting, guard, CachePolicy(ttl=3 * 86_400))  # type: ignore[arg-type]

    first = await guarded.get_promotions()
    assert await guarded.get_promotions() == first
    assert counting.calls == 1
    await guarded.get_promotions(active_at=T0)  # another moment: not cached
    assert counting.calls == 2
    clock.seconds += 2 * 86_400 + 1  # PR-GOLD has ended
    await guarded.get_promotions()
    assert counting.calls == 3
