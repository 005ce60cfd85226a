"""A small keep-alive HTTP/1.1 client for the load loop: a few microseconds per request.

httpx spends about 1.7 ms of CPU on a 36 KB answer (shared/PERFORMANCE.md); at the rates a
cached gateway reaches, a load generator that costs that much measures itself on a 2-core
machine. This one writes a request prepared once and reads the answer by its
`content-length` or its chunks, nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class Request:
    """A POST prepared once, sent many times."""

    host: str
    port: int
    raw: bytes

    @classmethod
    def graphql(
        cls,
        host: str,
        port: int,
        query: str,
        variables: Mapping[str, object],
        headers: Mapping[str, str] | None = None,
        path: str = "/graphql",
    ) -> Request:
        body = orjson.dumps({"query": query, "variables": dict(variables)})
        lines = [
            f"POST {path} HTTP/1.1",
            f"host: {host}:{port}",
            "content-type: application/json",
            "accept: application/json",
            f"content-length: {len(body)}",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]
        return cls(host, port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


@dataclass(frozen=True, slots=True)
class Response:
    """Status, lower-cased headers and body of one answer."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


class Connection:
    """One keep-alive connection; reopened when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def send(self, request: Request) -> Response:
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        self._writer.write(request.raw)
        try:
            response = await _read_response(self._reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.close()
            raise
        if response.headers.get("connection", "").lower() == "close":
            await self.close()
        return response

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


async def _read_response(reader: asyncio.StreamReader) -> Response:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers are sent to us
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(chunks)
    else:
        body = await reader.read()
    return Response(status, headers, body)
