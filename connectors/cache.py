"""Cross-request caches for source data: the backend port and the in-memory default.

Entries carry their own freshness so that one backend serves every policy: an entry is
*fresh* until `fresh_until`, may still be served *stale* (while it is revalidated, or when
its source fails) until `stale_until`, and is gone after that. Times are Unix seconds of
the process's clock (`kernel.clock`), so that instances sharing a Redis agree on them and a
price's promotion boundary, a date of the same clock, bounds its entry.

Entries may carry *tags* ("pim:p00001"): an invalidation event names tags, not cache keys,
because one source key is cached under many keys (a price per channel, quantity and tier).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kernel.clock import Clock, epoch_seconds


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A cached value with the times that bound its use."""

    value: Any
    stored_at: float
    fresh_until: float
    stale_until: float

    def is_fresh(self, now: float) -> bool:
        return now < self.fresh_until


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """How long a source's answers may be reused across requests.

    `ttl` is how long an entry is fresh (0: never cached across requests); `revalidate`
    how long after that it is still served at once while one background call refreshes it
    (stale-while-revalidate); `stale` how long after freshness it may be served when the
    source fails (stale-if-error). `private` data (customer, orders, loyalty) is never
    written to a shared cache.
    """

    ttl: float = 0.0
    stale: float = 0.0
    private: bool = False
    revalidate: float = 0.0

    def entry(self, value: Any, now: float, boundary: float | None = None) -> CacheEntry:
        """The entry for `value` fetched at `now`; `boundary` is when the value stops being true."""
        fresh_until = now + self.ttl
        stale_until = fresh_until + max(self.stale, self.revalidate)
        if boundary is not None:
            # Past a boundary the value is wrong, not merely old: never serve it, stale or not.
            fresh_until = min(fresh_until, boundary)
            stale_until = min(stale_until, boundary)
        return CacheEntry(value, now, fresh_until, stale_until)


NO_CACHE = CachePolicy()


class CacheBackend(Protocol):
    """Where entries live: this process's memory, or a Redis shared by every instance."""

    #: True when other processes read the same entries; customer data never goes there.
    shared: bool

    async def get_many(self, keys: Sequence[str]) -> list[CacheEntry | None]:
        """The entries for `keys`, in order; None where absent or past `stale_until`."""
        ...

    async def set_many(
        self,
        entries: Mapping[str, CacheEntry],
        tags: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Store `entries`; `tags` maps some of their keys to the tags they answer to."""
        ...

    async def delete_many(self, keys: Sequence[str]) -> None: ...

    async def invalidate_tags(self, tags: Sequence[str]) -> int:
        """Delete every entry stored under any of `tags`; returns how many were deleted."""
        ...

    async def clear(self) -> None: ...


class MemoryCache:
    """A bounded in-process cache: the embedded default; least recently stored entries go first."""

    shared = False

    def __init__(self, *, clock: Clock, max_entries: int = 200_000) -> None:
        self._entries: OrderedDict[str, CacheEntry] = OrderedDict()
        self._max_entries = max_entries
        self._clock = clock
        # Both directions, so that evicting or deleting an entry also forgets its tags and
        # the index never outgrows the entries.
        self._keys_by_tag: dict[str, set[str]] = {}
        self._tags_by_key: dict[str, tuple[str, ...]] = {}

    async def get_many(self, keys: Sequence[str]) -> list[CacheEntry | None]:
        now = epoch_seconds(self._clock)
        found: list[CacheEntry | None] = []
        for key in keys:
            entry = self._entries.get(key)
            if entry is not None and now >= entry.stale_until:
                self._forget(key)
                entry = None
            found.append(entry)
        return found

    async def set_many(
        self,
        entries: Mapping[str, CacheEntry],
        tags: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        for key, entry in entries.items():
            self._untag(key)
            self._entries[key] = entry
            self._entries.move_to_end(key)
            key_tags = tuple(tags.get(key, ())) if tags else ()
            if key_tags:
                self._tags_by_key[key] = key_tags
                for tag in key_tags:
                    self._keys_by_tag.setdefault(tag, set()).add(key)
        while len(self._entries) > self._max_entries:
            oldest = next(iter(self._entries))
            self._forget(oldest)

    async def delete_many(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._forget(key)

    async def invalidate_tags(self, tags: Sequence[str]) -> int:
        keys = {key for tag in tags for key in self._keys_by_tag.get(tag, ())}
        for key in keys:
            self._forget(key)
        return len(keys)

    async def clear(self) -> None:
        self._entries.clear()
        self._keys_by_tag.clear()
        self._tags_by_key.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _forget(self, key: str) -> None:
        self._entries.pop(key, None)
        self._untag(key)

    def _untag(self, key: str) -> None:
        for tag in self._tags_by_key.pop(key, ()):
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]
