"""The price engine behind the source guard: prices cached per variant and context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from connectors.guard import CachePolicy, SourceGuard
from connectors.pricing.protocol import PricingConnector
from connectors.pricing.records import Price, Quote, QuoteLineRequest


def _valid_until(price: Price) -> float | None:
    return price.valid_until.timestamp() if price.valid_until else None


class GuardedPricingConnector:
    """A `PricingConnector` whose calls go through a `SourceGuard`.

    A price is cached per variant under a scope of channel, quantity and tier (everything
    else that changes it), and never past its `valid_until`. Quotes are not cached.
    """

    def __init__(self, inner: PricingConnector, guard: SourceGuard, policy: CachePolicy) -> None:
        self._inner = inner
        self._guard = guard
        self._policy = policy

    async def get_prices(
        self, variant_ids: Sequence[str], *, channel: str, quantity: int, tier: str | None
    ) -> Mapping[str, Price]:
        async def fetch(ids: list[str]) -> Mapping[str, Price]:
            return await self._inner.get_prices(ids, channel=channel, quantity=quantity, tier=tier)

        return await self._guard.batch(
            "prices",
            variant_ids,
            fetch,
            policy=self._policy,
            scope=f"{channel}|{quantity}|{tier or '-'}",
            expires_at=_valid_until,
        )

    async def quote(
        self,
        lines: Sequence[QuoteLineRequest],
        *,
        channel: str,
        customer_id: str | None,
        tier: str | None,
    ) -> Quote:
        return await self._guard.call(
            "quote",
            len(lines),
            lambda: self._inner.quote(lines, channel=channel, customer_id=customer_id, tier=tier),
        )
