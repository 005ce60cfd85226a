"""The HTTP edge as clients meet it: coded errors, status codes, media types, suggestions, CORS."""

import logging

import pytest

from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from tests.api import CLOCK, serve

pytestmark = pytest.mark.anyio

GRAPHQL_RESPONSE = "application/graphql-response+json"
COUNT = "query($n: Int!) { products(first: $n) { totalCount } }"


@pytest.fixture
async def production(seeded_url, ledger_url, engine):
    """The gateway with production defaults: masking, no introspection, no suggestions."""
    settings = Settings.load(
        None,
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "GATEWAY_DATABASE__URL": ledger_url,
            "GATEWAY_SERVER__ENVIRONMENT": "production",
            "GATEWAY_SERVER__CORS_ORIGINS": '["https://shop.example"]',
            "GATEWAY_AUTH__ALGORITHMS": '["HS256"]',
            "GATEWAY_AUTH__DEV_SECRET": "production-test-secret-" * 3,
        },
    )
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    async with serve(create_app(settings, runtime=runtime), settings) as client:
        yield client


def codes(response):
    return [e["extensions"]["code"] for e in response.json()["errors"]]


# Variables


async def test_a_string_for_an_int_variable_is_bad_user_input(api, caplog):
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        reply = await api.query(COUNT, {"n": "abc"})
    assert reply.codes == ["BAD_USER_INPUT"]
    assert "Int cannot represent non-integer value" in reply.errors[0]["message"]
    assert caplog.records == [], "a client's mistake is no bug: nothing logged"


async def test_a_variable_that_cannot_be_coerced_is_422_without_data(api):
    reply = await api.query(COUNT, {"n": "abc"}, headers={"accept": GRAPHQL_RESPONSE})
    assert reply.status == 422
    assert "data" not in reply.body
    assert reply.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_a_missing_required_variable_is_bad_user_input(api):
    reply = await api.query(COUNT, {})
    assert reply.status == 422
    assert reply.codes == ["BAD_USER_INPUT"]


async def test_production_says_what_was_wrong_with_a_variable(production):
    reply = await production.query(COUNT, {"n": "abc"})
    assert reply.codes == ["BAD_USER_INPUT"]
    assert reply.errors[0]["message"].startswith("Variable '$n' has invalid value")


# Status codes and media types (GraphQL over HTTP, Status Codes and Body)


async def test_a_document_that_does_not_parse_is_400(api):
    reply = await api.query("{ products(first: 1) { totalCount ")
    assert reply.status == 400
    assert reply.codes == ["GRAPHQL_PARSE_FAILED"]
    assert "data" not in reply.body


async def test_a_document_that_does_not_validate_is_422(api):
    reply = await api.query("{ products(first: 1) { nope } }")
    assert reply.status == 422
    assert reply.codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert reply.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_a_successful_response_is_json_unless_the_client_asks_for_graphql_response(api):
    legacy = await api.query("{ __typename }", headers={"accept": "*/*"})
    current = await api.query(
        "{ __typename }", headers={"accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
    )
    assert legacy.status == 200
    assert legacy.headers["content-type"] == "application/json; charset=utf-8"
    assert current.status == 200
    assert current.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"


# Suggestions


SUGGESTING = {
    "field": ("{ products(first: 1) { totalCont } }", None, "'totalCount'"),
    "argument": ("{ products(frist: 1) { totalCount } }", None, "'first'"),
    "type": ("query($n: Itn!) { products(first: $n) { totalCount } }", None, "'Int'"),
    "enum value": (
        'query($r: IdentifierType!) { customer(identifier: { type: $r, value: "1" }) { name } }',
        {"r": "LOYALTY_CRAD"},
        "'LOYALTY_CARD'",
    ),
    "input field": (
        "query($i: CustomerIdentifierInput!) { customer(identifier: $i) { name } }",
        {"i": {"type": "LOYALTY_CARD", "value": "1", "vaule": "1"}},
        "'value'",
    ),
}


@pytest.mark.parametrize("kind", SUGGESTING)
async def test_development_suggests_names(api, kind):
    document, variables, name = SUGGESTING[kind]
    reply = await api.query(document, variables, role="service")
    assert f"Did you mean {name}" in reply.errors[0]["message"] or (
        f"Did you mean the enum value {name}" in reply.errors[0]["message"]
    )


@pytest.mark.parametrize("kind", SUGGESTING)
async def test_production_suggests_no_name_of_any_kind(production, kind):
    document, variables, _ = SUGGESTING[kind]
    reply = await production.query(document, variables, role="service")
    assert reply.errors, reply.body
    assert "Did you mean" not in reply.errors[0]["message"]


# Masking


async def test_a_masked_error_keeps_its_code_and_the_request_id(production, monkeypatch, caplog):
    from resolvers import product

    async def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(product, "list_products", broken)
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        reply = await production.query(
            "{ products(first: 1) { totalCount } }", headers={"x-request-id": "till-7-0001"}
        )
    (error,) = reply.errors
    assert error["message"].startswith("Unexpected error")
    assert "secret" not in error["message"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "till-7-0001"}
    assert "till-7-0001" in caplog.text


# Requests that are not GraphQL requests


async def test_a_persisted_query_hash_alone_is_not_supported(api):
    response = await api.client.post(
        "/graphql",
        json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}},
    )
    assert response.status_code == 422
    assert codes(response) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
    assert "PersistedQueryNotSupported" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "fragment"),
    [
        ({"content": b'{"query": ', "headers": {"content-type": "application/json"}}, 400, "JSON"),
        ({"json": {"variables": {}}}, 422, "no `query`"),
        ({"json": "{ __typename }"}, 422, "JSON object"),
        ({"json": {"query": "{ __typename }", "variables": [7]}}, 422, "`variables`"),
        ({"json": [{"query": "{ __typename }"}]}, 422, "Batched requests"),
        (
            {"content": b"{ __typename }", "headers": {"content-type": "text/plain"}},
            415,
            "application/json",
        ),
    ],
    ids=["bad JSON", "no query", "not an object", "variables a list", "a batch", "plain text"],
)
async def test_a_malformed_request_gets_a_coded_json_error(api, request_kwargs, status, fragment):
    response = await api.client.post("/graphql", **request_kwargs)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert codes(response) == ["BAD_REQUEST"]
    assert fragment in response.json()["errors"][0]["message"]
    assert len(response.headers["x-request-id"]) == 32


