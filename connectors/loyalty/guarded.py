"""The loyalty system behind the source guard; balances are private and read live."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from connectors.guard import CachePolicy, SourceGuard
from connectors.loyalty.protocol import LoyaltyConnector
from connectors.loyalty.records import LoyaltyAccount


class GuardedLoyaltyConnector:
    """A `LoyaltyConnector` whose calls go through a `SourceGuard`."""

    def __init__(self, inner: LoyaltyConnector, guard: SourceGuard, policy: CachePolicy) -> None:
        self._inner = inner
        self._guard = guard
        self._policy = policy

    async def get_accounts(self, customer_ids: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        return await self._guard.batch(
            "accounts", customer_ids, self._inner.get_accounts, policy=self._policy
        )

    async def find_by_card(self, card_numbers: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        return await self._guard.batch(
            "accounts_by_card", card_numbers, self._inner.find_by_card, policy=self._policy
        )
