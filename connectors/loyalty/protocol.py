"""The port of the loyalty system."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.loyalty.records import LoyaltyAccount, PointsEntry


class LoyaltyConnector(Protocol):
    """Loyalty accounts, and points booked on them once per reference.

    `earn` and `reverse` may be repeated safely: a booking is keyed by its `reference`, and
    booking one again answers the first entry and moves nothing. A customer without an
    account raises `NoLoyaltyAccount`; a reference booked before for another request
    raises `SourceRejected`. `reason` None is the loyalty system's own (EARN, RETURN).
    """

    async def get_accounts(self, customer_ids: Sequence[str]) -> Mapping[str, LoyaltyAccount]: ...

    async def find_by_card(self, card_numbers: Sequence[str]) -> Mapping[str, LoyaltyAccount]: ...

    async def earn(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str | None = None,
        order_number: str | None = None,
    ) -> PointsEntry:
        """Add `points` (> 0) to the customer's balance, once per `reference`."""
        ...

    async def reverse(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str | None = None,
        order_number: str | None = None,
    ) -> PointsEntry:
        """Take `points` (> 0) back, never below zero (the rest is the entry's shortfall)."""
        ...

    async def get_entries(self, references: Sequence[str]) -> Mapping[str, PointsEntry]:
        """The entries booked under these references; references never booked are absent."""
        ...
