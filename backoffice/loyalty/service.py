"""The loyalty system's service layer: accounts by customer or by card as JSON documents.

Every method takes a batch of keys and runs one statement; unknown keys are simply
missing. The documents are what the loyalty system's REST API serves, so the embedded and
the HTTP connector parse the very same shapes.

An account (`get_accounts`, `find_by_card`); `points` is the real-time balance::

    {"customer_id": "c-1001", "card_number": "2600000000011", "points": 1250}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.loyalty.models import Account

#: A JSON-compatible document as served over REST.
Document = dict[str, Any]


class LoyaltyService:
    """Reads of the reference loyalty system, batch-first, returning JSON documents."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get_accounts(self, customer_ids: Sequence[str]) -> list[Document]:
        """The loyalty accounts of these customers."""
        if not customer_ids:
            return []
        return await self._accounts(
            select(Account)
            .where(Account.customer_id.in_(customer_ids))
            .order_by(Account.customer_id)
        )

    async def find_by_card(self, card_numbers: Sequence[str]) -> list[Document]:
        """The loyalty accounts with these card numbers."""
        if not card_numbers:
            return []
        return await self._accounts(
            select(Account)
            .where(Account.card_number.in_(card_numbers))
            .order_by(Account.card_number)
        )

    async def _accounts(self, statement: Select[Account]) -> list[Document]:
        async with self._sessions() as session:
            accounts = (await session.scalars(statement)).all()
        return [
            {
                "customer_id": account.customer_id,
                "card_number": account.card_number,
                "points": account.points,
            }
            for account in accounts
        ]
