"""The per-request record of source calls, kept in a context variable.

Connectors never see the GraphQL request, yet the gateway wants to count and time every
upstream call a request makes (tests assert on the counts; dev responses show them in
`extensions`). asyncio copies context variables into the tasks a request spawns, so one
`SourceTrace` set at the start of a request collects every call made on its behalf.

It also records what the request *read* (the sources asked and the cache tags of every
key asked, answered from the cache or not), which is what a whole-response cache needs
to decide whether a response is public and which invalidation events must drop it.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SourceCall:
    """One upstream call: which source and operation, how many keys, when, how long, how it ended."""

    source: str
    operation: str
    keys: int
    milliseconds: float
    outcome: str  # "ok" | error class name
    started: float  # time.perf_counter() when the call went out


@dataclass(slots=True)
class SourceTrace:
    """Source calls and cache hits made on behalf of one request.

    `stale_served` counts, per source, the keys answered from a stale cache entry because
    the source failed (stale-if-error): the response is degraded and may say so.

    `sources` are the sources asked (by `SourceGuard.batch` or `call`), `tags` the cache
    tags ("pim:p00001") of every key asked and of what `tags_of` added, and `expires_at`
    the earliest moment (wall-clock seconds) a value read stops being true, such as a
    price at a promotion boundary; None when no value said. `live` is True once a read
    skipped the cache (availability in a basket): its answer must not be reused.
    `responded` and `writes` put the request's cache writes after its response.
    """

    calls: list[SourceCall] = field(default_factory=list)
    began: float = field(default_factory=time.perf_counter)
    cache_hits: Counter[str] = field(default_factory=Counter)
    stale_served: Counter[str] = field(default_factory=Counter)
    sources: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    expires_at: float | None = None
    live: bool = False
    # Set by the server once the response is on its way: the cache writes of the request's
    # fetches wait for it, so that pickling and storing are not on the response's path.
    # None (outside a server: tests, background refreshes) writes at once.
    responded: asyncio.Event | None = None
    writes: list[asyncio.Task[Any]] = field(default_factory=list)

    def touch(self, source: str, tags: Iterable[str] = ()) -> None:
        """Record that the request read `source`, and the tags of what it read."""
        self.sources.add(source)
        self.tags.update(tags)

    def expire_by(self, moment: float) -> None:
        """Record that something the request read stops being true at `moment`."""
        if self.expires_at is None or moment < self.expires_at:
            self.expires_at = moment

    def calls_by_source(self) -> dict[str, int]:
        return dict(Counter(call.source for call in self.calls))

    def summary(self) -> dict[str, object]:
        """A JSON-ready summary for the response's `extensions`."""
        by_source: dict[str, dict[str, float]] = {}
        for call in self.calls:
            entry = by_source.setdefault(call.source, {"calls": 0, "keys": 0, "ms": 0.0})
            entry["calls"] += 1
            entry["keys"] += call.keys
            entry["ms"] = round(entry["ms"] + call.milliseconds, 2)
        for source, hits in self.cache_hits.items():
            by_source.setdefault(source, {"calls": 0, "keys": 0, "ms": 0.0})["cacheHits"] = hits
        for source, stale in self.stale_served.items():
            by_source.setdefault(source, {"calls": 0, "keys": 0, "ms": 0.0})["staleServed"] = stale
        # When each call went out, relative to the request: calls that leave together are
        # one level of the query; the number of levels bounds its latency.
        waterfall = [
            {
                "source": call.source,
                "operation": call.operation,
                "keys": call.keys,
                "startMs": round((call.started - self.began) * 1000, 1),
                "ms": round(call.milliseconds, 1),
            }
            for call in sorted(self.calls, key=lambda call: call.started)
        ]
        return {"sources": by_source, "calls": len(self.calls), "waterfall": waterfall}


_current: ContextVar[SourceTrace | None] = ContextVar("source_trace", default=None)


def current_trace() -> SourceTrace | None:
    return _current.get()


@contextmanager
def tracing(trace: SourceTrace) -> Iterator[SourceTrace]:
    """Collect the source calls made inside the block (and the tasks it starts) into `trace`."""
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)
