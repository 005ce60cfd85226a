"""The port of the price and promotion engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from connectors.pricing.records import Price, Promotion, PurchaseRecord, Quote, QuoteLineRequest


class PricingConnector(Protocol):
    """Read access to prices. Variants without a price in the channel are absent from the result."""

    async def get_prices(
        self, variant_ids: Sequence[str], *, channel: str, quantity: int, tier: str | None
    ) -> Mapping[str, Price]: ...

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
        """Price a basket with every promotion the engine applies.

        `history` is the customer's earlier purchases in every channel (cross-channel
        promotions count them within their period); `coupons` the codes entered, each
        reported back in `Quote.coupons`; `at` prices the basket as of that moment (list
        prices and promotions then; default the engine's now), e.g. to check an old order
        against the promotions of its day. Raises `connectors.errors.UnknownKeys` listing
        the variants without a price in the channel.
        """
        ...

    async def get_promotions(
        self, *, cross_channel: bool | None = None, active_at: datetime | None = None
    ) -> tuple[Promotion, ...]:
        """The promotions running at `active_at` (default: the engine's now), by priority then id.

        With `cross_channel=True`, the ones whose period decides which purchases to pass
        as `history` (fetch the customer's orders since their earliest `starts_at`).
        """
        ...
