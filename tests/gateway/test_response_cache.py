"""The whole-response cache: keys, what is stored and for how long, invalidation, single-flight."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from starlette.types import ASGIApp, Receive, Scope, Send

from connectors.cache import CacheEntry, MemoryCache
from connectors.guard import CachePolicy, SourceGuard
from connectors.invalidation import InvalidationEvent, Invalidator
from connectors.redis_cache import RedisCache
from connectors.trace import Recorder
from gateway.bootstrap import build_stack
from gateway.response_cache import ResponseCache
from kernel.clock import SystemClock
from schema.documents import DocumentLimits, Documents
from tests.clocks import ManualClock
from tests.servers import require_redis

pytestmark = pytest.mark.anyio

TTLS = {"pim": 3600.0, "pricing": 300.0, "inventory": 30.0, "crm": 0.0, "search": 0.0}
PRODUCT_QUERY = "query Product($id: ID!) { product(id: $id) { id name } }"


class CountingCache(MemoryCache):
    """A MemoryCache that counts lookups, so a test knows when every request has looked."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock=clock)
        self.lookups = 0
        self.expected = 0
        self.all_looked = asyncio.Event()

    async def get_many(self, keys: Sequence[str]) -> list[CacheEntry | None]:
        self.lookups += 1
        if self.lookups == self.expected:
            self.all_looked.set()
        return await super().get_many(keys)


class FakeGraphQL:
    """Stands in for Strawberry: reads sources into the request's recorder, then answers with JSON."""

    def __init__(self) -> None:
        self.runs = 0
        self.reads: dict[str, list[str]] = {"pim": ["p1"]}
        self.read: Callable[[Recorder], Awaitable[object]] | None = None
        self.payload: Any = {"data": {"product": {"id": "p1", "name": "Lamp"}}}
        self.status = 200
        self.content_type = b"application/json"
        self.extra_headers: list[tuple[bytes, bytes]] = []
        self.gate: asyncio.Event | None = None
        self.bodies: list[bytes] = []
        self.started = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.runs += 1
        self.started.set()
        if scope["method"] == "POST":
            self.bodies.append((await receive())["body"])
        recorder = scope["state"]["recorder"]
        for source, keys in self.reads.items():
            recorder.reads.touch(source, [f"{source}:{key}" for key in keys])
        if self.read is not None:
            await self.read(recorder)
        if self.gate is not None:
            await self.gate.wait()
        body = json.dumps(self.payload).encode()
        headers = [(b"content-type", self.content_type), *self.extra_headers]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@dataclass
class Setup:
    clock: ManualClock
    backend: CountingCache
    cache: ResponseCache
    app: FakeGraphQL
    client: httpx.AsyncClient

    async def get(
        self, query: str = PRODUCT_QUERY, variables: Any = None, **kwargs: Any
    ) -> httpx.Response:
        params = {"query": query}
        if variables is not None:
            params["variables"] = variables if isinstance(variables, str) else json.dumps(variables)
        return await self.client.get("/graphql", params=params, **kwargs)

    async def post(
        self, query: str = PRODUCT_QUERY, variables: Any = None, **kwargs: Any
    ) -> httpx.Response:
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, **kwargs
        )


#: The documents of the schema the lead shares with the response cache.
DOCUMENTS = Documents(DocumentLimits())


