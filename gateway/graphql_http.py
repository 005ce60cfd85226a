"""GraphQL over HTTP as its specification says: who gets GraphiQL, media types, status codes.

Strawberry's view answers a request it cannot use with plain text and mostly 400, and
every GraphQL response with 200 and `application/json`. Clients need JSON errors with a
code, and the status the specification gives. Section names below are those of the
GraphQL-over-HTTP draft (https://graphql.github.io/graphql-over-http/draft/, as of
2026-08-06; since 2025 it keeps no separate 200-only rule for `application/json`):

* A request that is not a GraphQL-over-HTTP request is refused with a `RequestRefused`:
  `{"errors": [{"message", "extensions": {"code"}}]}` as `application/json`, never
  `application/graphql-response+json` (Status Codes: such an answer is no GraphQL
  response). Body not JSON: 400; not a JSON object, no `query` string, parameters of
  the wrong type, a batch (a JSON array, which the spec does not define): 422; a
  persisted-query hash without its query: 422 `PERSISTED_QUERY_NOT_SUPPORTED`, which
  Apollo's and urql's persisted-query links read as "send the query text"; a body not
  `application/json`: 415; a mutation over GET, or a method other than GET and POST:
  405 with `Allow`. Their code is `BAD_REQUEST` where nothing more specific says more.
* A GraphQL request error (the document does not parse or validate, the operation
  cannot be picked, a variable cannot be coerced) is a GraphQL response without `data`
  (the GraphQL spec's Response Format), answered 400 for a document that does not parse
  and 422 for the rest (Status Codes), as `application/graphql-response+json` whatever
  the `Accept` header (Body: only a 2xx answer falls back to `application/json` for a
  legacy client).
* Any other GraphQL response is 200, as `application/graphql-response+json` when the
  client asks for it before `application/json`, else as `application/json` (Body), so
  that clients sending `Accept: */*` keep getting what they always got.
* GraphiQL is a page for browsers: it is served for a GET without `query` that asks for
  `text/html` by name. Apollo Client's GET sends `Accept: */*`, and gets JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.http.typevars import Context, RootValue
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway.graphiql import GraphQLWithLocalIDE
from gateway.negotiation import weighted

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
#: Status of a GraphQL response without `data` (a request error), by its first error's code.
REQUEST_ERROR_STATUS: Mapping[str, int] = {
    "GRAPHQL_PARSE_FAILED": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "INTERNAL_SERVER_ERROR": 500,
    "REQUEST_TIMEOUT": 504,  # the gateway's own deadline, not the client's doing
}
#: Every other request error: validation, operation resolution, variable coercion.
UNPROCESSABLE = 422


class RequestRefused(HTTPException):
    """The HTTP request is not one the gateway can run; the client gets a coded JSON error."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        *,
        code: str = "BAD_REQUEST",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, reason)
        self.code = code
        self.headers = dict(headers or {})


def error_response(
    message: str, code: str, status: int, headers: Mapping[str, str] | None = None
) -> Response:
    """A coded error outside any GraphQL execution, in the shape GraphQL errors have."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def prefers_graphql_response(accept: str) -> bool:
    """Whether `accept` ranks `application/graphql-response+json` at least as high as JSON.

    Only a media type named outright counts: `*/*` (Apollo Client's default) keeps JSON.
    """
    quality = _qualities(accept)
    wanted = quality.get(GRAPHQL_RESPONSE, 0.0)
    return wanted > 0 and wanted >= quality.get(JSON, 0.0)


def _qualities(accept: str) -> dict[str, float]:
    """The q-value of each media range in an Accept header (RFC 9110 section 12.5.1)."""
    return dict(weighted(accept))


class GraphQLOverHTTP(GraphQLWithLocalIDE[Context, RootValue]):
    """Strawberry's ASGI view with the answers and statuses of the GraphQL-over-HTTP spec."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # As Strawberry's own __call__, but a refusal is a coded JSON error, not plain text.
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as exc:
            response = _refusal_response(exc)
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        return (
            self.graphql_ide is not None
            and request.method == "GET"
            and not request.query_params.get("query")
            and _qualities(request.headers.get("accept", "")).get("text/html", 0.0) > 0
        )

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method == "GET":
            return _request_data(self.parse_query_params(request.query_params))
        # POST: is_request_allowed has refused every other method.
        content_type, _ = parse_content_type(request.content_type or "")
        if content_type != JSON:
            raise RequestRefused(
                415,
                f"Send the request body as {JSON} (POST section), not "
                f"{content_type or 'without a Content-Type'}.",
                headers={"accept-post": JSON},
            )
        return _request_data(self.parse_json(await request.get_body()))

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: RootValue | None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=OperationType.from_http(request_adapter.method),
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as exc:
            # GET section: a mutation over GET is refused, 405 RECOMMENDED, with Allow.
            raise RequestRefused(
                405,
                f"{exc.as_http_error_reason(request_adapter.method)}; send it with POST.",
                headers={"allow": "POST"},
            ) from exc
        except CannotGetOperationTypeError as exc:
            # The named operation is not in the document: GetOperation() fails.
            error = GraphQLError(
                exc.as_http_error_reason(), extensions={"code": "OPERATION_RESOLUTION_FAILURE"}
            )
            return ExecutionResult(data=None, errors=[error])

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Carried to create_response, which is not given the request.
        sub_response.media_type = (
            GRAPHQL_RESPONSE
            if prefers_graphql_response(request.headers.get("accept", ""))
            else JSON
        )
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # A request error: nothing executed, so the response has no `data` at all.
            del response["data"]
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type = sub_response.media_type or JSON
        if isinstance(response_data, dict) and "data" not in response_data:
            errors: list[Any] = response_data.get("errors") or [{}]
            code = errors[0].get("extensions", {}).get("code", "")
            response.status_code = REQUEST_ERROR_STATUS.get(code, UNPROCESSABLE)
            media_type = GRAPHQL_RESPONSE
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        return response


def _request_data(params: object) -> GraphQLRequestData:
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
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=name, extensions=extensions
    )


def _refusal_response(exc: HTTPException) -> Response:
    if isinstance(exc, RequestRefused):
        return error_response(exc.reason, exc.code, exc.status_code, exc.headers)
    # Strawberry's own: a method other than GET and POST, or JSON that does not parse.
    headers = {"allow": "GET, POST"} if exc.status_code == 405 else {}
    return error_response(exc.reason, "BAD_REQUEST", exc.status_code, headers)
