"""The ASGI application: GraphQL (with an offline GraphiQL), health checks, request ids, limits."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.invalidation import InvalidationBus
from connectors.trace import Recorder, WriteBehind
from gateway.auth import Authenticator
from gateway.bootstrap import Runtime, open_runtime
from gateway.config import LimitSettings, Settings
from gateway.context import request_id_from, request_id_var
from gateway.endpoint import GraphQLEndpoint, RuntimeHolder
from gateway.graphiql import LocalIDE, graphiql_static_app
from gateway.graphql_http import error_response
from gateway.hooks import invalidation_endpoint
from gateway.samples import sample_query
from kernel.clock import Clock
from kernel.collector import tuned_collector
from schema import build_schema
from schema.documents import DocumentLimits, Documents

logger = logging.getLogger("gateway.access")

STATIC_PREFIX = "/static/graphiql"
#: Browser origins the development gateway answers: any port on this machine.
LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"
#: Request headers a browser may send cross-origin: the gateway's own, and Apollo's.
CORS_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "x-channel",
    "x-request-id",
    "x-store",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
)
#: How long a request's cache writes may take after its response before it lets go of them.
WRITE_BEHIND_SECONDS = 2.0


class RequestMiddleware:
    """Gives each HTTP request an id (header, logs) and a recorder, bounds its body, logs its outcome."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = request_id_from(headers.get(b"x-request-id", b"").decode("latin-1"))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _too_large(self.max_body_bytes, request_id)(scope, receive, send)
            request_id_var.reset(token)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        # The request's recorder, passed down explicitly: to the response cache and, through
        # the request context, to the sources the resolvers call.
        responded = asyncio.Event()
        recorder = Recorder(writes=WriteBehind(responded))
        scope.setdefault("state", {})["recorder"] = recorder

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                responded.set()

        try:
            await self.app(scope, bounded_receive, send_with_id)
        except _BodyTooLarge:
            await _too_large(self.max_body_bytes, request_id)(scope, receive, send)
            status = 413
        finally:
            # The response is out: now the cache writes of its fetches. Waiting for them
            # here delays no client, and keeps a request's effects inside its lifetime.
            responded.set()
            await recorder.writes.drain(WRITE_BEHIND_SECONDS)
            logger.info(
                "%s %s %s %.1fms sources=%d",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                len(recorder.calls.calls),
            )
            request_id_var.reset(token)


def document_limits(limits: LimitSettings) -> DocumentLimits:
    """The schema's view of the `[limits]` settings."""
    return DocumentLimits(
        max_bytes=limits.max_document_bytes,
        max_literal_bytes=limits.max_literal_bytes,
        max_tokens=limits.max_tokens,
        max_depth=limits.max_depth,
        max_aliases=limits.max_aliases,
        max_fields=limits.max_fields,
        max_repeats=limits.max_repeats,
        default_list_size=limits.default_list_size,
        cost_budgets={
            role.name: getattr(limits.cost, role.name) for role in dataclasses.fields(limits.cost)
        },
        cache_bytes=limits.document_cache_bytes,
    )


