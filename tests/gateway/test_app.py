"""The ASGI app end to end: health, request ids, auth failures, limits, masking, GraphiQL."""

import dataclasses
import gc
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gateway.app import create_app
from gateway.auth import mint_token
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from tests.api import CLOCK, serve

pytestmark = pytest.mark.anyio


async def test_health_and_readiness(api):
    health = await api.client.get("/healthz")
    ready = await api.client.get("/readyz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["checks"]["backoffice_db"] == "ok"


async def test_what_start_up_built_is_out_of_the_collectors_sight_while_serving(settings, engine):
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    app = create_app(settings, runtime=runtime)
    before = gc.get_freeze_count()

    async with serve(app, settings) as api:
        reply = await api.query("{ __typename }")
        serving = gc.get_freeze_count()

    assert reply.data == {"__typename": "Query"}
    assert serving > before + 10_000  # the schema and the runtime among them
    assert gc.get_freeze_count() == 0  # collectable again once the app has stopped


async def test_start_up_is_not_frozen_when_configured_so(settings, engine):
    unfrozen = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, gc_freeze=False)
    )
    runtime = await open_runtime(unfrozen, engine=engine, clock=CLOCK)
    app = create_app(unfrozen, runtime=runtime)

    async with serve(app, unfrozen) as api:
        reply = await api.query("{ __typename }")
        serving = gc.get_freeze_count()

    assert reply.data == {"__typename": "Query"}
    assert serving == 0
    assert Settings.load(env={"GATEWAY_SERVER__GC_FREEZE": "false"}).server.gc_freeze is False


async def test_young_collections_are_as_far_apart_as_configured_while_serving(settings, engine):
    configured = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, gc_threshold=12_345)
    )
    runtime = await open_runtime(configured, engine=engine, clock=CLOCK)
    app = create_app(configured, runtime=runtime)
    before = gc.get_threshold()

    async with serve(app, configured) as api:
        await api.query("{ __typename }")
        serving = gc.get_threshold()

    assert serving == (12_345, *before[1:])
    assert gc.get_threshold() == before  # Python's own again once the app has stopped


def test_young_collections_are_two_thousand_allocations_apart_by_default():
    assert Settings().server.gc_threshold == 2_000
    assert (
        Settings.load(env={"GATEWAY_SERVER__GC_THRESHOLD": "50000"}).server.gc_threshold == 50_000
    )


async def test_every_response_carries_a_request_id_and_keeps_the_clients(api):
    made = await api.client.get("/healthz")
    kept = await api.client.get("/healthz", headers={"x-request-id": "till-42-abcdef"})
    assert len(made.headers["x-request-id"]) == 32
    assert kept.headers["x-request-id"] == "till-42-abcdef"


async def test_an_expired_token_is_unauthenticated(api):
    past = datetime.now(UTC) - timedelta(hours=3)
    token = mint_token(api.settings.auth, role="service", now=past, ttl_seconds=60)
    reply = await api.query("{ products(first: 1) { totalCount } }", token=token)
    assert reply.status == 401
    assert reply.codes == ["UNAUTHENTICATED"]
    assert "expired" in reply.errors[0]["message"].lower()


async def test_a_forged_token_is_unauthenticated(api):
    claims = jwt.decode(
        api.token("service"), options={"verify_signature": False}, algorithms=["HS256"]
    )
    forged = jwt.encode(claims, "not-the-secret-" * 4, algorithm="HS256")
    reply = await api.query("{ products(first: 1) { totalCount } }", token=forged)
    assert reply.status == 401
    assert reply.codes == ["UNAUTHENTICATED"]


async def test_a_kiosk_cannot_move_to_another_store(api):
    reply = await api.query(
        "{ products(first: 1) { totalCount } }",
        role="kiosk",
        store_id="s01",
        channel="KIOSK",
        headers={"x-store": "s02"},
    )
    assert reply.status == 403
    assert reply.codes == ["FORBIDDEN"]