def gateway(cache: ResponseCache, app: ASGIApp) -> ASGIApp:
    """What the lead wires: a recorder per request (the middleware), then `serve`."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        context = dict(scope["headers"]).get(b"x-context", b"WEB|nl|-|public").decode()
        recorder = Recorder()
        scope.setdefault("state", {})["recorder"] = recorder
        await cache.serve(
            scope,
            receive,
            send,
            context_key=context,
            app=app,
            documents=DOCUMENTS,
            recorder=recorder,
        )

    return asgi


def client_of(cache: ResponseCache, app: FakeGraphQL) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=gateway(cache, app))
    return httpx.AsyncClient(transport=transport, base_url="http://gateway.test")


def build(**kwargs: Any) -> Setup:
    clock = ManualClock(1_800_000_000.0)
    backend = CountingCache(clock)
    cache = ResponseCache(backend, ttl_by_source=TTLS, clock=clock, **kwargs)
    app = FakeGraphQL()
    return Setup(clock, backend, cache, app, client_of(cache, app))


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    built = build(vary=("authorization", "x-channel"))
    async with built.client:
        yield built


def product_guard(clock: ManualClock, backend: MemoryCache) -> SourceGuard:
    return build_stack("pim", cache=backend, timeout=1.0, clock=clock)


async def products(ids: list[str]) -> dict[str, str]:
    return {id_: f"product {id_}" for id_ in ids}


# --- hits and misses ---------------------------------------------------------------------


async def test_a_repeated_query_is_answered_from_the_cache(setup):
    # given
    first = await setup.get(variables={"id": "p1"})
    setup.clock.seconds += 100
    # when
    second = await setup.get(variables={"id": "p1"})
    # then
    assert setup.app.runs == 1
    assert first.headers["x-cache"] == "MISS"
    assert second.headers["x-cache"] == "HIT"
    assert second.json() == first.json() == {"data": {"product": {"id": "p1", "name": "Lamp"}}}
    assert first.headers["cache-control"] == second.headers["cache-control"]
    assert second.headers["cache-control"] == "public, max-age=3600"
    assert second.headers["age"] == "100"
    assert second.headers["content-type"] == "application/json"
    assert second.headers["content-length"] == str(len(first.content))
    assert second.headers["vary"] == "authorization, x-channel"


async def test_different_variables_or_contexts_are_different_entries(setup):
    await setup.get(variables={"id": "p1"})
    await setup.get(variables={"id": "p2"})
    await setup.get(variables={"id": "p1"}, headers={"x-context": "KIOSK|nl|s01|public"})
    await setup.get(query=PRODUCT_QUERY.replace("name", "name id"), variables={"id": "p1"})
    assert setup.app.runs == 4
    again = await setup.get(variables={"id": "p1"}, headers={"x-context": "KIOSK|nl|s01|public"})
    assert again.headers["x-cache"] == "HIT"
    assert setup.app.runs == 4


async def test_layout_comments_and_variable_order_do_not_make_new_entries(setup):
    variables = {"id": "p1", "extra": {"b": 1, "a": [1, 2]}}
    await setup.get(variables=variables)
    replies = [
        await setup.get(
            query="# a comment\nquery Product($id:ID!){product(id:$id){id,name}}",
            variables='{"extra": {"a": [1, 2], "b": 1}, "id": "p1"}',
        ),
        await setup.client.get(
            "/graphql",
            params={
                "query": PRODUCT_QUERY,
                "variables": json.dumps(variables),
                "operationName": "Product",
            },
        ),
    ]
    assert [reply.headers["x-cache"] for reply in replies] == ["HIT", "HIT"]
    assert setup.app.runs == 1


async def test_get_and_post_share_entries_and_the_app_gets_the_body_read(setup):
    posted = await setup.post(variables={"id": "p1"})
    got = await setup.get(variables={"id": "p1"})
    posted_again = await setup.post(variables={"id": "p1"})
    assert [posted.headers["x-cache"], got.headers["x-cache"]] == ["MISS", "HIT"]
    assert posted_again.headers["x-cache"] == "HIT"
    assert setup.app.runs == 1
    assert json.loads(setup.app.bodies[0]) == {"query": PRODUCT_QUERY, "variables": {"id": "p1"}}


# --- what is not stored ------------------------------------------------------------------


def with_errors(app: FakeGraphQL) -> None:
    app.payload = {"data": {"product": None}, "errors": [{"message": "pricing is down"}]}


def reading_crm(app: FakeGraphQL) -> None:
    app.reads = {"pim": ["p1"], "crm": ["c1"]}


def reading_nothing(app: FakeGraphQL) -> None:
    app.reads = {}


def reading_an_uncached_source(app: FakeGraphQL) -> None:
    app.reads = {"pim": ["p1"], "search": ["q"]}


def reading_an_unknown_source(app: FakeGraphQL) -> None:
    app.reads = {"pim": ["p1"], "weather": ["today"]}


def failing(app: FakeGraphQL) -> None:
    app.status = 500


def setting_a_cookie(app: FakeGraphQL) -> None:
    app.extra_headers = [(b"set-cookie", b"session=1")]


def serving_stale(app: FakeGraphQL) -> None:
    async def read(recorder: Recorder) -> None:
        recorder.reads.stale_served["pim"] += 1

    app.read = read


def reading_live(app: FakeGraphQL) -> None:
    guard = build_stack(
        "inventory", cache=MemoryCache(clock=SystemClock()), timeout=1.0, clock=SystemClock()
    )
    policy = CachePolicy(ttl=30)
    app.read = lambda recorder: guard.bound(recorder).batch(
        "stock", ["v1|s01"], products, policy=policy, live=True
    )


@pytest.mark.parametrize(
    "arrange",
    [
        with_errors,
        reading_crm,
        reading_nothing,
        reading_an_uncached_source,
        reading_an_unknown_source,
        failing,
        setting_a_cookie,
        serving_stale,
        reading_live,
    ],
)
async def test_a_response_that_is_not_public_and_whole_is_not_stored(setup, arrange):
    arrange(setup.app)
    first = await setup.get(variables={"id": "p1"})
    second = await setup.get(variables={"id": "p1"})
    assert setup.app.runs == 2
    assert [first.headers["x-cache"], second.headers["x-cache"]] == ["MISS", "MISS"]
    assert second.headers["cache-control"] == "private, no-store"
    assert "set-cookie" not in second.headers or arrange is setting_a_cookie
    assert len(setup.backend) == 0


async def test_an_errors_member_that_is_empty_or_only_text_does_not_count(setup):
    setup.app.payload = {"data": {"product": {"id": "p1", "name": 'say "errors"'}}}
    await setup.get(variables={"id": "p1"})
    reply = await setup.get(variables={"id": "p1"})
    assert reply.headers["x-cache"] == "HIT"


@pytest.mark.parametrize(
    ("query", "method"),
    [
        ("mutation Buy { buy { ok } }", "POST"),
        ("subscription Stock { stock { quantity } }", "POST"),
        ("query A { a } mutation B { b }", "POST"),  # several operations, none named
        ("query Product { product(id: ", "GET"),  # does not parse
        ("mutation Buy { buy { ok } }", "GET"),
    ],
)
async def test_anything_but_a_query_passes_through_untouched(setup, query, method):
    for _ in range(2):
        if method == "GET":
            reply = await setup.get(query=query)
        else:
            reply = await setup.post(query=query)
        assert "x-cache" not in reply.headers
        assert "cache-control" not in reply.headers
    assert setup.app.runs == 2


async def test_the_schemas_documents_are_the_ones_keys_are_made_of(setup):
    # given a document the schema has already prepared (parsed, within its limits)
    prepared = DOCUMENTS.prepare(PRODUCT_QUERY)

    # when the response cache keys a request for it
    reply = await setup.post(query=PRODUCT_QUERY, variables={"id": "p-shared"})

    # then it read the same prepared document rather than parsing its own
    assert reply.headers["x-cache"] == "MISS"
    assert DOCUMENTS.cache.get(PRODUCT_QUERY) is prepared
    assert prepared.printed_digest is not None


async def test_a_document_over_the_schemas_limits_passes_through_unparsed(setup):
    too_long = "query Product { " + "__typename " * 1_100 + "}"

    for _ in range(2):
        reply = await setup.post(query=too_long)
        assert "x-cache" not in reply.headers
    assert setup.app.runs == 2
    assert DOCUMENTS.cache.get(too_long) is None


async def test_batches_and_other_bodies_pass_through_with_their_body(setup):
    batch = [{"query": PRODUCT_QUERY, "variables": {"id": "p1"}}]
    await setup.client.post("/graphql", json=batch)
    await setup.client.post("/graphql", content=b"{ product }", headers={"content-type": "text/x"})
    assert setup.app.runs == 2
    assert json.loads(setup.app.bodies[0]) == batch
    assert setup.app.bodies[1] == b"{ product }"


async def test_a_large_or_streamed_response_is_passed_on_whole_and_not_stored():
    small = build(max_body_bytes=40)
    async with small.client:
        large = await small.get()
        small.app.content_type = b"multipart/mixed; boundary=-"
        streamed = await small.get()
    assert large.json() == streamed.json() == small.app.payload
    assert (
        large.headers["cache-control"] == streamed.headers["cache-control"] == "private, no-store"
    )
    assert len(small.backend) == 0


# --- how long ----------------------------------------------------------------------------


async def test_the_ttl_is_the_shortest_of_the_sources_read(setup):
    setup.app.reads = {"pim": ["p1"], "pricing": ["v1"], "inventory": ["v1|s01"]}
    first = await setup.get()
    setup.clock.seconds += 29
    within = await setup.get()
    setup.clock.seconds += 2
    past = await setup.get()
    assert first.headers["cache-control"] == "public, max-age=30"
    assert [within.headers["x-cache"], past.headers["x-cache"]] == ["HIT", "MISS"]
    assert setup.app.runs == 2


async def test_a_boundary_a_value_reports_cuts_the_ttl_short(setup):
    guard = product_guard(setup.clock, setup.backend)
    boundary = setup.clock.seconds + 120

    async def read(recorder: Recorder) -> None:
        await guard.bound(recorder).batch(
            "products",
            ["p1"],
            products,
            policy=CachePolicy(ttl=3600),
            expires_at=lambda _: boundary,
        )

    setup.app.read = read
    first = await setup.get()
    setup.clock.seconds += 121
    after = await setup.get()
    assert first.headers["cache-control"] == "public, max-age=120"
    assert after.headers["x-cache"] == "MISS"


# --- invalidation ------------------------------------------------------------------------


async def test_an_event_for_a_product_drops_the_responses_that_showed_it(setup):
    # given: two responses read through the guard, one showing p1 and p2, one only p3
    guard = product_guard(setup.clock, setup.backend)
    invalidator = Invalidator([setup.backend], [setup.cache.on_invalidation])
    shown: list[str] = []

    async def read(recorder: Recorder) -> None:
        await guard.bound(recorder).batch("products", shown, products, policy=CachePolicy(ttl=3600))

    setup.app.reads = {}
    setup.app.read = read
    shown[:] = ["p1", "p2"]
    await setup.get(variables={"ids": ["p1", "p2"]})
    shown[:] = ["p3"]
    await setup.get(variables={"ids": ["p3"]})
    # when
    await invalidator.apply(InvalidationEvent("pim", "product", ["p2"]))
    # then
    shown[:] = ["p1", "p2"]
    dropped = await setup.get(variables={"ids": ["p1", "p2"]})
    kept = await setup.get(variables={"ids": ["p3"]})
    assert [dropped.headers["x-cache"], kept.headers["x-cache"]] == ["MISS", "HIT"]
    assert setup.app.runs == 3


async def test_the_listener_alone_drops_responses_from_a_local_backend(setup):
    await setup.get(variables={"id": "p1"})
    await setup.cache.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
    reply = await setup.get(variables={"id": "p1"})
    assert reply.headers["x-cache"] == "MISS"


async def test_missed_events_drop_every_response_but_not_the_sources_entries(setup):
    guard = product_guard(setup.clock, setup.backend)
    setup.app.read = lambda recorder: guard.bound(recorder).batch(
        "products", ["p9"], products, policy=CachePolicy(ttl=60)
    )
    await setup.get(variables={"id": "p1"})
    await setup.get(variables={"id": "p2"})
    assert len(setup.backend) == 3  # two responses and the product
    await setup.cache.on_invalidation(None)
    assert len(setup.backend) == 1
    assert (await setup.get(variables={"id": "p1"})).headers["x-cache"] == "MISS"


async def test_a_response_computed_while_its_data_changed_is_not_stored(setup):
    setup.app.gate = asyncio.Event()
    request = asyncio.create_task(setup.get(variables={"id": "p1"}))
    await setup.app.started.wait()
    await setup.cache.on_invalidation(InvalidationEvent("pim", "product", ["p2"]))  # not shown
    await setup.cache.on_invalidation(InvalidationEvent("crm", "customer", ["p1"]))  # private
    await setup.cache.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
    setup.app.gate.set()
    reply = await request
    assert reply.json() == setup.app.payload
    assert reply.headers["cache-control"] == "private, no-store"
    assert len(setup.backend) == 0


# --- single-flight -----------------------------------------------------------------------


async def concurrent(setup: Setup, count: int) -> list[httpx.Response]:
    setup.app.gate = asyncio.Event()
    requests = [asyncio.create_task(setup.get(variables={"id": "p1"})) for _ in range(count)]
    setup.backend.expected = count
    await setup.backend.all_looked.wait()
    await asyncio.sleep(0.01)  # let the last lookups reach the flight
    setup.app.gate.set()
    return list(await asyncio.gather(*requests))


async def test_twenty_concurrent_identical_misses_run_the_query_once(setup):
    replies = await concurrent(setup, 20)
    assert setup.app.runs == 1
    assert sorted(reply.headers["x-cache"] for reply in replies) == ["HIT"] * 19 + ["MISS"]
    assert {reply.content for reply in replies} == {replies[0].content}


async def test_waiters_run_the_query_themselves_when_the_answer_is_not_storable(setup):
    with_errors(setup.app)
    replies = await concurrent(setup, 5)
    assert setup.app.runs == 5
    assert {reply.headers["x-cache"] for reply in replies} == {"MISS"}


# --- what the sources record --------------------------------------------------------------


async def test_the_recorder_notes_every_key_asked_cached_or_not_and_every_source_called():
    clock = ManualClock(1_800_000_000.0)
    guard = product_guard(clock, MemoryCache(clock=clock))
    policy = CachePolicy(ttl=60)
    await guard.batch("products", ["p1"], products, policy=policy)
    recorder = Recorder()
    await guard.bound(recorder).batch(
        "products",
        ["p1", "p2", "p404"],
        lambda ids: products([id_ for id_ in ids if id_ != "p404"]),
        policy=policy,
        tags_of=lambda key, value: [f"pim:category-of-{key}"],
    )
    search = build_stack("search", cache=None, timeout=1.0, clock=SystemClock())
    await search.bound(recorder).call("find", 1, lambda: products([]))
    assert recorder.reads.sources == {"pim", "search"}
    assert recorder.reads.tags == {
        "pim:p1",
        "pim:p2",
        "pim:p404",
        "pim:category-of-p1",
        "pim:category-of-p2",
    }
    assert recorder.calls.cache_hits == {"pim": 1}
    assert recorder.reads.expires_at is None


# --- Redis -------------------------------------------------------------------------------


@pytest.mark.redis
async def test_a_response_round_trips_through_redis_and_is_dropped_by_its_tags():
    client = Redis.from_url(require_redis())
    backend = RedisCache(client, prefix=f"cgtest:{uuid.uuid4().hex[:12]}:", clock=SystemClock())
    try:
        cache = ResponseCache(backend, ttl_by_source=TTLS, clock=SystemClock())
        app = FakeGraphQL()
        async with client_of(cache, app) as http:
            first = await http.get("/graphql", params={"query": PRODUCT_QUERY})
            second = await http.get("/graphql", params={"query": PRODUCT_QUERY})
            await cache.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
            kept = await http.get("/graphql", params={"query": PRODUCT_QUERY})
            assert await backend.invalidate_tags(InvalidationEvent("pim", "p", ["p1"]).tags()) == 1
            dropped = await http.get("/graphql", params={"query": PRODUCT_QUERY})
        assert [r.headers["x-cache"] for r in (first, second, kept, dropped)] == [
            "MISS",
            "HIT",
            "HIT",  # a shared backend is cleaned by the Invalidator of the publishing instance
            "MISS",
        ]
        assert second.content == first.content
        assert app.runs == 2
    finally:
        await backend.clear()
        await client.aclose()
