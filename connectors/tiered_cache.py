"""A process-local front over the shared cache: hot entries without a Redis round trip.

A warm listing reads about 200 entries from Redis: a few `MGET`s and 200 unpickled records,
a fifth of its CPU. `TieredCache` answers them from this process's memory for a few
seconds, then asks Redis again. Writes go to both.

Invalidation: an event names tags, but an entry this process read from Redis carries none
(its tags live in Redis), so the front cannot tell which of its entries an event touches.
It therefore empties itself on every event, and the `Invalidator` applies events to it on
every instance (it is registered as a local cache); events are rare, and the front refills
from Redis one batch at a time. An entry written by another instance (a refresh) is seen
here at the latest `front_seconds` later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from connectors.cache import CacheBackend, CacheEntry, MemoryCache
from kernel.clock import Clock, epoch_seconds


class LocalFront(MemoryCache):
    """The process-local part of a `TieredCache`: any invalidation empties it."""

    async def invalidate_tags(self, tags: Sequence[str]) -> int:
        if not tags:
            return 0
        dropped = len(self)
        await self.clear()
        return dropped


class TieredCache:
    """`front` (this process, `front_seconds` at most) over `back` (Redis, shared)."""

    def __init__(
        self,
        front: LocalFront,
        back: CacheBackend,
        *,
        front_seconds: float,
        clock: Clock,
    ) -> None:
        if front_seconds <= 0:
            raise ValueError("front_seconds must be positive; use the back cache alone instead")
        self.front = front
        self.back = back
        self.shared = back.shared
        self._front_seconds = front_seconds
        self._clock = clock
        # Keys being read from the back: when the front's entries lapse together, the
        # requests in flight would each read and unpickle the same entries (a listing's
        # search page alone takes milliseconds); the later ones wait for the first.
        self._reading: dict[str, asyncio.Future[CacheEntry | None]] = {}

    async def get_many(self, keys: Sequence[str]) -> list[CacheEntry | None]:
        found = await self.front.get_many(keys)
        missing = [i for i, entry in enumerate(found) if entry is None]
        if not missing:
            return found
        joined = {i: self._reading[keys[i]] for i in missing if keys[i] in self._reading}
        mine = [i for i in missing if i not in joined]
        if mine:
            await self._read_back(keys, found, mine)
        for i, reading in joined.items():
            found[i] = await reading
        return found

    async def _read_back(
        self, keys: Sequence[str], found: list[CacheEntry | None], indexes: list[int]
    ) -> None:
        names = list(dict.fromkeys(keys[i] for i in indexes))
        loop = asyncio.get_running_loop()
        readings = {name: loop.create_future() for name in names}
        for name, reading in readings.items():
            self._reading[name] = reading
        try:
            fetched = dict(zip(names, await self.back.get_many(names), strict=True))
            fill = {
                name: self._front_entry(entry)
                for name, entry in fetched.items()
                if entry is not None
            }
            if fill:
                await self.front.set_many(fill)
        except BaseException:
            # Cancelled (or failed) here: those waiting take it as a miss, never as their
            # own cancellation.
            for reading in readings.values():
                if not reading.done():
                    reading.set_result(None)
            raise
        finally:
            for name, reading in readings.items():
                if self._reading.get(name) is reading:
                    del self._reading[name]
        for name, reading in readings.items():
            reading.set_result(fetched[name])
        for i in indexes:
            found[i] = fetched[keys[i]]

    async def set_many(
        self,
        entries: Mapping[str, CacheEntry],
        tags: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        await self.back.set_many(entries, tags)
        await self.front.set_many({key: self._front_entry(e) for key, e in entries.items()})

    async def delete_many(self, keys: Sequence[str]) -> None:
        await self.front.delete_many(keys)
        await self.back.delete_many(keys)

    async def invalidate_tags(self, tags: Sequence[str]) -> int:
        await self.front.invalidate_tags(tags)
        return await self.back.invalidate_tags(tags)

    async def clear(self) -> None:
        await self.front.clear()
        await self.back.clear()

    def _front_entry(self, entry: CacheEntry) -> CacheEntry:
        """The entry as the front keeps it: never longer than `front_seconds`."""
        until = epoch_seconds(self._clock) + self._front_seconds
        return CacheEntry(
            entry.value,
            entry.stored_at,
            min(entry.fresh_until, until),
            min(entry.stale_until, until),
        )
