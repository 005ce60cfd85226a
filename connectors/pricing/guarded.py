"""The price engine behind the source guard: prices and the promotions list cached, quotes not."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime

from connectors.guard import CachePolicy, SourceGuard
from connectors.pricing.protocol import PricingConnector
from connectors.pricing.records import Price, Promotion, PurchaseRecord, Quote, QuoteLineRequest
from connectors.trace import Recorder


def _valid_until(price: Price) -> float | None:
    return price.valid_until.timestamp() if price.valid_until else None


def _first_end(promotions: tuple[Promotion, ...]) -> float | None:
    # The list changes when one of its promotions ends; one that starts later is caught by
    # the policy's short TTL, as a price's new promotion is (DESIGN.md §4).
    return min((p.ends_at.timestamp() for p in promotions), default=None)


class GuardedPricingConnector:
    """A `PricingConnector` whose calls go through a `SourceGuard`.

    A price is cached per variant under a scope of channel, quantity and tier (everything
    else that changes it), and never past its `valid_until`. The promotions running now
    are cached per `cross_channel` filter, never past the first one's end; a list asked
    for another moment is not cached. Quotes are not cached: they carry a customer's
    history and coupons (and a quote as of a past moment, `at`, must never be answered
    from, or stored under, a key without it).
    """

    def __init__(self, inner: PricingConnector, guard: SourceGuard, policy: CachePolicy) -> None:
        self._inner = inner
        self._guard = guard
        self._policy = policy

    def bound(self, recorder: Recorder) -> GuardedPricingConnector:
        """This connector as one request sees it: its calls recorded in `recorder`.

        A copy, so that what was set on the process's connector (a test's fault) holds.
        """
        view = copy.copy(self)
        view._guard = self._guard.bound(recorder)
        return view

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
        history: Sequence[PurchaseRecord] = (),
        coupons: Sequence[str] = (),
        at: datetime | None = None,
    ) -> Quote:
        return await self._guard.call(
            "quote",
            len(lines),
            lambda: self._inner.quote(
                lines,
                channel=channel,
                customer_id=customer_id,
                tier=tier,
                history=history,
                coupons=coupons,
                at=at,
            ),
        )

    async def get_promotions(
        self, *, cross_channel: bool | None = None, active_at: datetime | None = None
    ) -> tuple[Promotion, ...]:
        if active_at is not None:
            return await self._guard.call(
                "promotions",
                1,
                lambda: self._inner.get_promotions(
                    cross_channel=cross_channel, active_at=active_at
                ),
            )
        key = "all" if cross_channel is None else f"cross_channel={cross_channel}".lower()

        async def fetch(keys: list[str]) -> Mapping[str, tuple[Promotion, ...]]:
            found = await self._inner.get_promotions(cross_channel=cross_channel)
            return dict.fromkeys(keys, found)

        answer = await self._guard.batch(
            "promotions", [key], fetch, policy=self._policy, expires_at=_first_end
        )
        return answer[key]
