"""The loyalty system behind the source guard; balances are private and read live.

Bookings (`earn`, `reverse`) go through the guard without the cache. They are passed as
idempotent, so the guard may retry them when the loyalty system is unavailable: each is
keyed by its `reference`, which the loyalty system books once, so a retry whose first
attempt did land answers that first entry instead of booking twice.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from connectors.guard import CachePolicy, SourceGuard
from connectors.loyalty.protocol import LoyaltyConnector
from connectors.loyalty.records import LoyaltyAccount, PointsEntry
from connectors.trace import Recorder


class GuardedLoyaltyConnector:
    """A `LoyaltyConnector` whose calls go through a `SourceGuard`."""

    def __init__(self, inner: LoyaltyConnector, guard: SourceGuard, policy: CachePolicy) -> None:
        self._inner = inner
        self._guard = guard
        self._policy = policy

    def bound(self, recorder: Recorder) -> GuardedLoyaltyConnector:
        """This connector as one request sees it: its calls recorded in `recorder`.

        A copy, so that what was set on the process's connector (a test's fault) holds.
        """
        view = copy.copy(self)
        view._guard = self._guard.bound(recorder)
        return view

    async def get_accounts(self, customer_ids: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        return await self._guard.batch(
            "accounts", customer_ids, self._inner.get_accounts, policy=self._policy
        )

    async def find_by_card(self, card_numbers: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        return await self._guard.batch(
            "accounts_by_card", card_numbers, self._inner.find_by_card, policy=self._policy
        )

    async def earn(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str | None = None,
        order_number: str | None = None,
    ) -> PointsEntry:
        # Keyed by `reference`: a retry cannot earn twice (see the module docstring).
        return await self._guard.call(
            "earn",
            1,
            lambda: self._inner.earn(
                customer_id,
                points=points,
                reference=reference,
                reason=reason,
                order_number=order_number,
            ),
            idempotent=True,
        )

    async def reverse(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str | None = None,
        order_number: str | None = None,
    ) -> PointsEntry:
        # Keyed by `reference`: a retry cannot take points back twice.
        return await self._guard.call(
            "reverse",
            1,
            lambda: self._inner.reverse(
                customer_id,
                points=points,
                reference=reference,
                reason=reason,
                order_number=order_number,
            ),
            idempotent=True,
        )

    async def get_entries(self, references: Sequence[str]) -> Mapping[str, PointsEntry]:
        # Live, never cached: a recovering caller asks because it does not know the answer.
        return await self._guard.call(
            "entries", len(references), lambda: self._inner.get_entries(references)
        )
