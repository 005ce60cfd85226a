"""A whole-response cache for public GraphQL queries, kept in the shared cache backend.

Kiosks and signage ask the same few catalogue queries over and over. A response that
read only public sources (product, price, availability) and has no errors is stored
whole, under a key made of the normalised document, the operation, the variables (as
canonical JSON) and the request's context (channel, locale, store, role), so that a
repeat costs one cache read and no GraphQL work at all.

* What a response read comes from the request's `Recorder` (its read set): every source
  read notes its source and the tags of the keys asked ("pim:p00001"), cached or not.
  A response that read a private source (customer, orders, loyalty), or none at all, or
  read live (availability for a basket), or was served stale, is never stored.
* The entry is tagged with those same tags, so the invalidation event that drops a
  product's cache entries (`backend.invalidate_tags(event.tags())`) drops the responses
  that showed it too. Its TTL is the shortest of the sources it read, cut short by the
  earliest boundary a value reported (a promotion ending).
* Stored responses carry `Cache-Control: public, max-age=<ttl>` so a CDN in front of the
  kiosks may keep them too; the others `private, no-store`.
* Concurrent misses of one key in this process run the query once: they join its flight
  (`connectors.layers.flights`, the single-flight the entity cache uses too).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Collection, Mapping

import orjson
from graphql import GraphQLError, OperationType
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.cache import CacheBackend, CacheEntry
from connectors.invalidation import InvalidationEvent
from connectors.layers.flights import Flight, SingleFlight
from connectors.trace import ReadSet, Recorder
from gateway.response_asgi import (
    NO_STORE,
    Capture,
    graphql_request,
    operations,
    read_body,
    replaying,
)
from kernel.clock import Clock, epoch_seconds
from schema.documents import Documents

#: The only response headers stored with a body; the rest (cookies above all) are not.
_KEPT_HEADERS = frozenset({b"content-type"})

Headers = tuple[tuple[bytes, bytes], ...]


class ResponseCache:
    """Stores whole responses of public queries in `backend`, tagged by the entities they showed.

    `ttl_by_source` gives each source's freshness in seconds; a response that read a
    source missing from it, or with 0, is not stored. Use the backend the `Invalidator`
    applies events to (`Runtime.cache`): tag invalidation then reaches the responses on
    every instance. Register `on_invalidation` as an `Invalidator` listener as well, so
    that a response being computed while its data changes is not stored afterwards.
    Documents come from the schema's `Documents` (given to `serve`), so each is parsed
    once, within the schema's limits; one it refuses goes to the app, which reports why.
    """

    def __init__(
        self,
        backend: CacheBackend,
        *,
        ttl_by_source: Mapping[str, float],
        private_sources: frozenset[str] = frozenset({"crm", "orders", "loyalty"}),
        max_body_bytes: int = 1_000_000,
        clock: Clock,
        prefix: str = "resp",
        vary: Collection[str] = (),
    ) -> None:
        self._backend = backend
        self._ttl_by_source = dict(ttl_by_source)
        self._private = private_sources
        self._max_body_bytes = max_body_bytes
        self._clock = clock
        self._prefix = prefix
        # Tags every entry of a process-local backend, so that missed events can drop the
        # responses alone; a shared backend was cleaned by the instance that heard the event.
        self._all_tag = f"{prefix}:all"
        self._vary = [(b"vary", ", ".join(vary).encode("latin-1"))] if vary else []
        # A flight's answer is the entry it stored, or None when there is none to share.
        self._flights: SingleFlight[CacheEntry | None] = SingleFlight()

    async def serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        context_key: str,
        app: ASGIApp,
        documents: Documents,
        recorder: Recorder,
    ) -> None:
        """Answer a GraphQL HTTP request from the cache, or run `app` and maybe store its answer.

        `context_key` holds everything besides the request itself that changes the answer;
        `recorder` is the request's, which its sources record what they read into.
        Anything but a single query (mutations, subscriptions, batches, uploads, documents
        that do not parse) goes to `app` untouched.
        """
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            await app(scope, receive, send)
            return
        body = b""
        if scope["method"] == "POST":
            read = await read_body(receive)
            if read is None:
                return  # the client left before it finished sending its request
            body = read
            receive = replaying(body, receive)
        key = self._key(scope, body, context_key, documents)
        if key is None:
            await app(scope, receive, send)
            return
        entry = await self._lookup(key)
        if entry is not None:
            await self._send_hit(entry, send)
            return
        flight = self._flights.join(key)
        if flight is not None:
            entry = await asyncio.shield(flight.answer)
            if entry is not None:
                await self._send_hit(entry, send)
                return
        await self._execute(key, scope, receive, send, app, recorder.reads, lead=flight is None)

    async def on_invalidation(self, event: InvalidationEvent | None) -> None:
        """Listener for `Invalidator`: responses being computed from changed data are not stored.

        A process-local backend also drops the stored responses here (for a shared one the
        publishing instance's `Invalidator` did it once for all). None (events were
        missed) means everything.
        """
        if event is not None and event.source in self._private:
            return  # no stored response read a private source
        changed = None if event is None else event.tags()
        for flight in self._flights.discard(changed):
            flight.settle(None)  # those waiting run the query themselves
        if not self._backend.shared:
            await self._backend.invalidate_tags(
                [self._all_tag] if changed is None else list(changed)
            )

    def _key(self, scope: Scope, body: bytes, context_key: str, documents: Documents) -> str | None:
        """The cache key of a single query, or None when the request is anything else."""
        request = graphql_request(scope, body)
        if request is None:
            return None
        query, operation_name, variables, extensions = request
        try:
            prepared = documents.prepare(query)
        except GraphQLError:
            return None  # the app reports it
        named = operations(prepared.document)
        if named is None:
            return None
        if operation_name is None:
            if len(named) != 1:
                return None
            operation_name = next(iter(named))
        if named.get(operation_name) is not OperationType.QUERY:
            return None
        try:
            material = orjson.dumps(
                [prepared.digest(), operation_name, variables or {}, extensions or {}, context_key],
                option=orjson.OPT_SORT_KEYS,
            )
        except orjson.JSONEncodeError:
            return None  # variables nested past orjson's 254 levels: not worth a key
        return f"{self._prefix}:{_digest(material)}"

    async def _lookup(self, key: str) -> CacheEntry | None:
        (entry,) = await self._backend.get_many([key])
        if (
            entry is None
            or not entry.is_fresh(epoch_seconds(self._clock))
            or _unpack(entry.value) is None
        ):
            return None
        return entry

    async def _execute(
        self,
        key: str,
        scope: Scope,
        receive: Receive,
        send: Send,
        app: ASGIApp,
        reads: ReadSet,
        *,
        lead: bool,
    ) -> None:
        # Joinable only when no other run holds the key; discardable either way, by the
        # tags the request's sources note as it runs.
        flight: Flight[CacheEntry | None] = self._flights.open([key] if lead else [], reads.tags)
        capture = Capture(send, self._max_body_bytes)
        try:
            await app(scope, receive, capture)
            await self._answer(key, flight, reads, capture)
        finally:
            self._flights.close(flight)
            flight.settle(None)  # callers still waiting run the query themselves

    async def _answer(
        self, key: str, flight: Flight[CacheEntry | None], reads: ReadSet, capture: Capture
    ) -> None:
        """Store the captured response if it may be, and send it with headers saying so."""
        if capture.streaming or capture.start is None:
            return
        if not capture.complete:
            await capture.pass_on(more_body=False)
            return
        now = epoch_seconds(self._clock)
        body = b"".join(capture.chunks)
        ttl = None if flight.discarded else self._ttl(capture.start, body, reads, now)
        if ttl is None:
            await capture.release(NO_STORE)
            return
        headers = tuple(
            (name, value) for name, value in capture.start["headers"] if name in _KEPT_HEADERS
        )
        entry = CacheEntry((capture.start["status"], headers, body), now, now + ttl, now + ttl)
        flight.settle(entry)  # the requests waiting for this one answer now
        # The response first: storing it (pickling ~35 KB, a few hundred tags) is no reason
        # for its client to wait. Until the flight closes, identical requests join it.
        await capture.release(
            [(b"x-cache", b"MISS"), *self._public(ttl), *self._vary],
        )
        tags = sorted(reads.tags)
        if not self._backend.shared:
            tags.append(self._all_tag)
        await self._backend.set_many({key: entry}, {key: tags})
        if flight.discarded:
            # The data changed while the entry was being written: the event may have
            # deleted its tags before they held this key.
            await self._backend.delete_many([key])

    def _ttl(self, start: Message, body: bytes, reads: ReadSet, now: float) -> float | None:
        """How long the response may be reused, or None when it may not be stored at all."""
        if start["status"] != 200 or any(name == b"set-cookie" for name, _ in start["headers"]):
            return None
        sources = reads.sources
        if not sources or not sources.isdisjoint(self._private):
            return None
        if reads.live or any(reads.stale_served.values()):
            return None  # read past the cache on purpose, or degraded: not for reuse
        ttl = min(self._ttl_by_source.get(source, 0.0) for source in sources)
        if reads.expires_at is not None:
            ttl = min(ttl, reads.expires_at - now)
        if ttl <= 0 or _has_errors(body):
            return None
        return ttl

    async def _send_hit(self, entry: CacheEntry, send: Send) -> None:
        unpacked = _unpack(entry.value)
        if unpacked is None:  # checked by _lookup; here for the type checker
            raise ValueError("not a stored response")
        status, headers, body = unpacked
        age = max(0, int(epoch_seconds(self._clock) - entry.stored_at))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    *headers,
                    (b"content-length", str(len(body)).encode("latin-1")),
                    (b"x-cache", b"HIT"),
                    (b"age", str(age).encode("latin-1")),
                    *self._public(entry.fresh_until - entry.stored_at),
                    *self._vary,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _public(self, ttl: float) -> list[tuple[bytes, bytes]]:
        # max-age is the entry's whole lifetime: with `age` a CDN counts what is left.
        return [(b"cache-control", f"public, max-age={int(ttl)}".encode("latin-1"))]


def _has_errors(body: bytes) -> bool:
    # A body without the bytes "errors" has no errors member: skip parsing the common case.
    if b'"errors"' not in body:
        return False
    try:
        data = orjson.loads(body)
    except ValueError:
        return True
    return not isinstance(data, dict) or bool(data.get("errors"))


def _unpack(value: object) -> tuple[int, Headers, bytes] | None:
    """A stored (status, headers, body) tuple, or None for anything else (another version's)."""
    if not (isinstance(value, tuple) and len(value) == 3):
        return None
    status, headers, body = value
    if not (isinstance(status, int) and isinstance(headers, tuple) and isinstance(body, bytes)):
        return None
    return status, headers, body


def _digest(text: str | bytes) -> str:
    # surrogatepass: a document may carry lone surrogates, which strict UTF-8 refuses.
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()
