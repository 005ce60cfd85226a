from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from backoffice.seed import PAINT_PROMOTION_ID
from backoffice.seed.prices import COUPON_CODE
from connectors.errors import UnknownKeys
from connectors.pricing.http import HttpPricingConnector
from connectors.pricing.records import PurchaseRecord, QuoteLineRequest
from tests.backoffice import live

pytestmark = pytest.mark.anyio

VARIANTS = [f"v{n:06d}" for n in range(1, 51)]


async def test_prices_of_a_batch_are_one_request_to_the_price_engine(backoffice):
    async with backoffice.client("pricing") as client:
        prices = await HttpPricingConnector(client).get_prices(
            VARIANTS, channel="WEB", quantity=3, tier="GOLD"
        )

    assert list(prices) == VARIANTS
    assert (prices["v000001"].amount, prices["v000001"].total) == (
        Decimal("26.63"),
        Decimal("79.90"),
    )
    assert backoffice.requests() == {"GET /pricing/v1/prices": 1}


async def test_a_quote_is_one_request(backoffice):
    lines = [QuoteLineRequest("v000001", 2), QuoteLineRequest("v000001", 1)]

    async with backoffice.client("pricing") as client:
        quote = await HttpPricingConnector(client).quote(
            lines, channel="STORE", customer_id="cu00001", tier=None
        )

    assert (quote.subtotal, quote.total) == (Decimal("119.85"), Decimal("79.90"))
    assert backoffice.requests() == {"POST /pricing/v1/quotes": 1}


async def test_a_quote_sends_history_and_coupons_and_reads_their_results(backoffice):
    # The story's demo customer bought one can in store this week (journey 1).
    store_can = PurchaseRecord("o-store", "STORE", live.NOW - timedelta(hours=1), "v000001", 1)

    async with backoffice.client("pricing") as client:
        quote = await HttpPricingConnector(client).quote(
            [QuoteLineRequest("v000001", 2)],
            channel="WEB",
            customer_id="cu00001",
            tier="GOLD",
            history=[store_can],
            coupons=[COUPON_CODE, "NOPE"],
        )

    (line,) = quote.lines
    assert [(d.promotion_id, d.kind, d.amount) for d in line.discounts] == [
        (PAINT_PROMOTION_ID, "MULTI_BUY", line.unit_list_amount)
    ]
    assert quote.total == line.unit_list_amount
    assert [(c.code, c.status) for c in quote.coupons] == [
        (COUPON_CODE, "NOT_APPLICABLE"),
        ("NOPE", "UNKNOWN"),
    ]
    assert backoffice.requests() == {"POST /pricing/v1/quotes": 1}


async def test_the_running_cross_channel_promotions_are_one_request(backoffice):
    async with backoffice.client("pricing") as client:
        connector = HttpPricingConnector(client)
        cross = await connector.get_promotions(cross_channel=True)
        every = await connector.get_promotions()

    assert PAINT_PROMOTION_ID in [p.id for p in cross]
    assert all(p.cross_channel for p in cross)
    assert {p.kind for p in every} == {
        "PERCENT",
        "AMOUNT_OFF",
        "FIXED_PRICE",
        "MULTI_BUY",
        "BUNDLE",
        "TIERED",
        "ORDER",
    }
    assert any(p.requires_coupon for p in every)
    assert backoffice.requests() == {"GET /pricing/v1/promotions": 2}


async def test_a_quote_naming_unpriced_variants_raises_unknown_keys(backoffice):
    async with backoffice.client("pricing") as client:
        with pytest.raises(UnknownKeys) as raised:
            await HttpPricingConnector(client).quote(
                [QuoteLineRequest("nope", 1)], channel="WEB", customer_id=None, tier=None
            )

    assert raised.value.keys == ("nope",)


async def test_a_price_engine_naming_fields_its_own_way_reads_the_same_with_a_mapping(backoffice):
    lines = [QuoteLineRequest("v000001", 3)]
    async with backoffice.client("pricing") as client:
        reference = HttpPricingConnector(client)
        prices = await reference.get_prices(VARIANTS, channel="WEB", quantity=1, tier=None)
        quote = await reference.quote(lines, channel="WEB", customer_id=None, tier=None)

    renames = {"amount": "price", "list_amount": "list_price", "total": "grand_total"}
    async with backoffice.renaming("pricing", renames) as client:
        theirs = HttpPricingConnector(
            client, mapping={theirs: ours for ours, theirs in renames.items()}
        )
        assert await theirs.get_prices(VARIANTS, channel="WEB", quantity=1, tier=None) == prices
        assert await theirs.quote(lines, channel="WEB", customer_id=None, tier=None) == quote
