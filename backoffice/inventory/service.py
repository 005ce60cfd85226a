"""The inventory system's service layer: locations, stock per variant × location, reservations.

Every method returns JSON-compatible documents, the same ones the inventory's REST API
serves. A location (`address` and `geo` are null when the location has none)::

    {
        "id": "LOC-UTR-01",
        "code": "UTR01",
        "name": "Utrecht Hoog Catharijne",
        "type": "STORE",
        "address": {"line1": "Godebaldkwartier 10", "line2": null, "postal_code": "3511 DX",
                    "city": "Utrecht", "country": "NL"},
        "geo": {"latitude": 52.0894, "longitude": 5.1101},
        "click_and_collect": true,
        "ship_from_store": true,
        "channels": ["POS", "WEB", "APP"],
        "footfall": 4200
    }

A stock level (a variant × location pair without a row holds nothing and is absent);
`as_of` is when the figure was read, `updated_at` when the stock last moved::

    {"variant_id": "V-1001-BLK", "location_id": "LOC-UTR-01", "quantity": 3,
     "as_of": "2026-06-01T09:30:12+00:00", "updated_at": "2026-06-01T08:02:00+00:00"}

Reservations (`reserve`, `release`, `commit`, `get_reservations`) take units out of stock
for a checkout; `backoffice.inventory.reservations` holds their rules, their concurrency
and the shape of their document. `restock` puts units (back) into stock once per
reference; `backoffice.inventory.restocks` holds its rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.documents import timestamp
from backoffice.inventory.models import Location, Stock
from backoffice.inventory.reservations import Reservations
from backoffice.inventory.restocks import Restocks
from kernel.clock import Clock

#: A JSON-compatible document as the inventory's API serves it.
Document = dict[str, Any]


class InventoryService:
    """Locations and stock levels (reads of one SQL statement each), and stock reservations.

    `clock` gives the moment a stock figure is read, which its `as_of` reports, and the
    moment a reservation or a stock row changes.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._reservations = Reservations(sessions, clock=clock)
        self._restocks = Restocks(sessions, clock=clock)

    async def get_locations(self, ids: Sequence[str]) -> list[Document]:
        """The locations with these ids; unknown ids are missing from the list."""
        if not ids:
            return []
        async with self._sessions() as session:
            rows = await session.scalars(select(Location).where(Location.id.in_(set(ids))))
            return [_location_document(row) for row in rows]

    async def list_locations(self, types: Sequence[str] | None = None) -> list[Document]:
        """Every location of the given types (all types when None), ordered by code."""
        query = select(Location).order_by(Location.code)
        if types is not None:
            query = query.where(Location.type.in_(set(types)))
        async with self._sessions() as session:
            return [_location_document(row) for row in await session.scalars(query)]

    async def get_stock(
        self, variant_ids: Sequence[str], location_ids: Sequence[str]
    ) -> list[Document]:
        """Stock of the variants at the locations, by variant and location id."""
        if not variant_ids or not location_ids:
            return []
        # Taken before the read, so a figure is never claimed fresher than it is.
        as_of = timestamp(self._clock.now())
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Stock)
                .where(Stock.variant_id.in_(set(variant_ids)))
                .where(Stock.location_id.in_(set(location_ids)))
                .order_by(Stock.variant_id, Stock.location_id)
            )
            return [
                {
                    "variant_id": row.variant_id,
                    "location_id": row.location_id,
                    "quantity": row.quantity,
                    "as_of": as_of,
                    "updated_at": timestamp(row.updated_at),
                }
                for row in rows
            ]

    async def reserve(
        self,
        reservation_id: str,
        lines: Sequence[Mapping[str, Any]],
        *,
        reference: str | None = None,
    ) -> Document:
        """Take the lines' units (`{"variant_id", "location_id", "quantity"}`) all or none.

        Raises `InsufficientStock` with every short line, `ReservationConflict` when the id
        exists with other lines or was released; see `Reservations.reserve`.
        """
        return await self._reservations.reserve(reservation_id, lines, reference=reference)

    async def release(self, reservation_id: str) -> Document:
        """Put a reservation's units back; an unknown id becomes a RELEASED tombstone."""
        return await self._reservations.release(reservation_id)

    async def commit(self, reservation_id: str, *, order_id: str) -> Document:
        """Hand a reservation's units to the order for good (status COMMITTED)."""
        return await self._reservations.commit(reservation_id, order_id=order_id)

    async def get_reservations(self, ids: Sequence[str]) -> list[Document]:
        """The reservations with these ids; unknown ids are missing from the list."""
        return await self._reservations.get(ids)

    async def restock(self, reference: str, lines: Sequence[Mapping[str, Any]]) -> Document:
        """Add the lines' units (`{"variant_id", "location_id", "quantity"}`) once per reference.

        The same reference again moves nothing and answers the first restock; with other
        lines it raises `ReservationConflict`; unknown locations `UnknownItems`.
        """
        return await self._restocks.restock(reference, lines)


def _location_document(location: Location) -> Document:
    # An address is only worth giving whole: a partial one cannot be shipped to.
    has_address = all(
        value is not None
        for value in (location.line1, location.postal_code, location.city, location.country)
    )
    has_geo = location.latitude is not None and location.longitude is not None
    return {
        "id": location.id,
        "code": location.code,
        "name": location.name,
        "type": location.type,
        "address": {
            "line1": location.line1,
            "line2": location.line2,
            "postal_code": location.postal_code,
            "city": location.city,
            "country": location.country,
        }
        if has_address
        else None,
        "geo": {"latitude": location.latitude, "longitude": location.longitude}
        if has_geo
        else None,
        "click_and_collect": location.click_and_collect,
        "ship_from_store": location.ship_from_store,
        "channels": list(location.channels),
        "footfall": location.footfall,
    }
