"""The port of the price and promotion engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.pricing.records import Price, Quote, QuoteLineRequest


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
    ) -> Quote:
        """Price a basket with every promotion the engine applies.

        Raises `connectors.errors.UnknownKeys` listing the variants without a price in the channel.
        """
        ...
