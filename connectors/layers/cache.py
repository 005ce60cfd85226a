"""The read-through cache layer: freshness, stale-while-revalidate and stale-if-error.

How `read()` answers a set of keys:

1. Look the keys up in the cross-request cache (unless `live`). Fresh entries are answers;
   entries past freshness but inside the policy's `revalidate` window are answers too, and
   one background refresh of them is started (stale-while-revalidate; it records into no
   request); older entries still inside `stale` are kept aside.
2. Ask the layer below for the rest, with `store` to cache what it fetches.
3. If the source is unavailable and every missing key has a stale entry, answer from those
   and count them in the request's `stale_served` (stale-if-error).

Every key asked is noted in the request's read set — the source, the key's tag, and what
only the answers tell (`tags_of`, `expires_at`) — so that a whole-response cache knows
whether a response is public, what drops it and how long it holds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Hashable, Mapping
from typing import Any, TypeVar

from connectors.cache import CacheBackend, CacheEntry, CachePolicy
from connectors.errors import SourceUnavailable
from connectors.layers.requests import Read, ReadLayer, key_text
from connectors.metrics import SourceMetrics
from connectors.trace import Recorder
from kernel.clock import Clock, epoch_seconds

logger = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Cache:
    """Answers reads from `backend` where it may, and from the layer below for the rest.

    `clock` (the process's, as the backend's) drives freshness. Policies with no TTL, and
    private ones on a shared backend, skip the cache altogether.
    """

    def __init__(
        self,
        source: str,
        backend: CacheBackend | None,
        clock: Clock,
        metrics: SourceMetrics | None,
        inner: ReadLayer,
    ) -> None:
        self._source = source
        self._backend = backend
        self._clock = clock
        self._metrics = metrics
        self._inner = inner
        #: Background refreshes in progress (stale-while-revalidate).
        self.refreshes: set[asyncio.Task[Any]] = set()

    async def read(self, read: Read[K, V]) -> dict[K, V]:
        unique = list(dict.fromkeys(read.keys))
        if not unique:
            return {}
        # Each key's text once: it names the key in cache keys, tags and flights alike.
        texts = {key: key_text(key) for key in unique}
        tags = {key: f"{self._source}:{text}" for key, text in texts.items()}
        recorder = read.recorder
        if recorder is not None:
            recorder.reads.touch(self._source, tags.values())
            recorder.reads.live = recorder.reads.live or read.live
        cache = self._cache_for(read.policy)
        prefix = f"{self._source}:{read.operation}:{read.scope}:"
        names = {key: prefix + text for key, text in texts.items()}
        found: dict[K, V] = {}
        stale: dict[K, V] = {}
        revalidating: list[K] = []
        if cache is not None and not read.live:
            revalidating = await self._lookup(cache, read, names, unique, found, stale)
        missing = [key for key in unique if key not in found]
        if not missing and not revalidating:
            return _noted(recorder, read, found)
        # What the layers below need: each key's cache/flight key and tag, and the writer.
        store = _Store(cache, read, names, tags, self._clock)
        below = dataclasses.replace(read, names=names, tags=tags, store=store.write)
        if revalidating:
            self._refresh(dataclasses.replace(below, keys=revalidating, recorder=None))
        if not missing:
            return _noted(recorder, read, found)
        try:
            fetched = await self._inner.read(dataclasses.replace(below, keys=missing))
        except SourceUnavailable:
            if stale and all(key in stale for key in missing):
                self._served_stale_on_error(recorder, len(missing))
                return _noted(recorder, read, found | {key: stale[key] for key in missing})
            self._count("miss", len(missing), cache)
            raise
        self._count("miss", len(missing), cache)
        return _noted(recorder, read, found | fetched)

    async def wait_refreshes(self) -> None:
        """Wait for the background refreshes in progress (graceful shutdown, tests)."""
        while self.refreshes:
            await asyncio.gather(*self.refreshes, return_exceptions=True)

    async def _lookup(
        self,
        cache: CacheBackend,
        read: Read[K, V],
        names: Mapping[K, str],
        keys: list[K],
        found: dict[K, V],
        stale: dict[K, V],
    ) -> list[K]:
        """Sort cached entries into answers (`found`) and fallbacks (`stale`).

        Returns the keys answered while stale, which the caller revalidates.
        """
        entries = await cache.get_many([names[key] for key in keys])
        now = epoch_seconds(self._clock)
        revalidating: list[K] = []
        for key, entry in zip(keys, entries, strict=True):
            if entry is None or now >= entry.stale_until:
                continue
            if entry.is_fresh(now):
                found[key] = entry.value
            elif now < entry.fresh_until + read.policy.revalidate:
                found[key] = entry.value
                revalidating.append(key)
            else:
                stale[key] = entry.value
        if found and read.recorder is not None:
            read.recorder.calls.cache_hits[self._source] += len(found)
        self._count("hit", len(found) - len(revalidating), cache)
        self._count("stale", len(revalidating), cache)
        return revalidating

    def _refresh(self, read: Read[K, V]) -> None:
        """Refresh entries served stale, outside the request that noticed.

        Keys already in flight join that flight below, so each key is refreshed once.
        """
        task = asyncio.create_task(self._inner.read(read))
        self.refreshes.add(task)
        task.add_done_callback(self._refreshed)

    def _refreshed(self, task: asyncio.Task[Any]) -> None:
        self.refreshes.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.info("background refresh of %s failed: %s", self._source, exc)

    def _served_stale_on_error(self, recorder: Recorder | None, keys: int) -> None:
        if recorder is not None:
            recorder.reads.stale_served[self._source] += keys
        if self._metrics is not None:
            self._metrics.count_cache(self._source, "stale", keys)
        logger.info("%s unavailable: served %d stale entries", self._source, keys)

    def _count(self, result: str, keys: int, cache: CacheBackend | None) -> None:
        if self._metrics is not None and cache is not None:
            self._metrics.count_cache(self._source, result, keys)

    def _cache_for(self, policy: CachePolicy) -> CacheBackend | None:
        if policy.ttl <= 0 or self._backend is None:
            return None
        if policy.private and self._backend.shared:
            return None
        return self._backend


def _noted(recorder: Recorder | None, read: Read[K, V], answers: dict[K, V]) -> dict[K, V]:
    """Note in the request's read set what only the answers tell: extra tags, boundaries."""
    if recorder is not None and (read.expires_at is not None or read.tags_of is not None):
        for key, value in answers.items():
            if read.tags_of is not None:
                recorder.reads.tags.update(read.tags_of(key, value))
            if read.expires_at is not None and (boundary := read.expires_at(value)) is not None:
                recorder.reads.expire_by(boundary)
    return answers


class _Store:
    """Writes one read's fetched answers to the cache with their freshness and tags."""

    def __init__(
        self,
        cache: CacheBackend | None,
        read: Read[Any, Any],
        names: Mapping[Any, str],
        tags: Mapping[Any, str],
        clock: Clock,
    ) -> None:
        self._cache = cache
        self._read = read
        self._names = names
        self._tags = tags
        self._clock = clock

    async def write(self, answers: Mapping[Any, Any]) -> None:
        if self._cache is None or not answers:
            return
        now = epoch_seconds(self._clock)
        read = self._read
        entries: dict[str, CacheEntry] = {}
        tags: dict[str, list[str]] = {}
        for key, value in answers.items():
            boundary = read.expires_at(value) if read.expires_at else None
            entry = read.policy.entry(value, now, boundary)
            if entry.fresh_until <= now:
                continue  # already past its boundary: nothing worth keeping
            name = self._names[key]
            entries[name] = entry
            tags[name] = [self._tags[key]]
            if read.tags_of is not None:
                tags[name].extend(read.tags_of(key, value))
        if entries:
            await self._cache.set_many(entries, tags)
