"""A fresh loyalty database per test, a builder for accounts, and a statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.loyalty.models import Account
from tests.backoffice.support import count_statements as count_statements
from tests.backoffice.support import database
from tests.backoffice.support import insert as insert
from tests.backoffice.support import sessions as sessions

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    async with database("loy_") as engine:
        yield engine


def account(card_number: str, customer_id: str, points: int = 0) -> Account:
    return Account(card_number=card_number, customer_id=customer_id, points=points)
