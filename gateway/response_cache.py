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
* It is a layer the endpoint calls with the request it has already parsed (`key`), and
  with the execution to run on a miss (`serve`): no second reading of the request, and
  the execution's answer comes as bytes with what the cache decides by (`Answer`).
* Concurrent misses of one key in this process run the query once: they join its flight
  (`connectors.layers.flights`, the single-flight the entity cache uses too).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Collection, Mapping

import orjson
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType

from connectors.cache import CacheBackend, CacheEntry
from connectors.invalidation import InvalidationEvent
from connectors.layers.flights import Flight, SingleFlight
from connectors.trace import ReadSet
from gateway.graphql_http import Answer, Headers
from gateway.graphql_request import GraphQLRequest
from kernel.clock import Clock, epoch_seconds
from schema.documents import Documents

#: The only response headers stored with a body; the rest (cookies above all) are not.
_KEPT_HEADERS = frozenset({b"content-type"})
_JSON_TYPES = (b"application/json", b"application/graphql-response+json")
NO_STORE = [(b"x-cache", b"MISS"), (b"cache-control", b"private, no-store")]

#: What the endpoint gives the cache to run on a miss.
Execute = Callable[[], Awaitable[Answer]]
#: What the endpoint gives the cache to send an answer with.
Respond = Callable[[Answer], Awaitable[None]]


