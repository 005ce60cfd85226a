"""What travels down a source stack: a `Read` of keys or a `Call`, and the layer interfaces."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from connectors.cache import CachePolicy
from connectors.trace import Recorder

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


@dataclass(slots=True)
class Call(Generic[T]):
    """One upstream call: `fetch` made at most once per attempt.

    `idempotent` calls may be retried; `recorder` is the request's (None: no request).
    `Retry` fills `limit` (the attempt's end, event-loop time) and `budget` (its length in
    seconds); the layer that calls the source sets `reached` (perf_counter) when it does.
    """

    operation: str
    keys: int
    fetch: Callable[[], Awaitable[T]]
    idempotent: bool = True
    recorder: Recorder | None = None
    limit: float = 0.0
    budget: float = 0.0
    reached: float | None = None


@dataclass(slots=True)
class Read(Generic[K, V]):
    """A batch read: values for `keys`, the ones not known elsewhere from one `fetch`.

    `scope` holds everything besides the key that changes the answer (channel, tier...);
    `expires_at` lets a value end its own freshness early; `live` skips the cache read but
    still refreshes it; `tags_of` adds invalidation tags to the key's own. The cache layer
    fills `names` (each key's cache and flight key), `tags` (each key's own tag) and
    `store` (writes fetched answers to the cache) for the layers below it.
    """

    operation: str
    keys: Sequence[K]
    fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]]
    policy: CachePolicy
    scope: str = ""
    expires_at: Callable[[V], float | None] | None = None
    live: bool = False
    tags_of: Callable[[K, V], Sequence[str]] | None = None
    recorder: Recorder | None = None
    names: Mapping[K, str] = field(default_factory=dict)
    tags: Mapping[K, str] = field(default_factory=dict)
    store: Callable[[Mapping[K, V]], Awaitable[None]] | None = None


class CallLayer(Protocol):
    """A layer of the call path: makes (or refuses, retries, bounds) one upstream call."""

    async def call(self, call: Call[T]) -> T: ...


class ReadLayer(Protocol):
    """A layer of the read path: answers a batch read, asking the layer below for the rest."""

    async def read(self, read: Read[K, V]) -> dict[K, V]: ...


def key_text(key: Hashable) -> str:
    """A key as it appears in cache keys, tags and flights: tuples joined with "|"."""
    return "|".join(map(str, key)) if isinstance(key, tuple) else str(key)
