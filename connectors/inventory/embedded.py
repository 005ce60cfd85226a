"""The inventory adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backoffice.inventory.service import InventoryService
from connectors._embedded import translate_service_errors
from connectors.inventory.mapping import SOURCE, to_location, to_stock_level
from connectors.inventory.records import Location, LocationType, StockLevel


class EmbeddedInventoryConnector:
    """An `InventoryConnector` over the reference inventory system running in this process.

    `get_stock` answers every requested variant, with an empty sequence where none of the
    locations holds a row for it: the inventory knows no variants, only stock, so "no row"
    means "none in stock", not "unknown".
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
        for level in map(to_stock_level, docs):
            if level.variant_id in grouped:
                grouped[level.variant_id].append(level)
        return {id_: tuple(levels) for id_, levels in grouped.items()}
