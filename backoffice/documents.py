"""Writers for the JSON values the back-office services put in their documents.

Every service writes timestamps and amounts the same way, so that every connector can read
them with the same rules (`connectors._documents`): a timestamp is ISO 8601 in UTC, an
amount a decimal string, never a float.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from kernel.money import round_money


def timestamp(at: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC: `2024-03-01T10:00:00+00:00`."""
    return at.astimezone(UTC).isoformat()


def money(amount: Decimal, currency: str) -> str:
    """An amount as a decimal string in the currency's minor unit: `"5.00"`."""
    # A no-op on amounts stored correctly; it makes SQLite show "5.00" as PostgreSQL does.
    return str(round_money(amount, currency))
