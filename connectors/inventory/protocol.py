"""The port of the inventory system (stock per variant and location)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.inventory.records import Location, LocationType, StockLevel


class InventoryConnector(Protocol):
    """Read access to locations and stock levels."""

    async def get_locations(self, ids: Sequence[str]) -> Mapping[str, Location]: ...

    async def list_locations(self, types: Sequence[LocationType] | None) -> Sequence[Location]:
        """All locations of the given types (all types when None), by code."""
        ...

    async def get_stock(
        self, variant_ids: Sequence[str], location_ids: Sequence[str]
    ) -> Mapping[str, Sequence[StockLevel]]:
        """Stock of each variant at each of the locations; a location without a row holds none."""
        ...
