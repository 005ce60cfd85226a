"""The handle a guarded connector calls: one source's stack, bound to a request's recorder.

`gateway.bootstrap.build_stack` assembles the layers (`connectors.layers`) per source and
hands them over in a `SourceGuard`; each guarded connector turns its methods into a
`batch` (a cached read) or a `call` (carts, writes: no cache, no single-flight). A
request's view of the connectors (`Sources.bound`) carries its `Recorder` down to the
layers in every `Read` and `Call`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from connectors.cache import NO_CACHE, CachePolicy
from connectors.layers.cache import Cache
from connectors.layers.flights import retrieve_failure
from connectors.layers.requests import Call, CallLayer, Read
from connectors.layers.sharing import SharedFetch
from connectors.resilience import CircuitBreaker
from connectors.trace import Recorder

# CachePolicy lives with the cache entries it shapes; the guarded connectors import it here.
__all__ = ["NO_CACHE", "CachePolicy", "SourceGuard", "retrieve_failure"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class SourceGuard:
    """One source's read stack (`reads`, topped by the cache) and call stack (`calls`).

    `shared` is the read stack's single-flight layer (for invalidation listeners),
    `breaker` its circuit breaker (for readiness). `recorder` is the request this handle
    records into; None outside any request.
    """

    def __init__(
        self,
        source: str,
        *,
        reads: Cache,
        shared: SharedFetch,
        calls: CallLayer,
        breaker: CircuitBreaker,
        recorder: Recorder | None = None,
    ) -> None:
        self.source = source
        self.reads = reads
        self.shared = shared
        self.calls = calls
        self.breaker = breaker
        self.recorder = recorder

    def bound(self, recorder: Recorder) -> SourceGuard:
        """This source's stack recording into one request's `recorder`."""
        return SourceGuard(
            self.source,
            reads=self.reads,
            shared=self.shared,
            calls=self.calls,
            breaker=self.breaker,
            recorder=recorder,
        )

    async def batch(
        self,
        operation: str,
        keys: Sequence[K],
        fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        *,
        policy: CachePolicy,
        scope: str = "",
        expires_at: Callable[[V], float | None] | None = None,
        live: bool = False,
        tags_of: Callable[[K, V], Sequence[str]] | None = None,
    ) -> dict[K, V]:
        """Values for `keys`: fresh ones from the cache, the rest from one call to `fetch`.

        See `connectors.layers.requests.Read` for what the arguments change. Entries are
        tagged "<source>:<key>" plus whatever `tags_of(key, value)` adds.
        """
        return await self.reads.read(
            Read(operation, keys, fetch, policy, scope, expires_at, live, tags_of, self.recorder)
        )

    async def call(
        self,
        operation: str,
        keys: int,
        fetch: Callable[[], Awaitable[T]],
        *,
        idempotent: bool = True,
    ) -> T:
        """One upstream call through the resilience layers, recorded in the request's log.

        Idempotent calls (reads, and writes the source keys) are retried on
        `SourceUnavailable` as the resilience policy says; others get one attempt.
        """
        if self.recorder is not None:
            self.recorder.reads.sources.add(self.source)
        return await self.calls.call(Call(operation, keys, fetch, idempotent, self.recorder))

    async def wait_background(self) -> None:
        """Wait for the background refreshes in progress (graceful shutdown, tests)."""
        await self.reads.wait_refreshes()
