"""What every inventory write shares: its transaction, the stock move, and reading its lines.

Reservations (`backoffice.inventory.reservations`, whose docstring explains the
concurrency) and restocks (`backoffice.inventory.restocks`) both write through these, so
both queue for SQLite's write lock the same way and move stock with the same atomic
statement.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.errors import InvalidRequest
from backoffice.inventory.models import Stock

#: The longest id, reference or order id a reservation or restock keeps (the column widths).
MAX_ID_LENGTH = 64

#: A variant × location pair, the unit a line takes from or adds to.
Pair = tuple[str, str]

T = TypeVar("T")


async def retrying(
    sessions: async_sessionmaker[AsyncSession], work: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    """Run `work(session)` in a write transaction; once more if it lost a race for a new key."""
    for attempt in range(2):
        try:
            async with writing(sessions) as session:
                return await work(session)
        except IntegrityError:
            # Another transaction inserted this key first and has committed: the
            # second run finds its row. Twice would be a bug, not a race.
            if attempt == 1:
                raise
    raise AssertionError("unreachable: the second attempt returns or raises")


@asynccontextmanager
async def writing(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in a write transaction, committed at the end (rolled back on an error)."""
    async with sessions() as session, session.begin():
        connection = await session.connection()
        if connection.dialect.name == "sqlite":
            # Take SQLite's write lock now, waiting for it: a deferred transaction that
            # has read would fail at its first write instead (see `reservations`).
            await session.execute(text("BEGIN IMMEDIATE"))
        yield session


async def move(
    session: AsyncSession, variant_id: str, location_id: str, change: int, now: datetime
) -> bool:
    """Add `change` units (take when negative, never below zero); False if there were too few.

    False too when the location holds no row for the variant.
    """
    statement = (
        update(Stock)
        .where(Stock.variant_id == variant_id, Stock.location_id == location_id)
        .values(quantity=Stock.quantity + change, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if change < 0:
        statement = statement.where(Stock.quantity >= -change)
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount == 1


def wanted_lines(lines: Sequence[Mapping[str, Any]], what: str) -> dict[Pair, int]:
    """The units per variant × location of `{"variant_id", "location_id", "quantity"}` lines.

    Lines of one pair count together; the pairs come sorted, the order rows are locked in.
    `what` names the write in the refusal of no lines ("a reservation").
    """
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence) or not lines:
        raise InvalidRequest(f"{what} needs at least one line")
    wanted: dict[Pair, int] = {}
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping) or set(line) != {"variant_id", "location_id", "quantity"}:
            raise InvalidRequest(
                f"line {index} must be an object of variant_id, location_id and quantity"
            )
        variant_id, location_id, quantity = (
            line["variant_id"],
            line["location_id"],
            line["quantity"],
        )
        if not isinstance(variant_id, str) or not variant_id:
            raise InvalidRequest(f"line {index}: variant_id must be a non-empty string")
        if not isinstance(location_id, str) or not location_id:
            raise InvalidRequest(f"line {index}: location_id must be a non-empty string")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise InvalidRequest(f"line {index}: quantity must be a whole number of at least 1")
        pair = (variant_id, location_id)
        wanted[pair] = wanted.get(pair, 0) + quantity
    return dict(sorted(wanted.items()))


def check_id(name: str, value: object, *, what: str = "reservation") -> None:
    """An id, reference or order id of 1 to MAX_ID_LENGTH characters; `id` is a path segment."""
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise InvalidRequest(f"{name!r} must be a string of 1 to {MAX_ID_LENGTH} characters")
    if name == "id" and "/" in value:
        # The id is one segment of the REST API's paths; refused embedded too, so that
        # both modes accept the same ids.
        raise InvalidRequest(f"a {what} id may not contain '/': {value!r}")