class ResponseCache:
    """Stores whole responses of public queries in `backend`, tagged by the entities they showed.

    `ttl_by_source` gives each source's freshness in seconds; a response that read a
    source missing from it, or with 0, is not stored. Use the backend the `Invalidator`
    applies events to (`Runtime.cache`): tag invalidation then reaches the responses on
    every instance. Register `on_invalidation` as an `Invalidator` listener as well, so
    that a response being computed while its data changes is not stored afterwards.
    Documents come from the schema's `Documents` (given to `key`), so each is parsed
    once, within the schema's limits; one it refuses gets no key, and its execution
    reports why.
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

    def key(self, request: GraphQLRequest, context_key: str, documents: Documents) -> str | None:
        """The cache key of a single query, or None when the request is anything else.

        `context_key` holds everything besides the request itself that changes the answer.
        Anything but a single query (mutations, subscriptions, documents that do not parse
        or pass the schema's limits) has no key: the endpoint runs it without the cache.
        """
        try:
            prepared = documents.prepare(request.query)
        except GraphQLError:
            return None  # the execution reports it
        named = operations(prepared.document)
        if named is None:
            return None
        operation_name = request.operation_name
        if operation_name is None:
            if len(named) != 1:
                return None
            operation_name = next(iter(named))
        if named.get(operation_name) is not OperationType.QUERY:
            return None
        try:
            material = orjson.dumps(
                [
                    prepared.digest(),
                    operation_name,
                    request.variables or {},
                    request.extensions or {},
                    context_key,
                ],
                option=orjson.OPT_SORT_KEYS,
            )
        except orjson.JSONEncodeError:
            return None  # variables nested past orjson's 254 levels: not worth a key
        return f"{self._prefix}:{_digest(material)}"

    async def serve(self, key: str, *, execute: Execute, respond: Respond, reads: ReadSet) -> None:
        """Answer from the entry under `key`, or `execute` and maybe store its answer.

        `reads` is the request's read set, which its sources record what they read into;
        `respond` sends an answer to the client (before it is stored: storing it is no
        reason for the client to wait).
        """
        entry = await self._lookup(key)
        if entry is not None:
            await respond(self._hit(entry))
            return
        flight = self._flights.join(key)
        if flight is not None:
            entry = await asyncio.shield(flight.answer)
            if entry is not None:
                await respond(self._hit(entry))
                return
        # Joinable only when no other run holds the key; discardable either way, by the
        # tags the request's sources note as it runs.
        opened: Flight[CacheEntry | None] = self._flights.open(
            [key] if flight is None else [], reads.tags
        )
        try:
            answer = await execute()
            await self._answer(key, opened, reads, answer, respond)
        finally:
            self._flights.close(opened)
            opened.settle(None)  # callers still waiting run the query themselves

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

    async def _lookup(self, key: str) -> CacheEntry | None:
        (entry,) = await self._backend.get_many([key])
        if (
            entry is None
            or not entry.is_fresh(epoch_seconds(self._clock))
            or _unpack(entry.value) is None
        ):
            return None
        return entry

    async def _answer(
        self,
        key: str,
        flight: Flight[CacheEntry | None],
        reads: ReadSet,
        answer: Answer,
        respond: Respond,
    ) -> None:
        """Store the answer if it may be, and send it with headers saying so."""
        now = epoch_seconds(self._clock)
        ttl = None if flight.discarded else self._ttl(answer, reads, now)
        if ttl is None:
            answer.extra = [*answer.extra, *NO_STORE]
            await respond(answer)
            return
        headers = tuple((name, value) for name, value in answer.headers if name in _KEPT_HEADERS)
        entry = CacheEntry((answer.status, headers, answer.body), now, now + ttl, now + ttl)
        flight.settle(entry)  # the requests waiting for this one answer now
        # The response first: storing it (pickling ~35 KB, a few hundred tags) is no reason
        # for its client to wait. Until the flight closes, identical requests join it.
        answer.extra = [*answer.extra, (b"x-cache", b"MISS"), *self._public(ttl), *self._vary]
        await respond(answer)
        tags = sorted(reads.tags)
        if not self._backend.shared:
            tags.append(self._all_tag)
        await self._backend.set_many({key: entry}, {key: tags})
        if flight.discarded:
            # The data changed while the entry was being written: the event may have
            # deleted its tags before they held this key.
            await self._backend.delete_many([key])

    def _ttl(self, answer: Answer, reads: ReadSet, now: float) -> float | None:
        """How long the answer may be reused, or None when it may not be stored at all."""
        if (
            answer.status != 200
            or answer.has_errors
            or len(answer.body) > self._max_body_bytes
            or not _is_json(answer.headers)
            or any(name == b"set-cookie" for name, _ in answer.headers)
        ):
            return None
        sources = reads.sources
        if not sources or not sources.isdisjoint(self._private):
            return None
        if reads.live or any(reads.stale_served.values()):
            return None  # read past the cache on purpose, or degraded: not for reuse
        ttl = min(self._ttl_by_source.get(source, 0.0) for source in sources)
        if reads.expires_at is not None:
            ttl = min(ttl, reads.expires_at - now)
        return ttl if ttl > 0 else None

    def _hit(self, entry: CacheEntry) -> Answer:
        unpacked = _unpack(entry.value)
        if unpacked is None:  # checked by _lookup; here for the type checker
            raise ValueError("not a stored response")
        status, headers, body = unpacked
        age = max(0, int(epoch_seconds(self._clock) - entry.stored_at))
        extra = [
            (b"x-cache", b"HIT"),
            (b"age", str(age).encode("latin-1")),
            *self._public(entry.fresh_until - entry.stored_at),
            *self._vary,
        ]
        return Answer(status, list(headers), body, extra=extra)

    def _public(self, ttl: float) -> Headers:
        # max-age is the entry's whole lifetime: with `age` a CDN counts what is left.
        return [(b"cache-control", f"public, max-age={int(ttl)}".encode("latin-1"))]


def operations(document: DocumentNode) -> dict[str, OperationType] | None:
    """Each operation's type by name ("" for the anonymous one); None if a name repeats."""
    named: dict[str, OperationType] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            name = definition.name.value if definition.name else ""
            if name in named:
                return None
            named[name] = definition.operation
    return named


def _is_json(headers: Headers) -> bool:
    return any(name == b"content-type" and value.startswith(_JSON_TYPES) for name, value in headers)


def _unpack(value: object) -> tuple[int, tuple[tuple[bytes, bytes], ...], bytes] | None:
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
