"""The aiohttp transport under the connectors' httpx clients, against a real socket server.

Each test serves canned HTTP bytes from an asyncio server on 127.0.0.1 and checks what
httpx (and `translate_http_errors` above it) makes of them.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from connectors._http import build_client, translate_http_errors
from connectors.errors import SourceTimeout, SourceUnavailable

pytestmark = pytest.mark.anyio

Handler = Callable[[bytes], Awaitable[bytes | None]]


@asynccontextmanager
async def serving(
    handler: Handler, *, close: bool = False
) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A server answering each request (head and body as received) with `handler`'s bytes.

    `close`: hang up after each answer.
    """
    received: list[bytes] = []

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                request = head + (await reader.readexactly(length) if length else b"")
                received.append(request)
                answer = await handler(request)
                if answer is None:  # hang up
                    break
                writer.write(answer)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(connection, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", received
    finally:
        server.close()
        await server.wait_closed()


def answer(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = [f"HTTP/1.1 {status}", f"content-length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def test_a_request_goes_out_as_httpx_built_it_and_its_answer_comes_back():
    async def handler(_: bytes) -> bytes:
        return answer(b'{"items": []}', "content-type: application/json", "x-trace: a")

    async with (
        serving(handler) as (url, received),
        build_client(url, timeout=2, connect_timeout=1, headers={"x-tenant": "nl"}) as c,
    ):
        got = await c.get("/pim/v1/products", params=[("id", "a b"), ("id", "é")])
        posted = await c.post("/pim/v1/products", json={"ids": ["a"]})

    assert (got.status_code, got.json(), got.headers["x-trace"]) == (200, {"items": []}, "a")
    assert posted.status_code == 200
    first, second = received
    assert first.startswith(b"GET /pim/v1/products?id=a+b&id=%C3%A9 HTTP/1.1\r\n")
    assert b"\r\nx-tenant: nl\r\n" in first.lower()
    assert b"\r\nuser-agent: commerce-gateway\r\n" in first.lower()
    assert second.startswith(b"POST /pim/v1/products HTTP/1.1\r\n")
    assert second.endswith(b'{"ids":["a"]}') or second.endswith(b'{"ids": ["a"]}')


async def test_a_compressed_answer_is_decoded_and_connections_are_reused():
    body = gzip.compress(b'{"ok": true}')

    async def handler(_: bytes) -> bytes:
        return answer(body, "content-encoding: gzip", "content-type: application/json")

    async with (
        serving(handler) as (url, received),
        build_client(url, timeout=2, connect_timeout=1) as client,
    ):
        answers = [await client.get("/x") for _ in range(3)]

    assert [a.json() for a in answers] == [{"ok": True}] * 3
    assert len(received) == 3


async def test_an_answer_too_slow_is_a_timeout_of_the_source():
    async def handler(_: bytes) -> bytes:
        await asyncio.sleep(1)
        return answer(b"{}")

    async with (
        serving(handler) as (url, _),
        build_client(url, timeout=0.2, connect_timeout=1) as client,
    ):
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/slow")
        with pytest.raises(SourceTimeout), translate_http_errors("pim"):
            await client.get("/slow")


async def hang_up(_: bytes) -> None:
    return None


async def cut_short(_: bytes) -> bytes:
    return b'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"items"'


@pytest.mark.parametrize(
    ("handler", "raised"),
    [(hang_up, httpx.RemoteProtocolError), (cut_short, httpx.ReadError)],
    ids=["hung up before answering", "answer cut short"],
)
async def test_a_lost_connection_makes_the_source_unavailable_not_late(handler, raised):
    async with (
        serving(handler, close=True) as (url, _),
        build_client(url, timeout=5, connect_timeout=1) as client,
    ):
        with pytest.raises(raised):
            await client.get("/lost")
        with pytest.raises(SourceUnavailable) as caught, translate_http_errors("pim"):
            await client.get("/lost")

    assert not isinstance(caught.value, SourceTimeout)


async def test_a_source_that_is_not_there_cannot_be_connected_to():
    async with serving(hang_up) as (url, _):
        pass  # a port that was just served, and is closed now

    async with build_client(url, timeout=1, connect_timeout=1) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("/nobody")
        with pytest.raises(SourceUnavailable), translate_http_errors("pim"):
            await client.get("/nobody")