async def test_a_body_over_the_limit_is_refused(api):
    huge = "{ " + "products(first: 1) { totalCount } " * 40_000 + "}"
    response = await api.client.post("/graphql", json={"query": huge})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_syntax_and_validation_errors_have_codes(api):
    syntax = await api.query("{ products(first: 1) { totalCount ")
    unknown = await api.query("{ products(first: 1) { nope } }")
    assert syntax.codes == ["GRAPHQL_PARSE_FAILED"]
    assert unknown.codes == ["GRAPHQL_VALIDATION_FAILED"]


async def test_deep_queries_are_refused(api):
    selection = "sku"
    for _ in range(8):
        selection = f"variants {{ product {{ {selection} }} }}"
    deep = f"{{ products(first: 1) {{ edges {{ node {{ {selection} }} }} }} }}"
    reply = await api.query(deep)
    assert reply.data is None
    assert (
        reply.errors[0]["message"] == "The query nests 20 levels of fields; at most 15 are allowed."
    )
    assert reply.errors[0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "depth",
        "maximum": 15,
        "actual": 20,
    }


async def test_graphiql_is_served_without_any_outside_host(api):
    page = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert "https://" not in page.text
    assert "http://" not in page.text
    assert "Bearer " in page.text, "the demo customer token is pre-filled in development"
    script = await api.client.get("/static/graphiql/graphiql/graphiql.min.js")
    assert script.status_code == 200


async def test_source_calls_are_summarised_in_development(api):
    reply = await api.query(
        "{ products(first: 2) { edges { node { price { amount { amount } } } } } }"
    )
    summary = reply.body["extensions"]["sourceCalls"]
    assert summary["calls"] == 2
    assert set(summary["sources"]) == {"pim", "pricing"}


async def test_graphiqls_example_query_shows_every_domain_for_the_demo_customer(api):
    from gateway.samples import SAMPLE_QUERY

    reply = await _operation(api, SAMPLE_QUERY, "ProductAndMe")
    assert reply.errors is None, reply.errors
    product = reply.data["product"]
    assert product["variants"][0]["price"]["promotions"], "3 for 2 on paint"
    assert product["variants"][0]["availability"]["locations"]
    me = reply.data["me"]
    assert me["loyalty"]["points"] > 0
    assert {e["node"]["channel"] for e in me["orders"]["edges"]} >= {"WEB", "APP", "STORE"}


async def _operation(api, document: str, name: str):
    from backoffice.seed import DEMO_CUSTOMER_ID
    from tests.api import Reply

    token = api.token("customer", customer_id=DEMO_CUSTOMER_ID)
    response = await api.client.post(
        "/graphql",
        json={"query": document, "operationName": name},
        headers={"authorization": f"Bearer {token}"},
    )
    return Reply(response.status_code, response.json(), response.headers)


async def test_the_response_goes_out_before_its_answers_are_cached(settings, engine):
    import asyncio

    from gateway.app import create_app
    from gateway.bootstrap import open_runtime
    from tests.api import CLOCK, serve

    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    cache = runtime.cache
    write = cache.set_many
    events: list[str] = []

    async def slow_write(entries, tags=None):
        await asyncio.sleep(0.2)  # a slow cache, to see what waits for it
        events.append("cached")
        await write(entries, tags)

    cache.set_many = slow_write  # type: ignore[method-assign]
    app = create_app(settings, runtime=runtime)
    body = b'{"query": "{ products(first: 2) { edges { node { sku } } } }"}'
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"host", b"gateway.test")],
        "client": ("127.0.0.1", 1),
        "server": ("gateway.test", 80),
    }

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.body" and not message.get("more_body"):
            events.append("responded")

    async with serve(app, settings):
        await app(scope, receive, send)

    # The app returned after both: a request's effects stay inside its lifetime.
    assert events == ["responded", "cached"]
