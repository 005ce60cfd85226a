"""ASGI plumbing of the response cache: reading a GraphQL request, holding a response back."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson
from graphql import DocumentNode, OperationDefinitionNode, OperationType
from starlette.types import Message, Receive, Scope, Send

#: Headers the response cache sets; the app's own are dropped rather than sent twice.
OWN_HEADERS = frozenset({b"cache-control", b"x-cache", b"age", b"vary"})
NO_STORE = [(b"x-cache", b"MISS"), (b"cache-control", b"private, no-store")]
_JSON_TYPES = (b"application/json", b"application/graphql-response+json")


class Capture:
    """An ASGI `send` that holds a response back until it is complete.

    A response can only say whether it is cacheable once all of it was seen, so a JSON
    body within `limit` bytes is kept; anything else (a stream, a larger body) is passed
    on as it comes, marked `no-store`.
    """

    def __init__(self, send: Send, limit: int) -> None:
        self._send = send
        self._limit = limit
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.complete = False
        self.streaming = False

    async def __call__(self, message: Message) -> None:
        if self.streaming:
            await self._send(message)
        elif message["type"] == "http.response.start":
            self.start = message
            if not is_json(message):
                await self.pass_on()
        elif message["type"] == "http.response.body" and not self.complete:
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            self.chunks.append(chunk)
            self.size += len(chunk)
            if self.size > self._limit:
                await self.pass_on(more_body=more)
            elif not more:
                self.complete = True
        else:
            await self.pass_on()
            await self._send(message)

    async def pass_on(self, *, more_body: bool = True) -> None:
        """Send what was held back, marked `no-store`, and everything else as it comes."""
        self.streaming = True
        if self.start is None:
            return
        await self._send(with_headers(self.start, NO_STORE))
        if self.chunks or not more_body:
            body = b"".join(self.chunks)
            self.chunks = []
            await self._send({"type": "http.response.body", "body": body, "more_body": more_body})

    async def release(self, headers: list[tuple[bytes, bytes]]) -> None:
        """Send the complete response held back, with `headers` added."""
        if self.start is None:
            raise RuntimeError("no response was captured")
        await self._send(with_headers(self.start, headers))
        await self._send({"type": "http.response.body", "body": b"".join(self.chunks)})


def operations(document: DocumentNode) -> dict[str, OperationType] | None:
    """Each operation's type by name ("" for the anonymous one); None if a name repeats."""
    operations: dict[str, OperationType] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            name = definition.name.value if definition.name else ""
            if name in operations:
                return None
            operations[name] = definition.operation
    return operations


def graphql_request(
    scope: Scope, body: bytes
) -> tuple[str, str | None, dict[str, Any] | None, dict[str, Any] | None] | None:
    """(query, operationName, variables, extensions) of one GraphQL request, else None.

    Read as Strawberry reads them: from the query string (GET) or a JSON body (POST).
    """
    try:
        if scope["method"] == "GET":
            params = dict(
                parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            )
            data: Any = {
                "query": params.get("query"),
                "operationName": params.get("operationName"),
                "variables": orjson.loads(params["variables"]) if "variables" in params else None,
                "extensions": orjson.loads(params["extensions"])
                if "extensions" in params
                else None,
            }
        else:
            if not any(
                b"application/json" in value
                for name, value in scope["headers"]
                if name == b"content-type"
            ):
                return None
            data = orjson.loads(body)
    except ValueError:  # orjson's errors (bad JSON, nesting past 1,024 levels) are ValueErrors
        return None
    if not isinstance(data, dict):
        return None  # a batch, or not GraphQL at all
    query, name = data.get("query"), data.get("operationName")
    variables, extensions = data.get("variables"), data.get("extensions")
    if (
        not isinstance(query, str)
        or not isinstance(name, str | None)
        or not isinstance(variables, dict | None)
        or not isinstance(extensions, dict | None)
    ):
        return None
    return query, name, variables, extensions


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


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the app the body already read, then the client's messages."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def is_json(start: Message) -> bool:
    return any(
        name == b"content-type" and value.startswith(_JSON_TYPES)
        for name, value in start["headers"]
    )


def with_headers(start: Message, extra: list[tuple[bytes, bytes]]) -> Message:
    kept = [(name, value) for name, value in start["headers"] if name not in OWN_HEADERS]
    return {**start, "headers": [*kept, *extra]}
