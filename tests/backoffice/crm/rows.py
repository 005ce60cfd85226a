"""A fresh CRM database per test, builders for the few rows a test needs, and a statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.crm.models import Consent, Customer, Identifier, Interaction, Voucher
from backoffice.db import Base
from kernel.clock import FixedClock
from tests.backoffice.support import count_statements as count_statements
from tests.backoffice.support import database
from tests.backoffice.support import insert as insert
from tests.backoffice.support import sessions as sessions

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)

#: The CRM's "now" in these tests: a day after T0, standing still.
CLOCK = FixedClock(datetime(2024, 3, 2, 10, 0, tzinfo=UTC))


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    async with database("crm_") as engine:
        yield engine


async def create_crm_tables(engine: AsyncEngine) -> None:
    """The CRM's tables, and no others, in the database of `engine`."""
    tables = [t for name, t in Base.metadata.tables.items() if name.startswith("crm_")]
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=tables)


def customer(id: str, **overrides: Any) -> Customer:
    fields: dict[str, Any] = {
        "id": id,
        "customer_number": f"N-{id}",
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": None,
        "phone": None,
        "tier": "STANDARD",
        "created_at": T0,
    }
    return Customer(**(fields | overrides))


def identifier(customer_id: str, type_: str, value: str, source: str | None = None) -> Identifier:
    return Identifier(customer_id=customer_id, type=type_, value=value, source=source)


def consent(customer_id: str, purpose: str, *, granted: bool = True) -> Consent:
    return Consent(customer_id=customer_id, purpose=purpose, granted=granted, at=T0)


def interaction(id: str, customer_id: str, at: datetime, **overrides: Any) -> Interaction:
    fields: dict[str, Any] = {
        "id": id,
        "customer_id": customer_id,
        "at": at,
        "channel": "phone",
        "kind": "complaint",
        "note": "Promotion not applied at the till.",
        "by": "agent-12",
    }
    return Interaction(**(fields | overrides))


def voucher(id: str, customer_id: str, issued_at: datetime, **overrides: Any) -> Voucher:
    fields: dict[str, Any] = {
        "id": id,
        "customer_id": customer_id,
        "code": f"CODE-{id}",
        "amount": Decimal("5.00"),
        "currency": "EUR",
        "reason": "Compensation for a missed promotion",
        "issued_at": issued_at,
        "redeemed_at": None,
    }
    return Voucher(**(fields | overrides))
