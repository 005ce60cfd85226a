"""A whole-response cache for public GraphQL queries, kept in the shared cache backend.

Kiosks and signage ask the same few catalogue queries over and over. A response that
read only public sources (product, price, availability) and has no errors is stored
whole, under a key made of the normalised document, the operation, the variables (as
canonical JSON) and the request's context (channel, locale, store, role), so that a
repeat costs one cache read and no GraphQL work at all.

* What a response read comes from the request's `SourceTrace`: every `SourceGuard` batch
  and call notes its source and the tags of the keys asked ("pim:p00001"), cached or not.
  A response that read a private source (customer, orders, loyalty), or none at all, or
  read live (availability for a basket), or was served stale, is never stored.
* The entry is tagged with those same tags, so the invalidation event that drops a
  product's cache entries (`backend.invalidate_tags(event.tags())`) drops the responses
  that showed it too. Its TTL is the shortest of the sources it read, cut short by the
  earliest boundary a value reported (a promotion ending).
* Stored responses carry `Cache-Control: public, max-age=<ttl>` so a CDN in front of the
  kiosks may keep them too; the others `private, no-store`.
* Concurrent misses of one key in this process run the query once (single-flight).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import parse_qsl

import orjson
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.cache import CacheBackend, CacheEntry
from connectors.invalidation import InvalidationEvent
from connectors.trace import SourceTrace, current_trace, tracing
from kernel.clock import Clock, epoch_seconds
from schema.documents import Documents

#: The only response headers stored with a body; the rest (cookies above all) are not.
_KEPT_HEADERS = frozenset({b"content-type"})
#: Headers this module sets; the app's own are dropped rather than sent twice.
_OWN_HEADERS = frozenset({b"cache-control", b"x-cache", b"age", b"vary"})
_JSON_TYPES = (b"application/json", b"application/graphql-response+json")
_NO_STORE = [(b"x-cache", b"MISS"), (b"cache-control", b"private, no-store")]

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
        self._flights: dict[str, _Run] = {}
        self._running: set[_Run] = set()

    async def serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        context_key: str,
        app: ASGIApp,
        documents: Documents,
    ) -> None:
        """Answer a GraphQL HTTP request from the cache, or run `app` and maybe store its answer.

        `context_key` holds everything besides the request itself that changes the answer.
        Anything but a single query (mutations, subscriptions, batches, uploads, documents
        that do not parse) goes to `app` untouched.
        """
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            await app(scope, receive, send)
            return
        body = b""
        if scope["method"] == "POST":
            read = await _read_body(receive)
            if read is None:
                return  # the client left before it finished sending its request
            body = read
            receive = _replaying(body, receive)
        key = self._key(scope, body, context_key, documents)
        if key is None:
            await app(scope, receive, send)
            return
        entry = await self._lookup(key)
        if entry is not None:
            await self._send_hit(entry, send)
            return
        flight = self._flights.get(key)
        if flight is not None:
            entry = await asyncio.shield(flight.done)
            if entry is not None:
                await self._send_hit(entry, send)
                return
        await self._execute(key, scope, receive, send, app, lead=flight is None)

    async def on_invalidation(self, event: InvalidationEvent | None) -> None:
        """Listener for `Invalidator`: responses being computed from changed data are not stored.

        A process-local backend also drops the stored responses here (for a shared one the
        publishing instance's `Invalidator` did it once for all). None (events were
        missed) means everything.
        """
        if event is not None and event.source in self._private:
            return  # no stored response read a private source
        changed = None if event is None else set(event.tags())
        for run in list(self._running):
            if changed is None or not changed.isdisjoint(run.trace.tags):
                self._discard(run)
        if not self._backend.shared:
            await self._backend.invalidate_tags(
                [self._all_tag] if changed is None else list(changed)
            )

    def _key(self, scope: Scope, body: bytes, context_key: str, documents: Documents) -> str | None:
        """The cache key of a single query, or None when the request is anything else."""
        request = _graphql_request(scope, body)
        if request is None:
            return None
        query, operation_name, variables, extensions = request
        try:
            prepared = documents.prepare(query)
        except GraphQLError:
            return None  # the app reports it
        operations = _operations(prepared.document)
        if operations is None:
            return None
        if operation_name is None:
            if len(operations) != 1:
                return None
            operation_name = next(iter(operations))
        if operations.get(operation_name) is not OperationType.QUERY:
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
        self, key: str, scope: Scope, receive: Receive, send: Send, app: ASGIApp, *, lead: bool
    ) -> None:
        trace = current_trace()
        traced = contextlib.nullcontext(trace) if trace is not None else tracing(SourceTrace())
        with traced as trace:
            run = _Run(key, trace)
            if lead:
                self._flights[key] = run
            self._running.add(run)
            capture = _Capture(send, self._max_body_bytes)
            try:
                await app(scope, receive, capture)
                await self._answer(run, capture)
            finally:
                self._running.discard(run)
                self._end(run)

    async def _answer(self, run: _Run, capture: _Capture) -> None:
        """Store the captured response if it may be, and send it with headers saying so."""
        if capture.streaming or capture.start is None:
            return
        if not capture.complete:
            await capture.pass_on(more_body=False)
            return
        now = epoch_seconds(self._clock)
        body = b"".join(capture.chunks)
        ttl = None if run.discarded else self._ttl(capture.start, body, run.trace, now)
        if ttl is None:
            await capture.release(_NO_STORE)
            return
        headers = tuple(
            (name, value) for name, value in capture.start["headers"] if name in _KEPT_HEADERS
        )
        entry = CacheEntry((capture.start["status"], headers, body), now, now + ttl, now + ttl)
        if not run.done.done():
            run.done.set_result(entry)  # the requests waiting for this one answer now
        # The response first: storing it (pickling ~35 KB, a few hundred tags) is no reason
        # for its client to wait. Until `_end`, identical requests take it from `run.done`.
        await capture.release(
            [(b"x-cache", b"MISS"), *self._public(ttl), *self._vary],
        )
        tags = sorted(run.trace.tags)
        if not self._backend.shared:
            tags.append(self._all_tag)
        await self._backend.set_many({run.key: entry}, {run.key: tags})
        if run.discarded:
            # The data changed while the entry was being written: the event may have
            # deleted its tags before they held this key.
            await self._backend.delete_many([run.key])

    def _ttl(self, start: Message, body: bytes, trace: SourceTrace, now: float) -> float | None:
        """How long the response may be reused, or None when it may not be stored at all."""
        if start["status"] != 200 or any(name == b"set-cookie" for name, _ in start["headers"]):
            return None
        sources = trace.sources
        if not sources or not sources.isdisjoint(self._private):
            return None
        if trace.live or any(trace.stale_served.values()):
            return None  # read past the cache on purpose, or degraded: not for reuse
        ttl = min(self._ttl_by_source.get(source, 0.0) for source in sources)
        if trace.expires_at is not None:
            ttl = min(ttl, trace.expires_at - now)
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

    def _discard(self, run: _Run) -> None:
        """Store nothing from `run`: data it read changed while it ran."""
        run.discarded = True
        self._end(run)

    def _end(self, run: _Run) -> None:
        """Stop `run` being joinable; callers still waiting run the query themselves."""
        if self._flights.get(run.key) is run:
            del self._flights[run.key]
        if not run.done.done():
            run.done.set_result(None)


class _Run:
    """One execution of a query on a cache miss, joinable by identical requests until it ends.

    A `discarded` run still answers its own client but stores nothing: data it read
    changed while it ran. `done` gets the stored entry, or None when there is none to share.
    """

    __slots__ = ("discarded", "done", "key", "trace")

    def __init__(self, key: str, trace: SourceTrace) -> None:
        self.key = key
        self.trace = trace
        self.discarded = False
        self.done: asyncio.Future[CacheEntry | None] = asyncio.get_running_loop().create_future()


class _Capture:
    """An ASGI `send` that holds a response back until it is complete.

    A response can only say whether it is cacheable once all of it was seen, so a JSON
    body within `limit` bytes is kept; anything else (a stream, a larger body) is passed
    on as it comes, marked `no-store`.
    """

    def __init__(self, send: Send, limit: int) -> None:
        self._send = send
        self._limit = limit
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.complete = False
        self.streaming = False

    async def __call__(self, message: Message) -> None:
        if self.streaming:
            await self._send(message)
        elif message["type"] == "http.response.start":
            self.start = message
            if not _is_json(message):
                await self.pass_on()
        elif message["type"] == "http.response.body" and not self.complete:
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            self.chunks.append(chunk)
            self.size += len(chunk)
            if self.size > self._limit:
                await self.pass_on(more_body=more)
            elif not more:
                self.complete = True
        else:
            await self.pass_on()
            await self._send(message)

    async def pass_on(self, *, more_body: bool = True) -> None:
        """Send what was held back, marked `no-store`, and everything else as it comes."""
        self.streaming = True
        if self.start is None:
            return
        await self._send(_with_headers(self.start, _NO_STORE))
        if self.chunks or not more_body:
            body = b"".join(self.chunks)
            self.chunks = []
            await self._send({"type": "http.response.body", "body": body, "more_body": more_body})

    async def release(self, headers: list[tuple[bytes, bytes]]) -> None:
        """Send the complete response held back, with `headers` added."""
        if self.start is None:
            raise RuntimeError("no response was captured")
        await self._send(_with_headers(self.start, headers))
        await self._send({"type": "http.response.body", "body": b"".join(self.chunks)})


def _operations(document: DocumentNode) -> dict[str, OperationType] | None:
    """Each operation's type by name ("" for the anonymous one); None if a name repeats."""
    operations: dict[str, OperationType] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            name = definition.name.value if definition.name else ""
            if name in operations:
                return None
            operations[name] = definition.operation
    return operations


