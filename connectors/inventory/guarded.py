"""The inventory system behind the source guard: locations and stock per variant × location."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from connectors.guard import CachePolicy, SourceGuard
from connectors.inventory.protocol import InventoryConnector
from connectors.inventory.records import Location, LocationType, StockLevel

#: A variant × location pair; the unit the stock cache keys on.
StockKey = tuple[str, str]

#: Marks a pair the source holds no row for, so that "none here" is cached too.
_NO_ROW = "-"


class GuardedInventoryConnector:
    """An `InventoryConnector` whose calls go through a `SourceGuard`.

    Stock is cached per variant × location pair, so listings that ask for other stores
    reuse what they share. `get_stock(..., live=True)` reads the source for this request
    (a basket or checkout) and refreshes the cache with what it read.
    """

    def __init__(
        self,
        inner: InventoryConnector,
        guard: SourceGuard,
        *,
        locations: CachePolicy,
        stock: CachePolicy,
    ) -> None:
        self._inner = inner
        self._guard = guard
        self._locations = locations
        self._stock = stock

    async def get_locations(self, ids: Sequence[str]) -> Mapping[str, Location]:
        return await self._guard.batch(
            "locations", ids, self._inner.get_locations, policy=self._locations
        )

    async def list_locations(self, types: Sequence[LocationType] | None) -> Sequence[Location]:
        key = ",".join(sorted(types)) if types else "*"

        async def fetch(keys: list[str]) -> Mapping[str, tuple[Location, ...]]:
            return {key: tuple(await self._inner.list_locations(types))}

        found = await self._guard.batch("location_list", [key], fetch, policy=self._locations)
        return found.get(key, ())

    async def get_stock(
        self, variant_ids: Sequence[str], location_ids: Sequence[str], *, live: bool = False
    ) -> Mapping[str, Sequence[StockLevel]]:
        pairs = [
            (v, loc) for v in dict.fromkeys(variant_ids) for loc in dict.fromkeys(location_ids)
        ]

        async def fetch(missing: list[StockKey]) -> Mapping[StockKey, StockLevel | str]:
            wanted_variants = list(dict.fromkeys(v for v, _ in missing))
            wanted_locations = list(dict.fromkeys(loc for _, loc in missing))
            levels = await self._inner.get_stock(wanted_variants, wanted_locations)
            rows: dict[StockKey, StockLevel | str] = dict.fromkeys(missing, _NO_ROW)
            for variant_levels in levels.values():
                for level in variant_levels:
                    rows[(level.variant_id, level.location_id)] = level
            return rows

        found = await self._guard.batch("stock", pairs, fetch, policy=self._stock, live=live)
        result: dict[str, list[StockLevel]] = {v: [] for v in variant_ids}
        for (variant_id, _), level in found.items():
            if isinstance(level, StockLevel):
                result[variant_id].append(level)
        return result
