"""The inventory adapter that calls an inventory system over its REST API (`backoffice/openapi/inventory.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from connectors._http import MAX_BATCH, RestSource, keyed
from connectors.inventory.mapping import SOURCE, to_location, to_stock_level
from connectors.inventory.records import Location, LocationType, StockLevel


class HttpInventoryConnector:
    """An `InventoryConnector` over HTTP: one request per batch (per `max_batch` variants).

    Like the embedded adapter, `get_stock` answers every requested variant, with an empty
    sequence where no location holds it. Stock requests split the variant list only; the
    location list goes whole into each. `mapping` renames top-level document fields.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        mapping: Mapping[str, str] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._rest = RestSource(client, SOURCE, mapping=mapping, max_batch=max_batch)

    async def get_locations(self, ids: Sequence[str]) -> Mapping[str, Location]:
        docs = await self._rest.items("/inventory/v1/locations", {"id": ids})
        return keyed(ids, map(to_location, docs), lambda location: location.id)

    async def list_locations(self, types: Sequence[LocationType] | None) -> Sequence[Location]:
        if types is not None and not types:
            return ()  # no type asked for: none (the API would read no types as all)
        docs = await self._rest.listing(
            "/inventory/v1/locations", {"type": None if types is None else list(types)}
        )
        return tuple(map(to_location, docs))

    async def get_stock(
        self, variant_ids: Sequence[str], location_ids: Sequence[str]
    ) -> Mapping[str, Sequence[StockLevel]]:
        grouped: dict[str, list[StockLevel]] = {id_: [] for id_ in variant_ids}
        if variant_ids and location_ids:
            docs = await self._rest.items(
                "/inventory/v1/stock", {"variant_id": variant_ids, "location_id": location_ids}
            )
            for level in map(to_stock_level, docs):
                if level.variant_id in grouped:
                    grouped[level.variant_id].append(level)
        return {id_: tuple(levels) for id_, levels in grouped.items()}
