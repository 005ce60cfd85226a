"""A quote as of a past moment: that moment's promotions, embedded, over HTTP and through the guard.

The seeded price engine runs the paint's cross-channel 3-for-2 (pr01) this week, and ran
"paint weeks" (pr09, 20% off DIY and paint) for four weeks some 200 days ago: a basket of
three cans priced now gets the first, priced in those weeks the second.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.db import create_engine, sessionmaker
from backoffice.pricing.models import Promotion
from backoffice.pricing.service import PricingService
from backoffice.seed import PAINT_PROMOTION_ID, PAINT_VARIANT_ID
from connectors.cache import CachePolicy, MemoryCache
from connectors.pricing.embedded import EmbeddedPricingConnector
from connectors.pricing.guarded import GuardedPricingConnector
from connectors.pricing.http import HttpPricingConnector
from connectors.pricing.protocol import PricingConnector
from connectors.pricing.records import Quote, QuoteLineRequest
from gateway.bootstrap import build_stack
from tests.api import NOW
from tests.backoffice import live

pytestmark = pytest.mark.anyio

PAINT_WEEKS = "pr09"
THREE_CANS = [QuoteLineRequest(PAINT_VARIANT_ID, 3)]


@pytest.fixture
async def sessions(seeded_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(seeded_url)
    yield sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def service(sessions: async_sessionmaker[AsyncSession]) -> PricingService:
    return PricingService(sessions, clock=live.CLOCK)


@pytest.fixture
async def paint_weeks(sessions: async_sessionmaker[AsyncSession]) -> datetime:
    """A day into the seeded "paint weeks", read from the engine's own table."""
    async with sessions() as session:
        starts = await session.scalar(
            select(Promotion.starts_at).where(Promotion.id == PAINT_WEEKS)
        )
    assert starts is not None
    assert starts < NOW - timedelta(days=30)
    return starts + timedelta(days=1)


@pytest.fixture(params=["embedded", "http", "guarded"])
async def pricing(request, service, seeded_url) -> AsyncIterator[PricingConnector]:
    embedded = EmbeddedPricingConnector(service)
    if request.param == "embedded":
        yield embedded
    elif request.param == "guarded":
        guard = build_stack(
            "pricing", cache=MemoryCache(clock=live.CLOCK), timeout=5, clock=live.CLOCK
        )
        yield GuardedPricingConnector(embedded, guard, CachePolicy(ttl=60))
    else:
        async with live.running(request, seeded_url).client("pricing") as client:
            yield HttpPricingConnector(client)


def applied(quote: Quote) -> list[str]:
    return [promotion.id for promotion in quote.promotions]


async def test_a_quote_at_a_past_moment_gets_the_promotions_of_that_moment(
    pricing, service, paint_weeks
):
    then = await pricing.quote(
        THREE_CANS, channel="WEB", customer_id=None, tier=None, at=paint_weeks
    )
    now = await pricing.quote(THREE_CANS, channel="WEB", customer_id=None, tier=None)

    assert PAINT_WEEKS in applied(then)
    assert PAINT_PROMOTION_ID not in applied(then)
    assert PAINT_PROMOTION_ID in applied(now)
    assert PAINT_WEEKS not in applied(now)
    assert then.total < then.subtotal
    assert then.total != now.total
    # The same answer the engine gives in-process, field for field.
    expected = EmbeddedPricingConnector(service)
    assert then == await expected.quote(
        THREE_CANS, channel="WEB", customer_id=None, tier=None, at=paint_weeks
    )


async def test_a_quote_at_a_moment_without_promotions_pays_the_list_price(pricing, paint_weeks):
    before = paint_weeks - timedelta(days=2)

    quote = await pricing.quote(THREE_CANS, channel="WEB", customer_id=None, tier=None, at=before)

    assert PAINT_WEEKS not in applied(quote)
    assert PAINT_PROMOTION_ID not in applied(quote)
    (line,) = quote.lines
    assert line.unit_list_amount * 3 == quote.subtotal
    assert quote.total == quote.subtotal - sum(
        (promotion.discount for promotion in quote.promotions), Decimal(0)
    )
