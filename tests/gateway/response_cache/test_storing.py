"""The whole-response cache: keys, what is stored and for how long."""

from __future__ import annotations

import json

import pytest

from connectors.cache import MemoryCache
from connectors.guard import CachePolicy
from connectors.trace import Recorder
from gateway.bootstrap import build_stack
from kernel.clock import SystemClock
from tests.gateway.response_cache.support import (
    DOCUMENTS,
    PRODUCT_QUERY,
    FakeGraphQL,
    build,
    product_guard,
    products,
    with_errors,
)

pytestmark = pytest.mark.anyio


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


async def test_get_and_post_share_entries_and_the_execution_gets_the_request_read(setup):
    posted = await setup.post(variables={"id": "p1"})
    got = await setup.get(variables={"id": "p1"})
    posted_again = await setup.post(variables={"id": "p1"})
    assert [posted.headers["x-cache"], got.headers["x-cache"]] == ["MISS", "HIT"]
    assert posted_again.headers["x-cache"] == "HIT"
    assert setup.app.runs == 1
    (request,) = setup.app.requests
    assert (request.query, request.variables, request.method) == (
        PRODUCT_QUERY,
        {"id": "p1"},
        "POST",
    )


# --- what is not stored ------------------------------------------------------------------


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


async def test_batches_and_other_bodies_are_refused_before_the_cache(setup):
    batch = [{"query": PRODUCT_QUERY, "variables": {"id": "p1"}}]
    batched = await setup.client.post("/graphql", json=batch)
    texts = await setup.client.post(
        "/graphql", content=b"{ product }", headers={"content-type": "text/x"}
    )
    assert [batched.status_code, texts.status_code] == [422, 415]
    assert "x-cache" not in batched.headers
    assert "x-cache" not in texts.headers
    assert setup.app.runs == 0
    assert len(setup.backend) == 0


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
