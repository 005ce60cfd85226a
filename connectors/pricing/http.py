"""The price engine adapter that calls a price engine over its REST API (`backoffice/openapi/pricing.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import httpx

from connectors._http import MAX_BATCH, RestSource, keyed
from connectors.pricing.mapping import (
    SOURCE,
    from_purchase,
    from_quote_line,
    to_price,
    to_promotion,
    to_quote,
)
from connectors.pricing.records import Price, Promotion, PurchaseRecord, Quote, QuoteLineRequest


class HttpPricingConnector:
    """A `PricingConnector` over HTTP: one request per batch of variants, one per quote.

    `mapping` renames the top-level fields of prices and quotes to the reference names.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        mapping: Mapping[str, str] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._rest = RestSource(client, SOURCE, mapping=mapping, max_batch=max_batch)

    async def get_prices(
        self, variant_ids: Sequence[str], *, channel: str, quantity: int, tier: str | None
    ) -> Mapping[str, Price]:
        docs = await self._rest.items(
            "/pricing/v1/prices",
            {"variant_id": variant_ids},
            {"channel": channel, "quantity": quantity, "tier": tier},
        )
        return keyed(variant_ids, map(to_price, docs), lambda price: price.variant_id)

    async def quote(
        self,
        lines: Sequence[QuoteLineRequest],
        *,
        channel: str,
        customer_id: str | None,
        tier: str | None,
        history: Sequence[PurchaseRecord] = (),
        coupons: Sequence[str] = (),
        at: datetime | None = None,
    ) -> Quote:
        doc = await self._rest.post(
            "/pricing/v1/quotes",
            {
                "lines": [from_quote_line(line) for line in lines],
                "channel": channel,
                "customer_id": customer_id,
                "tier": tier,
                "history": [from_purchase(purchase) for purchase in history],
                "coupons": list(coupons),
                # Left out for now, so that a price engine without `at` is asked as before.
                **({"at": at.isoformat()} if at is not None else {}),
            },
        )
        return to_quote(self._rest.rename(doc))

    async def get_promotions(
        self, *, cross_channel: bool | None = None, active_at: datetime | None = None
    ) -> tuple[Promotion, ...]:
        params: dict[str, str] = {}
        if cross_channel is not None:
            params["cross_channel"] = "true" if cross_channel else "false"
        if active_at is not None:
            params["active_at"] = active_at.isoformat()
        docs = await self._rest.listing("/pricing/v1/promotions", params)
        return tuple(map(to_promotion, docs))
