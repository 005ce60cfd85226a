"""The per-request recorder: what a request's source calls did, read and left to write.

Connectors never see the GraphQL request, yet the gateway wants three things from the
calls made on its behalf, one part each:

* `CallLog`: every upstream call, timed, and the cache hits (tests assert on the counts;
  dev responses show them in `extensions`);
* `ReadSet`: what the request *read* — the sources asked, the cache tags of every key
  asked (answered from the cache or not), the earliest boundary a value reported, whether
  a read skipped the cache or was served stale — which a whole-response cache needs to
  decide whether a response is public, what drops it and how long it holds;
* `WriteBehind`: the cache writes of the request's fetches, held until its response is out.

The HTTP edge creates one `Recorder` per request and passes it down explicitly: into the
request context, whose sources are views bound to it (`Sources.bound`). Calls made outside
any request (background refreshes, recovery, the outbox worker) record into nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable
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
class CallLog:
    """The upstream calls made for one request, and the keys its reads found in the cache."""

    calls: list[SourceCall] = field(default_factory=list)
    began: float = field(default_factory=time.perf_counter)
    cache_hits: Counter[str] = field(default_factory=Counter)

    def calls_by_source(self) -> dict[str, int]:
        return dict(Counter(call.source for call in self.calls))


@dataclass(slots=True)
class ReadSet:
    """What one request read, as a whole-response cache needs to know it.

    `sources` are the sources asked, `tags` the cache tags ("pim:p00001") of every key
    asked and of what `tags_of` added, and `expires_at` the earliest moment (wall-clock
    seconds) a value read stops being true, such as a price at a promotion boundary; None
    when no value said. `live` is True once a read skipped the cache (availability in a
    basket): its answer must not be reused. `stale_served` counts, per source, the keys
    answered from a stale entry because the source failed (stale-if-error): the response
    is degraded and may say so.
    """

    sources: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    expires_at: float | None = None
    live: bool = False
    stale_served: Counter[str] = field(default_factory=Counter)

    def touch(self, source: str, tags: Iterable[str] = ()) -> None:
        """Record that the request read `source`, and the tags of what it read."""
        self.sources.add(source)
        self.tags.update(tags)

    def expire_by(self, moment: float) -> None:
        """Record that something the request read stops being true at `moment`."""
        if self.expires_at is None or moment < self.expires_at:
            self.expires_at = moment


@dataclass(slots=True)
class WriteBehind:
    """Holds a request's cache writes until its response is on its way.

    Pickling and storing are then not on the response's path. `responded` None (outside a
    server: tests) lets writes go at once.
    """

    responded: asyncio.Event | None = None
    writes: list[asyncio.Task[Any]] = field(default_factory=list)

    async def hold(self) -> None:
        """Wait, in the task about to write, until the response is out (and remember the task)."""
        if self.responded is None:
            return
        task = asyncio.current_task()
        if task is not None:
            self.writes.append(task)
        await self.responded.wait()

    async def drain(self, seconds: float) -> None:
        """Wait up to `seconds` for the writes held (the response is out)."""
        if self.writes:
            await asyncio.wait(self.writes, timeout=seconds)


@dataclass(slots=True)
class Recorder:
    """One request's record of its source calls: the call log, the read set, the write-behind."""

    calls: CallLog = field(default_factory=CallLog)
    reads: ReadSet = field(default_factory=ReadSet)
    writes: WriteBehind = field(default_factory=WriteBehind)

    def summary(self) -> dict[str, object]:
        """A JSON-ready summary for the response's `extensions`."""
        by_source: dict[str, dict[str, float]] = {}
        log = self.calls
        for call in log.calls:
            entry = by_source.setdefault(call.source, {"calls": 0, "keys": 0, "ms": 0.0})
            entry["calls"] += 1
            entry["keys"] += call.keys
            entry["ms"] = round(entry["ms"] + call.milliseconds, 2)
        for source, hits in log.cache_hits.items():
            by_source.setdefault(source, {"calls": 0, "keys": 0, "ms": 0.0})["cacheHits"] = hits
        for source, stale in self.reads.stale_served.items():
            by_source.setdefault(source, {"calls": 0, "keys": 0, "ms": 0.0})["staleServed"] = stale
        # When each call went out, relative to the request: calls that leave together are
        # one level of the query; the number of levels bounds its latency.
        waterfall = [
            {
                "source": call.source,
                "operation": call.operation,
                "keys": call.keys,
                "startMs": round((call.started - log.began) * 1000, 1),
                "ms": round(call.milliseconds, 1),
            }
            for call in sorted(log.calls, key=lambda call: call.started)
        ]
        return {"sources": by_source, "calls": len(log.calls), "waterfall": waterfall}