async def test_a_media_type_in_any_case_is_json(api):
    response = await api.client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "Application/JSON; charset=UTF-8"},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_an_unknown_operation_name_is_an_operation_resolution_failure(api):
    response = await api.client.post(
        "/graphql", json={"query": "query A { __typename }", "operationName": "B"}
    )
    assert response.status_code == 422
    assert codes(response) == ["OPERATION_RESOLUTION_FAILURE"]


async def test_two_operations_and_no_operation_name_run_neither(api):
    response = await api.client.post(
        "/graphql",
        json={"query": "query A { products(first: 1) { totalCount } } query B { __typename }"},
    )
    assert response.status_code == 422
    assert codes(response) == ["OPERATION_RESOLUTION_FAILURE"]
    assert "data" not in response.json()


async def test_two_operations_run_the_one_named(api):
    response = await api.client.post(
        "/graphql",
        json={"query": "query A { __typename } query B { b: __typename }", "operationName": "B"},
    )
    assert response.json() == {"data": {"b": "Query"}, "extensions": response.json()["extensions"]}


async def test_a_mutation_over_get_is_405_with_allow(api):
    response = await api.client.get(
        "/graphql", params={"query": "mutation { __typename }"}, headers={"accept": "*/*"}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response) == ["BAD_REQUEST"]


async def test_a_method_other_than_get_and_post_is_405_with_allow(api):
    response = await api.client.put("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert codes(response) == ["BAD_REQUEST"]


# GraphiQL or JSON


async def test_a_get_with_a_query_and_any_accept_gets_json(api):
    response = await api.client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"accept": "*/*"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_get_without_query_that_does_not_ask_for_html_gets_json_not_graphiql(api):
    response = await api.client.get("/graphql", headers={"accept": "*/*"})
    assert response.status_code == 422
    assert codes(response) == ["BAD_REQUEST"]


async def test_a_browser_asking_for_html_gets_graphiql(api):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = await api.client.get("/graphql", headers={"accept": browser})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


async def test_production_serves_no_graphiql_even_to_a_browser(production):
    response = await production.client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 422
    assert codes(response) == ["BAD_REQUEST"]


# CORS


def preflight(origin):
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": (
            "authorization, content-type, x-channel, x-store, accept-language, x-request-id, "
            "apollographql-client-name, apollographql-client-version"
        ),
    }


@pytest.mark.parametrize("origin", ["http://localhost:5173", "http://127.0.0.1:3000"])
async def test_development_answers_preflights_from_any_local_port(api, origin):
    response = await api.client.options("/graphql", headers=preflight(origin))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "apollographql-client-name" in allowed
    assert "x-store" in allowed


async def test_a_cross_origin_response_exposes_the_request_id(api):
    response = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"origin": "http://localhost:5173"}
    )
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert response.headers["access-control-expose-headers"] == "x-request-id"


async def test_development_refuses_preflights_from_other_hosts(api):
    response = await api.client.options("/graphql", headers=preflight("https://evil.example"))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_production_allows_only_its_configured_origins(production):
    shop = await production.client.options("/graphql", headers=preflight("https://shop.example"))
    local = await production.client.options("/graphql", headers=preflight("http://localhost:5173"))
    assert shop.status_code == 200
    assert shop.headers["access-control-allow-origin"] == "https://shop.example"
    assert local.status_code == 400


async def test_a_request_past_the_gateways_deadline_is_504(
    seeded_url, ledger_url, engine, monkeypatch
):
    import asyncio

    from resolvers import product

    async def slow(*args, **kwargs):
        await asyncio.sleep(1)

    monkeypatch.setattr(product, "list_products", slow)
    settings = Settings.load(
        None,
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "GATEWAY_DATABASE__URL": ledger_url,
            "GATEWAY_LIMITS__DEADLINE_SECONDS": "0.05",
        },
    )
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    async with serve(create_app(settings, runtime=runtime), settings) as client:
        reply = await client.query("{ products(first: 1) { totalCount } }")
    assert reply.status == 504
    assert reply.codes == ["REQUEST_TIMEOUT"]
