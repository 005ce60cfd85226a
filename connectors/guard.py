"""The one place every source call goes through: cache, single-flight, resilience, tracing.

Each domain's `guarded.py` wraps an adapter (embedded or HTTP) with a `SourceGuard`, so
caching and resilience are written once, here, and not in every adapter.

How `batch()` answers a set of keys:

1. Look the keys up in the cross-request cache (unless `live`). Fresh entries are answers;
   entries past freshness but inside the policy's `revalidate` window are answers too, and
   one background refresh per key is started (stale-while-revalidate); older entries still
   inside `stale` are kept aside.
2. Join the fetches already in flight in this process for any remaining key, and start one
   fetch for the rest (single-flight: 100 concurrent misses of a key make one source call).
   The fetch runs in a task of its own, so a caller that goes away does not cancel the
   others' answer; it writes the cache before it stops being joinable.
3. If the source is unavailable and every missing key has a stale entry, answer from those
   and count them in the request trace's `stale_served` (stale-if-error).

Every attempt goes through `call()`: the circuit breaker, the concurrency cap, the timeout
budget and, for idempotent reads, retries with full-jitter backoff (see
`connectors.resilience`).

Both note in the request's `SourceTrace` what the request read: the source, the tag of
every key asked (cached or not) and the boundaries `expires_at` reports, so that a
whole-response cache knows whether a response is public, what drops it and how long
it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from connectors.cache import NO_CACHE, CacheBackend, CacheEntry, CachePolicy
from connectors.errors import ConnectorError, SourceTimeout, SourceUnavailable
from connectors.metrics import SourceMetrics
from connectors.resilience import NO_RESILIENCE, CircuitBreaker, ResiliencePolicy, backoff_delay
from connectors.trace import SourceCall, SourceTrace, current_trace
from kernel.clock import Clock, epoch_seconds

if TYPE_CHECKING:
    from connectors.invalidation import InvalidationEvent

# CachePolicy lives with the cache entries it shapes; the guarded connectors import it here.
__all__ = ["NO_CACHE", "CachePolicy", "SourceGuard"]

logger = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class _Absent:
    """Marks a key the source had no answer for."""


_ABSENT = _Absent()


class _Flight:
    """A fetch in progress that every caller needing one of its keys awaits.

    `live` flights started without reading the cache; a `live` caller joins only those, so
    that a basket never gets an answer a listing's earlier fetch read. A `discarded` flight
    still answers its callers but caches nothing: its keys changed while it was running.
    """

    __slots__ = ("answer", "discarded", "live", "tags", "task")

    def __init__(self, live: bool, tags: frozenset[str]) -> None:
        self.live = live
        self.tags = tags
        self.discarded = False
        # The fetch's answer, as soon as it arrives; `task` ends once it is also cached.
        self.answer: asyncio.Future[Mapping[Any, Any]] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[Mapping[Any, Any]]


class SourceGuard:
    """Guards one source: caches its batch answers per key and bounds every call.

    `resilience=None` keeps one attempt per call, no breaker and no cap; the gateway's
    bootstrap passes a `ResiliencePolicy` per source. `clock` (the process's, as the cache's)
    drives cache freshness; `timer` (monotonic seconds) the breaker's reset time; `rand`
    the backoff jitter.
    """

    def __init__(
        self,
        source: str,
        *,
        cache: CacheBackend | None,
        timeout: float,
        clock: Clock,
        timer: Callable[[], float] = time.monotonic,
        resilience: ResiliencePolicy | None = None,
        metrics: SourceMetrics | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.source = source
        self._cache = cache
        self._timeout = timeout
        self._clock = clock
        self._resilience = resilience or NO_RESILIENCE
        self._metrics = metrics
        self._rand = rand
        self.breaker = CircuitBreaker(
            source,
            failures=self._resilience.breaker_failures,
            reset_seconds=self._resilience.breaker_reset_seconds,
            clock=timer,
        )
        cap = self._resilience.max_concurrency
        self._slots: asyncio.Semaphore | None = asyncio.Semaphore(cap) if cap else None
        self._flights: dict[str, _Flight] = {}
        self._background: set[asyncio.Task[Mapping[Any, Any]]] = set()
        if metrics is not None:
            metrics.track_breaker(source, lambda: self.breaker.state)

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

        `scope` holds everything besides the key that changes the answer (channel, tier...);
        `expires_at` lets a value end its own freshness early (a price at a promotion
        boundary); `live` skips the cache read but still refreshes it. Entries are tagged
        "<source>:<key>" plus whatever `tags_of(key, value)` adds, for invalidation events.
        """
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        # Each key's text once: it names the key in cache keys, tags and flights alike.
        texts = {key: _key_text(key) for key in unique}
        trace = current_trace()
        if trace is not None:
            trace.touch(self.source, (f"{self.source}:{text}" for text in texts.values()))
            trace.live = trace.live or live
        cache = self._cache_for(policy)
        prefix = f"{self.source}:{operation}:{scope}:"
        cache_keys = {key: prefix + text for key, text in texts.items()}
        store = _Store(cache, policy, expires_at, tags_of, self.source, texts)
        found: dict[K, V] = {}
        stale: dict[K, V] = {}
        if cache is not None and not live:
            revalidating = await self._lookup(cache, unique, cache_keys, policy, found, stale)
            if revalidating:
                self._revalidate(operation, revalidating, cache_keys, fetch, store)
        missing = [key for key in unique if key not in found]
        if not missing:
            return _traced(trace, found, expires_at, tags_of)
        try:
            fetched = await self._fetch_shared(operation, missing, cache_keys, fetch, store, live)
        except SourceUnavailable:
            if stale and all(key in stale for key in missing):
                self._served_stale_on_error(len(missing))
                return _traced(
                    trace, found | {key: stale[key] for key in missing}, expires_at, tags_of
                )
            self._count_cache("miss", len(missing), cache)
            raise
        self._count_cache("miss", len(missing), cache)
        return _traced(trace, found | fetched, expires_at, tags_of)

    async def call(
        self,
        operation: str,
        keys: int,
        fetch: Callable[[], Awaitable[T]],
        *,
        idempotent: bool = True,
    ) -> T:
        """One upstream call, bounded by the source's timeout and recorded in the request trace.

        Idempotent calls (reads: the default) are retried on `SourceUnavailable` as the
        resilience policy says, within the same timeout; others get one attempt.
        """
        if (trace := current_trace()) is not None:
            trace.sources.add(self.source)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        retries = self._resilience.retries if idempotent else 0
        last_error: SourceUnavailable | None = None
        for attempt in range(retries + 1):
            try:
                trial = self.breaker.acquire()
            except SourceUnavailable:
                self._observe(operation, "circuit_open", None)
                if last_error is not None:
                    # The breaker opened during our retries: the source's own error says more.
                    raise last_error from None
                raise
            try:
                return await self._attempt(operation, keys, fetch, deadline, trial)
            except SourceUnavailable as exc:
                last_error = exc
                if attempt == retries:
                    raise
                delay = backoff_delay(attempt, self._resilience, self._rand)
                if loop.time() + delay >= deadline:
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def on_invalidation(self, event: InvalidationEvent | None) -> None:
        """Listener for `Invalidator`: answers being fetched for changed keys are not cached.

        Deleting the cache entries is not enough: a fetch that started before the change
        would write the old answer back when it ends. None (events were missed) means all.
        """
        if event is not None and event.source != self.source:
            return
        changed = None if event is None else set(event.tags())
        for cache_key, flight in list(self._flights.items()):
            if changed is None or not changed.isdisjoint(flight.tags):
                flight.discarded = True
                del self._flights[cache_key]

    async def wait_background(self) -> None:
        """Wait for the background refreshes in progress (graceful shutdown, tests)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def _attempt(
        self,
        operation: str,
        keys: int,
        fetch: Callable[[], Awaitable[T]],
        deadline: float,
        trial: bool,
    ) -> T:
        loop = asyncio.get_running_loop()
        began = loop.time()
        limit = deadline
        if self._resilience.attempt_timeout is not None:
            limit = min(deadline, began + self._resilience.attempt_timeout)
        slot: contextlib.AbstractAsyncContextManager[Any] = (
            self._slots if self._slots is not None else contextlib.nullcontext()
        )
        started: float | None = None
        outcome = "ok"
        verdict = self.breaker.release
        try:
            async with asyncio.timeout_at(limit), slot:
                started = time.perf_counter()
                result = await fetch()
            verdict = self.breaker.success
            return result
        except TimeoutError as exc:
            if started is None:
                # We never reached the source: our own cap queued us too long.
                outcome = "saturated"
                raise SourceTimeout(
                    self.source,
                    f"no free slot for {operation} within {limit - began:.3g} s "
                    f"({self._resilience.max_concurrency} calls already in flight)",
                ) from exc
            outcome = "SourceTimeout"
            verdict = self.breaker.failure
            raise SourceTimeout(
                self.source, f"no answer to {operation} within {limit - began:.3g} s"
            ) from exc
        except SourceUnavailable as exc:
            outcome = type(exc).__name__
            verdict = self.breaker.failure
            raise
        except ConnectorError as exc:
            # The source answered (we sent something wrong, or it sent something odd):
            # it is up, so the breaker counts this as a success.
            outcome = type(exc).__name__
            verdict = self.breaker.success
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            verdict(trial)
            elapsed = None if started is None else time.perf_counter() - started
            self._observe(operation, outcome, elapsed)
            if started is not None and elapsed is not None and (trace := current_trace()):
                trace.calls.append(
                    SourceCall(self.source, operation, keys, elapsed * 1000, outcome, started)
                )

    async def _lookup(
        self,
        cache: CacheBackend,
        keys: list[K],
        cache_keys: Mapping[K, str],
        policy: CachePolicy,
        found: dict[K, V],
        stale: dict[K, V],
    ) -> list[K]:
        """Sort cached entries into answers (`found`) and fallbacks (`stale`).

        Returns the keys answered while stale, which the caller revalidates.
        """
        entries = await cache.get_many([cache_keys[key] for key in keys])
        now = epoch_seconds(self._clock)
        revalidating: list[K] = []
        for key, entry in zip(keys, entries, strict=True):
            if entry is None or now >= entry.stale_until:
                continue
            if entry.is_fresh(now):
                found[key] = entry.value
            elif now < entry.fresh_until + policy.revalidate:
                found[key] = entry.value
                revalidating.append(key)
            else:
                stale[key] = entry.value
        if found and (trace := current_trace()) is not None:
            trace.cache_hits[self.source] += len(found)
        self._count_cache("hit", len(found) - len(revalidating), cache)
        self._count_cache("stale", len(revalidating), cache)
        return revalidating

    async def _fetch_shared(
        self,
        operation: str,
        missing: list[K],
        cache_keys: Mapping[K, str],
        fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        store: _Store[K, V],
        live: bool,
    ) -> dict[K, V]:
        flight_of: dict[K, _Flight] = {}
        own: list[K] = []
        for key in missing:
            flight = self._flights.get(cache_keys[key])
            if flight is not None and (flight.live or not live):
                flight_of[key] = flight
            else:
                own.append(key)
        if own:
            flight = self._start_flight(operation, own, cache_keys, fetch, store, live, None)
            flight_of.update(dict.fromkeys(own, flight))
        flights = list({id(flight): flight for flight in flight_of.values()}.values())
        # shield(): a caller that is cancelled must not cancel a fetch others await.
        results = await asyncio.gather(
            *(asyncio.shield(flight.answer) for flight in flights), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        answers = {id(flight): result for flight, result in zip(flights, results, strict=True)}
        fetched: dict[K, V] = {}
        for key, flight in flight_of.items():
            value = cast(Mapping[K, V], answers[id(flight)]).get(key, _ABSENT)
            if not isinstance(value, _Absent):
                fetched[key] = value
        return fetched

    def _revalidate(
        self,
        operation: str,
        keys: list[K],
        cache_keys: Mapping[K, str],
        fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        store: _Store[K, V],
    ) -> None:
        """Refresh entries served stale, once per key, outside the request that noticed."""
        idle = [key for key in keys if cache_keys[key] not in self._flights]
        if not idle:
            return
        # An empty context: the refresh belongs to no request, so it joins no request's trace.
        flight = self._start_flight(
            operation, idle, cache_keys, fetch, store, False, contextvars.Context()
        )
        self._background.add(flight.task)
        flight.task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[Mapping[Any, Any]]) -> None:
        self._background.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.info("background refresh of %s failed: %s", self.source, exc)

    def _start_flight(
        self,
        operation: str,
        keys: list[K],
        cache_keys: Mapping[K, str],
        fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        store: _Store[K, V],
        live: bool,
        context: contextvars.Context | None,
    ) -> _Flight:
        flight = _Flight(live, frozenset(f"{self.source}:{store.texts[key]}" for key in keys))

        async def lead() -> Mapping[K, V]:
            try:
                try:
                    fetched = await self.call(operation, len(keys), lambda: fetch(keys))
                except BaseException as exc:
                    if isinstance(exc, asyncio.CancelledError):
                        flight.answer.cancel()
                    else:
                        flight.answer.set_exception(exc)
                    raise
                flight.answer.set_result(fetched)
                # The flight stays joinable until its answers are cached: no second fetch
                # starts for a key in between. The request that started it answers first.
                trace = current_trace()
                if trace is not None and trace.responded is not None:
                    trace.writes.append(cast(asyncio.Task[Any], asyncio.current_task()))
                    await trace.responded.wait()
                if not flight.discarded:
                    await store.write(
                        {cache_keys[key]: (key, fetched[key]) for key in keys if key in fetched},
                        epoch_seconds(self._clock),
                    )
                return fetched
            finally:
                for key in keys:
                    if self._flights.get(cache_keys[key]) is flight:
                        del self._flights[cache_keys[key]]

        flight.task = cast(
            asyncio.Task[Mapping[Any, Any]], asyncio.create_task(lead(), context=context)
        )
        # Every joiner may have gone away; reading the exception here keeps asyncio from
        # logging "exception was never retrieved" for a failure someone else handles.
        flight.task.add_done_callback(retrieve_failure)
        flight.answer.add_done_callback(retrieve_failure)
        for key in keys:
            self._flights[cache_keys[key]] = flight
        return flight

    def _served_stale_on_error(self, keys: int) -> None:
        if (trace := current_trace()) is not None:
            trace.stale_served[self.source] += keys
        if self._metrics is not None:
            self._metrics.count_cache(self.source, "stale", keys)
        logger.info("%s unavailable: served %d stale entries", self.source, keys)

    def _count_cache(self, result: str, keys: int, cache: CacheBackend | None) -> None:
        if self._metrics is not None and cache is not None:
            self._metrics.count_cache(self.source, result, keys)

    def _observe(self, operation: str, outcome: str, seconds: float | None) -> None:
        if self._metrics is not None:
            self._metrics.observe_call(self.source, operation, outcome, seconds)

    def _cache_for(self, policy: CachePolicy) -> CacheBackend | None:
        if policy.ttl <= 0 or self._cache is None:
            return None
        if policy.private and self._cache.shared:
            return None
        return self._cache


def retrieve_failure(done: asyncio.Future[Any]) -> None:
    """A done-callback for a future nobody may await.

    Its failure is then not logged as an unretrieved exception; whoever does await it
    still gets it.
    """
    if not done.cancelled():
        done.exception()


def _key_text(key: Hashable) -> str:
    return "|".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _traced(
    trace: SourceTrace | None,
    answers: dict[K, V],
    expires_at: Callable[[V], float | None] | None,
    tags_of: Callable[[K, V], Sequence[str]] | None,
) -> dict[K, V]:
    """Note in the request trace what only the answers tell: extra tags, boundaries."""
    if trace is not None and (expires_at is not None or tags_of is not None):
        for key, value in answers.items():
            if tags_of is not None:
                trace.tags.update(tags_of(key, value))
            if expires_at is not None and (boundary := expires_at(value)) is not None:
                trace.expire_by(boundary)
    return answers


class _Store(Generic[K, V]):
    """Writes one batch's answers to the cache with their freshness and tags."""

    def __init__(
        self,
        cache: CacheBackend | None,
        policy: CachePolicy,
        expires_at: Callable[[V], float | None] | None,
        tags_of: Callable[[K, V], Sequence[str]] | None,
        source: str,
        texts: Mapping[K, str],
    ) -> None:
        self._cache = cache
        self._policy = policy
        self._expires_at = expires_at
        self._tags_of = tags_of
        self._source = source
        self.texts = texts

    async def write(self, answers: Mapping[str, tuple[K, V]], now: float) -> None:
        if self._cache is None or not answers:
            return
        entries: dict[str, CacheEntry] = {}
        tags: dict[str, list[str]] = {}
        for cache_key, (key, value) in answers.items():
            boundary = self._expires_at(value) if self._expires_at else None
            entry = self._policy.entry(value, now, boundary)
            if entry.fresh_until <= now:
                continue  # already past its boundary: nothing worth keeping
            entries[cache_key] = entry
            tags[cache_key] = [f"{self._source}:{self.texts[key]}"]
            if self._tags_of is not None:
                tags[cache_key].extend(self._tags_of(key, value))
        if entries:
            await self._cache.set_many(entries, tags)
