"""What the response cache tests share: a stand-in for the execution, an endpoint around it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from connectors.cache import CacheEntry, MemoryCache
from connectors.guard import SourceGuard
from connectors.trace import Recorder
from gateway.bootstrap import build_stack
from gateway.endpoint import read_body
from gateway.graphql_http import Answer, refusal_response
from gateway.graphql_request import (
    GraphQLRequest,
    RequestRefused,
    header_map,
    parse_request,
    query_parameters,
)
from gateway.response_cache import ResponseCache
from schema.documents import DocumentLimits, Documents
from tests.clocks import ManualClock

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
    """Stands in for the execution: reads sources into the request's recorder, then answers."""

    def __init__(self) -> None:
        self.runs = 0
        self.reads: dict[str, list[str]] = {"pim": ["p1"]}
        self.read: Callable[[Recorder], Awaitable[object]] | None = None
        self.payload: Any = {"data": {"product": {"id": "p1", "name": "Lamp"}}}
        self.status = 200
        self.content_type = b"application/json"
        self.extra_headers: list[tuple[bytes, bytes]] = []
        self.gate: asyncio.Event | None = None
        self.requests: list[GraphQLRequest] = []
        self.started = asyncio.Event()

    async def __call__(self, request: GraphQLRequest, recorder: Recorder) -> Answer:
        self.runs += 1
        self.started.set()
        self.requests.append(request)
        for source, keys in self.reads.items():
            recorder.reads.touch(source, [f"{source}:{key}" for key in keys])
        if self.read is not None:
            await self.read(recorder)
        if self.gate is not None:
            await self.gate.wait()
        body = json.dumps(self.payload).encode()
        headers = [(b"content-type", self.content_type), *self.extra_headers]
        errors = isinstance(self.payload, dict) and bool(self.payload.get("errors"))
        return Answer(self.status, headers, body, has_errors=errors)


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


def gateway(cache: ResponseCache, app: FakeGraphQL) -> ASGIApp:
    """What the endpoint does: a recorder per request, the request parsed once, then the cache."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        headers = header_map(scope["headers"])
        context = headers.get("x-context", "WEB|nl|-|public")
        recorder = Recorder()
        body = (await read_body(receive) or b"") if scope["method"] == "POST" else b""
        try:
            request = parse_request(
                scope["method"], query_parameters(scope["query_string"]), headers, body
            )
        except RequestRefused as refused:
            await refusal_response(refused)(scope, receive, send)
            return

        async def execute() -> Answer:
            return await app(request, recorder)

        async def respond(answer: Answer) -> None:
            await answer.send(send)

        key = cache.key(request, context, DOCUMENTS)
        if key is None:
            await respond(await execute())
            return
        await cache.serve(key, execute=execute, respond=respond, reads=recorder.reads)

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


def product_guard(clock: ManualClock, backend: MemoryCache) -> SourceGuard:
    return build_stack("pim", cache=backend, timeout=1.0, clock=clock)


async def products(ids: list[str]) -> dict[str, str]:
    return {id_: f"product {id_}" for id_ in ids}


def with_errors(app: FakeGraphQL) -> None:
    app.payload = {"data": {"product": None}, "errors": [{"message": "pricing is down"}]}
