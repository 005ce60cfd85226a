"""The port of the inventory system (stock per variant and location, and reservations of it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.inventory.records import (
    Location,
    LocationType,
    Reservation,
    ReservationLine,
    StockLevel,
)


class InventoryConnector(Protocol):
    """Read access to locations and stock levels; reservations of stock for checkouts.

    The reservation writes are keyed by the id the caller chooses (one per checkout), so
    each may be sent again and applies once: a repeated `reserve` with the same lines
    answers the first reservation, a repeated `release` or `commit` the same state.
    """

    async def get_locations(self, ids: Sequence[str]) -> Mapping[str, Location]: ...

    async def list_locations(self, types: Sequence[LocationType] | None) -> Sequence[Location]:
        """All locations of the given types (all types when None), by code."""
        ...

    async def get_stock(
        self, variant_ids: Sequence[str], location_ids: Sequence[str]
    ) -> Mapping[str, Sequence[StockLevel]]:
        """Stock of each variant at each of the locations; a location without a row holds none."""
        ...

    async def reserve(
        self,
        reservation_id: str,
        lines: Sequence[ReservationLine],
        *,
        reference: str | None = None,
    ) -> Reservation:
        """Take every line's units, or none.

        Raises `InsufficientStock` listing every short line, `ReservationConflict` when
        the id exists with other lines or was released (also by a release that came first).
        """
        ...

    async def release(self, reservation_id: str) -> Reservation:
        """Put the units back; an unknown id is recorded as released, so a late reserve fails.

        Raises `ReservationConflict` for a committed reservation.
        """
        ...

    async def commit(self, reservation_id: str, *, order_id: str) -> Reservation:
        """Hand the units to the order for good.

        Raises `ReservationConflict` for a released reservation or another order's;
        `SourceRejected` for an unknown id.
        """
        ...

    async def restock(self, reference: str, lines: Sequence[ReservationLine]) -> None:
        """Put units (back) into stock at the lines' locations, once per `reference`.

        A returned item that can be sold again goes back where it was received. The same
        reference again moves nothing (a redelivered message); with other lines it is
        `ReservationConflict`.
        """
        ...

    async def get_reservations(self, ids: Sequence[str]) -> Mapping[str, Reservation]:
        """The reservations with these ids (released unknown ids too); others are absent."""
        ...
