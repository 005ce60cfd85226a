"""The inventory system behind the source guard: locations, stock per variant × location, reservations."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from connectors.guard import CachePolicy, SourceGuard
from connectors.inventory.protocol import InventoryConnector
from connectors.inventory.records import (
    Location,
    LocationType,
    Reservation,
    ReservationLine,
    StockLevel,
)
from connectors.trace import Recorder

#: A variant × location pair; the unit the stock cache keys on.
StockKey = tuple[str, str]

#: Marks a pair the source holds no row for, so that "none here" is cached too.
_NO_ROW = "-"


class GuardedInventoryConnector:
    """An `InventoryConnector` whose calls go through a `SourceGuard`.

    Stock is cached per variant × location pair, so listings that ask for other stores
    reuse what they share. `get_stock(..., live=True)`, or `get_stock_live`, reads the
    source for this request (a basket or checkout) and refreshes the cache with what it read.

    Reservations are never cached: they go through `SourceGuard.call` (breaker, timeout,
    concurrency cap, trace) on every call. The writes are retried like reads, which is safe
    because each is keyed by the reservation id: a `reserve` sent twice finds its own
    reservation and takes nothing more, a second `release` or `commit` finds the state the
    first one left. A retry after the first attempt timed out yet applied is therefore
    harmless, and a checkout gets its answer rather than a doubt. A `restock` is keyed by
    its reference the same way: sent twice, it adds its units once.
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

    def bound(self, recorder: Recorder) -> GuardedInventoryConnector:
        """This connector as one request sees it: its calls recorded in `recorder`.

        A copy, so that what was set on the process's connector (a test's fault) holds.
        """
        view = copy.copy(self)
        view._guard = self._guard.bound(recorder)
        return view

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

    async def get_stock_live(
        self, variant_ids: Sequence[str], location_ids: Sequence[str]
    ) -> Mapping[str, Sequence[StockLevel]]:
        """Stock read from the source now, never from the cache: for baskets and checkouts.

        DESIGN §4: listings may show cached figures, but once an item goes into a basket its
        availability is checked live. The figures read still refresh the cache.
        """
        return await self.get_stock(variant_ids, location_ids, live=True)

    async def reserve(
        self,
        reservation_id: str,
        lines: Sequence[ReservationLine],
        *,
        reference: str | None = None,
    ) -> Reservation:
        # Keyed by reservation_id: a retried reserve answers the first one (see the class).
        return await self._guard.call(
            "reserve",
            len(lines),
            lambda: self._inner.reserve(reservation_id, lines, reference=reference),
            idempotent=True,
        )

    async def release(self, reservation_id: str) -> Reservation:
        # Keyed by reservation_id: the units go back once however often it is sent.
        return await self._guard.call(
            "release", 1, lambda: self._inner.release(reservation_id), idempotent=True
        )

    async def commit(self, reservation_id: str, *, order_id: str) -> Reservation:
        # Keyed by reservation_id and order_id: committing again to the same order is a no-op.
        return await self._guard.call(
            "commit",
            1,
            lambda: self._inner.commit(reservation_id, order_id=order_id),
            idempotent=True,
        )

    async def restock(self, reference: str, lines: Sequence[ReservationLine]) -> None:
        # Keyed by reference: a retried restock finds the first one and adds nothing. The
        # stock cache is left to its TTL, as after a reservation (baskets read live).
        await self._guard.call(
            "restock",
            len(lines),
            lambda: self._inner.restock(reference, lines),
            idempotent=True,
        )

    async def get_reservations(self, ids: Sequence[str]) -> Mapping[str, Reservation]:
        # Not cached: a checkout recovering from a crash must see the reservation as it is.
        if not ids:
            return {}
        return await self._guard.call(
            "reservations", len(ids), lambda: self._inner.get_reservations(ids)
        )
