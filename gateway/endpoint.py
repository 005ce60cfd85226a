"""The GraphQL endpoint over HTTP: a pure ASGI app that reads, parses and answers each request once.

A GET or POST on `/graphql` goes: the viewer (from the headers), the request (its body
read once, parsed once into a `GraphQLRequest`), GraphiQL for a browser, then the
execution (`schema.execute`: the schema's document cache, validation, extensions, error
masking and compiled plans), serialised by `encode_result` straight to bytes. A public
query goes through the response cache, which is a layer over that execution: it is given
the parsed request for its key and the execution to run on a miss.

Subscriptions are not served yet. When they are, a websocket on this URL is Strawberry's
job (its `strawberry.asgi.GraphQL` view speaks graphql-transport-ws): route the
`websocket` scope there, in `GraphQLEndpoint.__call__`, and keep HTTP here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway.auth import AuthenticationError, Authenticator, RequestError
from gateway.context import build_context, identify, request_id_var
from gateway.graphiql import LocalIDE
from gateway.graphql_http import Answer, encode_result, error_response, refusal_response
from gateway.graphql_request import (
    GRAPHQL_RESPONSE,
    GraphQLRequest,
    RequestRefused,
    header_map,
    parse_request,
    query_parameters,
    wants_html,
)
from gateway.samples import sample_headers

if TYPE_CHECKING:
    import strawberry

    from gateway.bootstrap import Runtime
    from gateway.config import Settings
    from resolvers.context import RequestContext
    from schema.documents import Documents


class RuntimeHolder:
    """What the lifespan opens, for the routes that need it (None until it has started)."""

    runtime: Runtime | None = None


class GraphQLEndpoint:
    """GraphQL over HTTP (GET and POST), GraphiQL for browsers, public answers from the cache."""

    def __init__(
        self,
        state: RuntimeHolder,
        settings: Settings,
        authenticator: Authenticator,
        documents: Documents,
        schema: strawberry.Schema,
        ide: LocalIDE | None,
    ) -> None:
        self.state = state
        self.settings = settings
        self.authenticator = authenticator
        self.documents = documents  # the schema's, so the response cache parses nothing again
        self.schema = schema
        self.ide = ide

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only `http` is routed here; a `websocket` scope (subscriptions) would go to
        # Strawberry's view, as the module says.
        runtime = self.state.runtime
        if runtime is None:
            await JSONResponse({"status": "starting"}, status_code=503)(scope, receive, send)
            return
        headers = header_map(scope["headers"])
        try:
            viewer, defaults = identify(headers, self.authenticator, self.settings)
        except AuthenticationError as exc:
            challenge = {"www-authenticate": 'Bearer realm="commerce-gateway"'}
            await error_response(exc.message, exc.code, 401, challenge)(scope, receive, send)
            return
        except RequestError as exc:
            status = 403 if exc.code == "FORBIDDEN" else 400
            await error_response(exc.message, exc.code, status)(scope, receive, send)
            return
        method = scope["method"]
        parameters: dict[str, str] = {}
        body = b""
        if method == "GET":
            parameters = query_parameters(scope["query_string"])
            if (
                self.ide is not None
                and not parameters.get("query")
                and wants_html(headers.get("accept", ""))
            ):
                # Minted per page view so that the demo token in the Headers tab never is stale.
                page = self.ide.page(
                    Request(scope).url.path, default_headers=sample_headers(self.settings)
                )
                await page(scope, receive, send)
                return
        elif method == "POST":
            read = await read_body(receive)
            if read is None:
                return  # the client left before it finished sending its request
            body = read
        recorder = scope["state"]["recorder"]
        try:
            request = parse_request(method, parameters, headers, body)

            async def execute() -> Answer:
                # Built here, not before: a response cache hit needs no context.
                context = build_context(
                    request_id=request_id_var.get(),
                    viewer=viewer,
                    defaults=defaults,
                    sources=runtime.sources,
                    rules=runtime.rules,
                    recorder=recorder,
                    clock=runtime.clock,
                    ledger=runtime.ledger,
                    outbox=runtime.outbox_worker.dispatcher,
                )
                return await self.execute(request, context)

            async def respond(answer: Answer) -> None:
                await answer.send(send)

            responses = runtime.responses
            # Customers go straight through: a field answered from the viewer alone reads
            # no source, and must never be stored under a key all customers share. The
            # media type too: a stored answer keeps the Content-Type it was sent with.
            if responses is not None and viewer.customer_id is None:
                media = "gql" if request.media_type == GRAPHQL_RESPONSE else "json"
                context_key = (
                    f"{defaults.channel}|{defaults.locale}|{defaults.store_id or '-'}"
                    f"|{viewer.role}|{media}"
                )
                key = responses.key(request, context_key, self.documents)
                if key is not None:
                    await responses.serve(
                        key, execute=execute, respond=respond, reads=recorder.reads
                    )
                    return
            await respond(await execute())
        except RequestRefused as refused:
            await refusal_response(refused)(scope, receive, send)

    async def execute(self, request: GraphQLRequest, context: RequestContext) -> Answer:
        """Run `request` through the schema and serialise its result.

        Raises `RequestRefused` for a mutation over GET.
        """
        try:
            result = await self.schema.execute(
                request.query,
                variable_values=request.variables,
                context_value=context,
                operation_name=request.operation_name,
                allowed_operation_types=OperationType.from_http(request.method),
                operation_extensions=request.extensions,
            )
        except InvalidOperationTypeError as exc:
            # GET section: a mutation over GET is refused, 405 RECOMMENDED, with Allow.
            raise RequestRefused(
                405,
                f"{exc.as_http_error_reason(request.method)}; send it with POST.",
                headers={"allow": "POST"},
            ) from exc
        except CannotGetOperationTypeError as exc:
            # The named operation is not in the document: GetOperation() fails.
            error = GraphQLError(
                exc.as_http_error_reason(), extensions={"code": "OPERATION_RESOLUTION_FAILURE"}
            )
            result = ExecutionResult(data=None, errors=[error])
        return encode_result(result, request.media_type)


async def read_body(receive: Receive) -> bytes | None:
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
