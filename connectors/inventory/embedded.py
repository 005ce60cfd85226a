"""The inventory adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from backoffice import errors as backoffice_errors
from backoffice.inventory.service import InventoryService
from connectors._embedded import translate_service_errors
from connectors.errors import InsufficientStock, ReservationConflict
from connectors.inventory.mapping import (
    SOURCE,
    reservation_lines,
    restock_reference,
    to_location,
    to_reservation,
    to_shortage,
    to_stock_levels,
)
from connectors.inventory.records import (
    Location,
    LocationType,
    Reservation,
    ReservationLine,
    StockLevel,
)


class EmbeddedInventoryConnector:
    """An `InventoryConnector` over the reference inventory system running in this process.

    `get_stock` answers every requested variant, with an empty sequence where none of the
    locations holds a row for it: the inventory knows no variants, only stock, so "no row"
    means "none in stock", not "unknown". The service's refusals of a reservation become
    `InsufficientStock` and `ReservationConflict`, as the HTTP adapter reads them from 409s;
    so does a restock's reference reused for other lines.
    """

    def __init__(self, service: InventoryService) -> None:
        self._service = service

    async def get_locations(self, ids: Sequence[str]) -> Mapping[str, Location]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_locations(list(ids))
        found = {location.id: location for location in map(to_location, docs)}
        return {id_: found[id_] for id_ in ids if id_ in found}

    async def list_locations(self, types: Sequence[LocationType] | None) -> Sequence[Location]:
        with translate_service_errors(SOURCE):
            docs = await self._service.list_locations(None if types is None else list(types))
        return tuple(map(to_location, docs))

    async def get_stock(
        self, variant_ids: Sequence[str], location_ids: Sequence[str]
    ) -> Mapping[str, Sequence[StockLevel]]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_stock(list(variant_ids), list(location_ids))
        grouped: dict[str, list[StockLevel]] = {id_: [] for id_ in variant_ids}
        for level in to_stock_levels(docs):
            if level.variant_id in grouped:
                grouped[level.variant_id].append(level)
        return {id_: tuple(levels) for id_, levels in grouped.items()}

    async def reserve(
        self,
        reservation_id: str,
        lines: Sequence[ReservationLine],
        *,
        reference: str | None = None,
    ) -> Reservation:
        with translate_service_errors(SOURCE), _refusals():
            doc = await self._service.reserve(
                reservation_id, reservation_lines(lines), reference=reference
            )
        return to_reservation(doc)

    async def release(self, reservation_id: str) -> Reservation:
        with translate_service_errors(SOURCE), _refusals():
            doc = await self._service.release(reservation_id)
        return to_reservation(doc)

    async def commit(self, reservation_id: str, *, order_id: str) -> Reservation:
        with translate_service_errors(SOURCE), _refusals():
            doc = await self._service.commit(reservation_id, order_id=order_id)
        return to_reservation(doc)

    async def restock(self, reference: str, lines: Sequence[ReservationLine]) -> None:
        with translate_service_errors(SOURCE), _refusals():
            doc = await self._service.restock(reference, reservation_lines(lines))
        restock_reference(doc)

    async def get_reservations(self, ids: Sequence[str]) -> Mapping[str, Reservation]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_reservations(list(ids))
        found = {reservation.id: reservation for reservation in map(to_reservation, docs)}
        return {id_: found[id_] for id_ in ids if id_ in found}


@contextmanager
def _refusals() -> Iterator[None]:
    """The inventory's refusals of a reservation as the connector errors the HTTP twin raises."""
    try:
        yield
    except backoffice_errors.InsufficientStock as exc:
        raise InsufficientStock(SOURCE, map(to_shortage, exc.shortages)) from exc
    except backoffice_errors.ReservationConflict as exc:
        raise ReservationConflict(SOURCE, str(exc)) from exc
