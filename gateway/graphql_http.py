"""GraphQL over HTTP as its specification says: who gets GraphiQL, media types, status codes.

The gateway's endpoint (`gateway.endpoint`) answers with what this module makes of a
request's refusal or of its execution result: JSON errors with a code, and the status
the specification gives (Strawberry's own view answers with plain text, mostly 400, and
every GraphQL response with 200 and `application/json`). Section names below are those of the
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
from dataclasses import dataclass, field

import orjson
from starlette.responses import JSONResponse, Response
from starlette.types import Send
from strawberry.types import ExecutionResult

from gateway.graphql_request import GRAPHQL_RESPONSE, JSON, UNPROCESSABLE, RequestRefused

__all__ = [
    "GRAPHQL_RESPONSE",
    "JSON",
    "REQUEST_ERROR_STATUS",
    "UNPROCESSABLE",
    "Answer",
    "Headers",
    "RequestRefused",
    "encode_result",
    "error_response",
    "refusal_response",
]

#: Status of a GraphQL response without `data` (a request error), by its first error's code.
REQUEST_ERROR_STATUS: Mapping[str, int] = {
    "GRAPHQL_PARSE_FAILED": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "INTERNAL_SERVER_ERROR": 500,
    "REQUEST_TIMEOUT": 504,  # the gateway's own deadline, not the client's doing
}

Headers = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class Answer:
    """A GraphQL response as bytes: status, headers (its Content-Type), body.

    `has_errors` says whether the body has a non-empty `errors` member, so that the
    response cache need not look inside the bytes.
    """

    status: int
    headers: Headers
    body: bytes
    has_errors: bool = False
    extra: Headers = field(default_factory=list)

    async def send(self, send: Send) -> None:
        """Send the answer, `extra` headers (the response cache's) last."""
        length = str(len(self.body)).encode("latin-1")
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [*self.headers, (b"content-length", length), *self.extra],
            }
        )
        await send({"type": "http.response.body", "body": self.body})


def encode_result(result: ExecutionResult, media_type: str) -> Answer:
    """The response to an execution `result`, serialised straight to bytes.

    `media_type` is the one the request prefers for a 2xx answer.
    """
    errors = result.errors
    response: dict[str, object] = {"data": result.data}
    if errors:
        response["errors"] = [error.formatted for error in errors]
    if result.extensions:
        response["extensions"] = result.extensions
    status = 200
    if result.data is None and errors and all(error.path is None for error in errors):
        # A request error: nothing executed, so the response has no `data` at all.
        del response["data"]
        code = (errors[0].extensions or {}).get("code", "")
        status = REQUEST_ERROR_STATUS.get(code, UNPROCESSABLE)
        media_type = GRAPHQL_RESPONSE
    content_type = f"{media_type}; charset=utf-8".encode("latin-1")
    return Answer(status, [(b"content-type", content_type)], orjson.dumps(response), bool(errors))


def error_response(
    message: str, code: str, status: int, headers: Mapping[str, str] | None = None
) -> Response:
    """A coded error outside any GraphQL execution, in the shape GraphQL errors have."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def refusal_response(refused: RequestRefused) -> Response:
    """The coded JSON error of a request that is not a GraphQL-over-HTTP request."""
    return error_response(refused.reason, refused.code, refused.status_code, refused.headers)
