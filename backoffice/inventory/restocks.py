"""Restocks: units put (back) into stock once per reference, e.g. a returned item that can be sold again.

`restock(reference, lines)` adds every line's units at its location in one transaction,
creating the stock row of a variant the location held none of. The reference (the
caller's, e.g. "return:rt-7f3a") is recorded with the lines, so the same reference again
(a redelivered message, a retry after a lost answer) moves nothing and answers the first
restock; with other lines it is refused (RESERVATION_CONFLICT: the reference is taken).
Unknown locations are UNKNOWN_ITEMS, and nothing moves.

A restock document::

    {"reference": "return:rt-7f3a", "created_at": "2026-06-03T12:00:00+00:00",
     "lines": [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1}]}

Concurrency is that of reservations (`backoffice.inventory.writes`): the reference is
claimed first, so a concurrent restock of it waits on the key and then finds it; units
are added with one atomic statement per line; two restocks creating the same stock row
race on its key, and the loser's transaction runs again and adds to the winner's row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.documents import timestamp
from backoffice.errors import InvalidRequest, ReservationConflict, UnknownItems
from backoffice.inventory.models import Location, Restock, RestockLine, Stock
from backoffice.inventory.writes import Pair, check_id, move, retrying, wanted_lines
from kernel.clock import Clock

#: A JSON-compatible document as the inventory's API serves it.
Document = dict[str, Any]

#: The longest variant or location id a stock row keeps (the column widths).
_MAX_KEY_LENGTH = 32


class Restocks:
    """The restock writes of the inventory's service layer (`InventoryService` delegates)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def restock(self, reference: str, lines: Sequence[Mapping[str, Any]]) -> Document:
        """Add the lines' units at their locations, once per `reference`; see the module."""
        check_id("reference", reference)
        if "/" in reference:
            # The reference is one segment of the REST API's path; refused embedded too.
            raise InvalidRequest(f"a restock reference may not contain '/': {reference!r}")
        wanted = wanted_lines(lines, "a restock")
        for variant_id, location_id in wanted:
            if len(variant_id) > _MAX_KEY_LENGTH or len(location_id) > _MAX_KEY_LENGTH:
                raise InvalidRequest(
                    f"variant and location ids have at most {_MAX_KEY_LENGTH} characters: "
                    f"{variant_id!r} at {location_id!r}"
                )
        return await retrying(
            self._sessions, lambda session: self._restock(session, reference, wanted)
        )

    async def _restock(
        self, session: AsyncSession, reference: str, wanted: Mapping[Pair, int]
    ) -> Document:
        existing = await session.get(Restock, reference)
        if existing is not None:
            held = {(line.variant_id, line.location_id): line.quantity for line in existing.lines}
            if held != dict(wanted):
                raise ReservationConflict(
                    f"restock {reference!r} was applied with other lines; a reference restocks "
                    "once, so use a new one for other units"
                )
            return _document(existing)
        now = self._clock.now()
        # The reference is claimed first: a concurrent restock of it waits on the key.
        restock = Restock(reference=reference, created_at=now, lines=[])
        session.add(restock)
        await session.flush()
        locations = sorted({location_id for _, location_id in wanted})
        known = set(await session.scalars(select(Location.id).where(Location.id.in_(locations))))
        if unknown := [location_id for location_id in locations if location_id not in known]:
            raise UnknownItems(unknown)  # the transaction rolls back the claimed reference
        for (variant_id, location_id), quantity in wanted.items():
            await _add(session, variant_id, location_id, quantity, now)
        restock.lines = [
            RestockLine(variant_id=variant_id, location_id=location_id, quantity=quantity)
            for (variant_id, location_id), quantity in wanted.items()
        ]
        await session.flush()
        return _document(restock)


async def _add(
    session: AsyncSession, variant_id: str, location_id: str, quantity: int, now: datetime
) -> None:
    """Add units to the pair's stock row, creating it when the location held none."""
    if not await move(session, variant_id, location_id, quantity, now):
        session.add(
            Stock(variant_id=variant_id, location_id=location_id, quantity=quantity, updated_at=now)
        )
        await session.flush()  # a concurrent creator of the row makes this fail: run again


def _document(restock: Restock) -> Document:
    return {
        "reference": restock.reference,
        "created_at": timestamp(restock.created_at),
        "lines": [
            {
                "variant_id": line.variant_id,
                "location_id": line.location_id,
                "quantity": line.quantity,
            }
            for line in restock.lines
        ],
    }
