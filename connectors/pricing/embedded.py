"""The price engine adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from backoffice.pricing.service import PricingService
from connectors._embedded import translate_service_errors
from connectors.pricing.mapping import (
    SOURCE,
    from_purchase,
    from_quote_line,
    to_price,
    to_promotion,
    to_quote,
)
from connectors.pricing.records import Price, Promotion, PurchaseRecord, Quote, QuoteLineRequest


class EmbeddedPricingConnector:
    """A `PricingConnector` over the reference price engine running in this process."""

    def __init__(self, service: PricingService) -> None:
        self._service = service

    async def get_prices(
        self, variant_ids: Sequence[str], *, channel: str, quantity: int, tier: str | None
    ) -> Mapping[str, Price]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_prices(
                list(variant_ids), channel=channel, quantity=quantity, tier=tier
            )
        found = {price.variant_id: price for price in map(to_price, docs)}
        return {id_: found[id_] for id_ in variant_ids if id_ in found}

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
        with translate_service_errors(SOURCE):
            doc = await self._service.quote(
                [from_quote_line(line) for line in lines],
                channel=channel,
                customer_id=customer_id,
                tier=tier,
                history=[from_purchase(purchase) for purchase in history],
                coupons=list(coupons),
                at=at,
            )
        return to_quote(doc)

    async def get_promotions(
        self, *, cross_channel: bool | None = None, active_at: datetime | None = None
    ) -> tuple[Promotion, ...]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_promotions(
                active_at=active_at, cross_channel=cross_channel
            )
        return tuple(map(to_promotion, docs))