def _graphql_request(
    scope: Scope, body: bytes
) -> tuple[str, str | None, dict[str, Any] | None, dict[str, Any] | None] | None:
    """(query, operationName, variables, extensions) of one GraphQL request, else None.

    Read as Strawberry reads them: from the query string (GET) or a JSON body (POST).
    """
    try:
        if scope["method"] == "GET":
            params = dict(
                parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            )
            data: Any = {
                "query": params.get("query"),
                "operationName": params.get("operationName"),
                "variables": orjson.loads(params["variables"]) if "variables" in params else None,
                "extensions": orjson.loads(params["extensions"])
                if "extensions" in params
                else None,
            }
        else:
            if not any(
                b"application/json" in value
                for name, value in scope["headers"]
                if name == b"content-type"
            ):
                return None
            data = orjson.loads(body)
    except ValueError:  # orjson's errors (bad JSON, nesting past 1,024 levels) are ValueErrors
        return None
    if not isinstance(data, dict):
        return None  # a batch, or not GraphQL at all
    query, name = data.get("query"), data.get("operationName")
    variables, extensions = data.get("variables"), data.get("extensions")
    if (
        not isinstance(query, str)
        or not isinstance(name, str | None)
        or not isinstance(variables, dict | None)
        or not isinstance(extensions, dict | None)
    ):
        return None
    return query, name, variables, extensions


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the app the body already read, then the client's messages."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _is_json(start: Message) -> bool:
    return any(
        name == b"content-type" and value.startswith(_JSON_TYPES)
        for name, value in start["headers"]
    )


def _has_errors(body: bytes) -> bool:
    # A body without the bytes "errors" has no errors member: skip parsing the common case.
    if b'"errors"' not in body:
        return False
    try:
        data = orjson.loads(body)
    except ValueError:
        return True
    return not isinstance(data, dict) or bool(data.get("errors"))


def _with_headers(start: Message, extra: list[tuple[bytes, bytes]]) -> Message:
    kept = [(name, value) for name, value in start["headers"] if name not in _OWN_HEADERS]
    return {**start, "headers": [*kept, *extra]}


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