class GraphQLLane:
    """Takes `/graphql` straight to its endpoint, past Starlette's exception layer and router.

    The GraphQL endpoint raises no HTTPException and needs no route matching: its requests
    are most of the traffic, so they skip both. Every other path (and `/graphql` under a
    root path, which the router resolves) goes on to the app.
    """

    def __init__(self, app: ASGIApp, *, path: str, endpoint: ASGIApp) -> None:
        self.app = app
        self.path = path
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and not scope.get("root_path"):
            await self.endpoint(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _BodyTooLarge(Exception):
    """The body grew past the limit while it was being read."""


def _too_large(limit: int, request_id: str) -> Response:
    return error_response(
        f"The request body is larger than {limit} bytes.",
        "PAYLOAD_TOO_LARGE",
        413,
        {"x-request-id": request_id},
    )


def create_app(
    settings: Settings | None = None, *, runtime: Runtime | None = None, clock: Clock | None = None
) -> Starlette:
    """The gateway as an ASGI app; `runtime` lets tests pass sources of their own.

    `clock` is the one the runtime opened by the lifespan runs on (tests pin it); by default
    the one `settings` names.
    """
    settings = settings or (runtime.settings if runtime else Settings.load())
    server = settings.server
    state = RuntimeHolder()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        # 503 only while this instance can answer no query at all; a degraded dependency
        # is reported with 200, so that one outage does not empty the load balancer.
        if state.runtime is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        readiness = await state.runtime.probe.check()
        return JSONResponse(readiness.document(), status_code=200 if readiness.serving else 503)

    documents = Documents(document_limits(settings.limits))
    schema = build_schema(
        introspection=server.introspection,
        mask_errors=server.mask_errors,
        field_suggestions=server.introspection,
        documents=documents,
        deadline_seconds=settings.limits.deadline_seconds,
        debug_source_calls=server.debug_source_calls,
    )
    authenticator = Authenticator(settings.auth)
    ide = (
        LocalIDE(static_prefix=STATIC_PREFIX, default_query=sample_query())
        if server.graphiql
        else None
    )
    graphql = GraphQLEndpoint(state, settings, authenticator, documents, schema, ide)

    async def metrics(request: Request) -> Response:
        if state.runtime is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        await state.runtime.probe.check()  # the dependency gauges, as of this scrape
        return Response(generate_latest(state.runtime.metrics), media_type=CONTENT_TYPE_LATEST)

    def bus() -> InvalidationBus:
        if state.runtime is None:
            raise RuntimeError("the gateway's lifespan has not started")
        return state.runtime.bus

    invalidate = invalidation_endpoint(
        secret=server.webhook_secret, sources=tuple(settings.sources), bus=bus
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # A runtime passed in (tests) is handed over: the app starts and closes it.
        opened = runtime or await open_runtime(settings, clock=clock)
        try:
            await opened.start()
        except BaseException:
            await opened.aclose()  # e.g. production on a database behind this release
            raise
        if settings.auth.jwks_url:
            # Fetch the key set now (blocking urllib) rather than inside the first request.
            await asyncio.to_thread(authenticator.prefetch_keys)
        state.runtime = opened
        try:
            # What start-up built (modules, the schema, the runtime) frozen out of the
            # collector's sight, young collections server.gc_threshold apart: full
            # collections, which stall every request in flight, walk less and come rarer.
            with tuned_collector(server.gc_threshold, freeze=server.gc_freeze):
                yield
        finally:
            state.runtime = None
            await opened.aclose()

    routes: list[Any] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        # Every method: the endpoint answers the others with a coded 405 that says which.
        # Subscriptions (not served yet) would add a WebSocketRoute("/graphql", ...) to
        # Strawberry's view here: HTTP stays with the endpoint.
        Route("/graphql", graphql),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/hooks/invalidate", invalidate, methods=["POST"]),
    ]
    if server.graphiql:
        routes.append(Mount(STATIC_PREFIX, app=graphiql_static_app(), name="graphiql-static"))
    middleware = [Middleware(RequestMiddleware, max_body_bytes=server.max_body_bytes)]
    # A front end on its dev server (localhost:5173, 127.0.0.1:3000...) calls the demo
    # straight away; production allows only the origins it is configured with.
    local = LOCAL_ORIGINS if server.environment == "development" else None
    if server.cors_origins or local:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(server.cors_origins),
                allow_origin_regex=local,
                allow_methods=["GET", "POST"],
                allow_headers=list(CORS_HEADERS),
                expose_headers=["x-request-id"],
                max_age=600,
            )
        )
    # Innermost: a GraphQL request has passed the request id, the body bound and CORS.
    middleware.append(Middleware(GraphQLLane, path="/graphql", endpoint=graphql))
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
