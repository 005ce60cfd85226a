"""The port of the loyalty system."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.loyalty.records import LoyaltyAccount


class LoyaltyConnector(Protocol):
    """Read access to loyalty accounts."""

    async def get_accounts(self, customer_ids: Sequence[str]) -> Mapping[str, LoyaltyAccount]: ...

    async def find_by_card(self, card_numbers: Sequence[str]) -> Mapping[str, LoyaltyAccount]: ...
