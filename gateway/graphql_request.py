"""One GraphQL-over-HTTP request, read once: its parameters, its method, the media type it wants.

The endpoint reads the body once and parses it here into a `GraphQLRequest`; everything
after (the viewer, the response cache's key, the execution) reads that object. A request
that is not a GraphQL-over-HTTP request raises `RequestRefused`, whose status, code and
headers `gateway.graphql_http` documents section by section.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl

import orjson

from gateway.negotiation import weighted

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
#: Every request error that names no status of its own: validation, operation resolution,
#: variable coercion, parameters of the wrong type.
UNPROCESSABLE = 422


class RequestRefused(Exception):
    """The HTTP request is not one the gateway can run; the client gets a coded JSON error."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        *,
        code: str = "BAD_REQUEST",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason
        self.code = code
        self.headers = dict(headers or {})


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """What one request asks: the operation's parameters, its method, the media type it prefers."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    method: Literal["GET", "POST"]
    #: The response's media type when it is a 2xx: JSON unless the client ranks
    #: `application/graphql-response+json` at least as high.
    media_type: str


def prefers_graphql_response(accept: str) -> bool:
    """Whether `accept` ranks `application/graphql-response+json` at least as high as JSON.

    Only a media type named outright counts: `*/*` (Apollo Client's default) keeps JSON.
    """
    quality = dict(weighted(accept))
    wanted = quality.get(GRAPHQL_RESPONSE, 0.0)
    return wanted > 0 and wanted >= quality.get(JSON, 0.0)


def wants_html(accept: str) -> bool:
    """Whether `accept` names `text/html` (a browser): such a GET without `query` gets GraphiQL."""
    return dict(weighted(accept)).get("text/html", 0.0) > 0


def header_map(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """An ASGI scope's headers by (lower-case) name, the first of a repeated name winning.

    As Starlette's `Headers.get` answers, but each lookup is a dict's, not a scan.
    """
    headers: dict[str, str] = {}
    for name, value in raw:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


def query_parameters(query_string: bytes) -> dict[str, str]:
    """The query string's parameters, the last of a repeated name winning (as Starlette's)."""
    return dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))


def parse_request(
    method: str, parameters: Mapping[str, str], headers: Mapping[str, str], body: bytes
) -> GraphQLRequest:
    """The request a GET (its `parameters`) or a POST (its JSON `body`) makes, or `RequestRefused`.

    `headers` are the request's, by lower-case name.
    """
    if method == "GET":
        params: object = {
            name: _json(value) if name in ("variables", "extensions") and value else value
            for name, value in parameters.items()
        }
    elif method == "POST":
        # Media types are case-insensitive (RFC 9110 8.3.1): Application/JSON is JSON.
        content_type = headers.get("content-type", "").partition(";")[0].strip()
        if content_type.lower() != JSON:
            raise RequestRefused(
                415,
                f"Send the request body as {JSON} (POST section), not "
                f"{content_type or 'without a Content-Type'}.",
                headers={"accept-post": JSON},
            )
        params = _json(body)
    else:
        raise RequestRefused(
            405, "GraphQL only supports GET and POST requests.", headers={"allow": "GET, POST"}
        )
    query, name, variables, extensions = _request_data(params)
    media = GRAPHQL_RESPONSE if prefers_graphql_response(headers.get("accept", "")) else JSON
    return GraphQLRequest(
        query, variables, name, extensions, "GET" if method == "GET" else "POST", media
    )


def _json(data: str | bytes) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:  # bad JSON, or nesting past 1,024 levels
        raise RequestRefused(400, "Unable to parse request body as JSON") from exc


def _request_data(
    params: object,
) -> tuple[str, str | None, dict[str, Any] | None, dict[str, Any] | None]:
    """The request's parameters (JSON Encoding, GET), or the refusal saying what is wrong."""
    if isinstance(params, list):
        # Batching is an RFC, not the spec; one operation per request keeps the
        # limits, the response cache and the status codes about one operation.
        raise RequestRefused(
            UNPROCESSABLE,
            "Batched requests (a JSON array) are not supported; send one operation per request.",
        )
    if not isinstance(params, dict):
        raise RequestRefused(UNPROCESSABLE, "The body must be a JSON object with a `query` string.")
    # "Specifying null (JSON) or the empty string (GET) for optional request parameters
    # is equivalent to not specifying them at all."
    query, name, variables, extensions = (
        params.get(key) or None for key in ("query", "operationName", "variables", "extensions")
    )
    if not isinstance(extensions, dict | None):
        raise RequestRefused(UNPROCESSABLE, "`extensions` must be an object when given.")
    if query is None and extensions is not None and "persistedQuery" in extensions:
        # Apollo's and urql's links read the code; older ones look for this word.
        raise RequestRefused(
            UNPROCESSABLE,
            "PersistedQueryNotSupported: this gateway keeps no persisted queries; "
            "send the query text.",
            code="PERSISTED_QUERY_NOT_SUPPORTED",
        )
    if not isinstance(query, str):
        raise RequestRefused(UNPROCESSABLE, "The request has no `query` string.")
    if not isinstance(name, str | None):
        raise RequestRefused(UNPROCESSABLE, "`operationName` must be a string when given.")
    if not isinstance(variables, dict | None):
        raise RequestRefused(UNPROCESSABLE, "`variables` must be an object when given.")
    return query, name, variables, extensions
