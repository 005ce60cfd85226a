"""The bench's fast source system: the back office's answers, replayed at almost no CPU.

The reference back office spends 5–20 ms of CPU on a gateway request's source calls; on a
two-core machine that CPU is taken from whichever gateway is measured beside it. This
server stands in front of it and replays: the first time it sees a request (method, path
with query, body) it forwards it to the back office and keeps the answer; afterwards it
answers from memory after the injected latency, without touching the back office. A
warm-up fills it before anything is measured; a request it has not seen still works (it is
forwarded, and counted as a miss).

A gateway that merges the keys of concurrent requests into one batch read asks for
combinations no warm-up can foresee. A batch read (`GET ...?id=a&id=b`, answered
`{"items": [...]}` with each item naming its key) is therefore also kept per key: a new
combination of known keys is answered from them, in the order asked, without a miss.

Plain asyncio (uvloop when installed), HTTP/1.1 keep-alive, no framework: on this machine
a replayed call costs about 0.1 ms of CPU (see `bench/README.md` for the figure measured).
`GET /_stats` answers in the back office's shape (`{"requests": {"GET /pim/v1/...": n}}`)
plus `misses` and `cpu_seconds`; `DELETE /_stats` resets the counts.

    python -m bench.fastsource --port 8200 --upstream http://127.0.0.1:8100 --latency-ms 20
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}


@dataclass(frozen=True, slots=True)
class Answer:
    """One kept answer, as bytes ready to write but for the connection header."""

    status: int
    content_type: str
    body: bytes

    def encode(self, *, close: bool) -> bytes:
        reason = _REASONS.get(self.status, "Status")
        head = (
            f"HTTP/1.1 {self.status} {reason}\r\n"
            f"content-type: {self.content_type}\r\n"
            f"content-length: {len(self.body)}\r\n"
            f"connection: {'close' if close else 'keep-alive'}\r\n\r\n"
        )
        return head.encode("latin-1") + self.body


#: (path, the other parameters, the key parameter) -> key -> the items it answered.
_Batches = dict[tuple[str, tuple[tuple[str, str], ...], str], dict[str, list[Any]]]


class Batches:
    """Batch reads kept per key, to answer new combinations of known keys."""

    def __init__(self) -> None:
        self._kept: _Batches = {}

    def keep(self, target: str, body: bytes) -> None:
        path, params = _split(target)
        try:
            answer = orjson.loads(body)
        except orjson.JSONDecodeError:
            return
        if not isinstance(answer, dict) or set(answer) != {"items"}:
            return
        items = answer["items"]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return
        # The key parameter: the one with the most values whose field (of the same name:
        # id, variant_id, customer_id) every item names.
        for name in sorted({n for n, _ in params}, key=lambda n: -len(_values(params, n))):
            field = name
            asked = set(_values(params, name))
            if all(item.get(field) in asked for item in items):
                by_key = self._kept.setdefault((path, _rest(params, name), name), {})
                for key in asked:
                    by_key[key] = [item for item in items if item[field] == key]
                return

    def compose(self, target: str) -> bytes | None:
        """The answer to `target` from kept keys, or None if one of its keys is unknown."""
        path, params = _split(target)
        for name in {n for n, _ in params}:
            by_key = self._kept.get((path, _rest(params, name), name))
            keys = _values(params, name)
            if by_key is not None and all(key in by_key for key in keys):
                items = [item for key in dict.fromkeys(keys) for item in by_key[key]]
                return orjson.dumps({"items": items})
        return None


def _split(target: str) -> tuple[str, list[tuple[str, str]]]:
    path, _, query = target.partition("?")
    return path, parse_qsl(query, keep_blank_values=True)


def _values(params: list[tuple[str, str]], name: str) -> list[str]:
    return [value for n, value in params if n == name]


def _rest(params: list[tuple[str, str]], name: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(pair for pair in params if pair[0] != name))


class Replayer:
    """Kept answers by request, the misses forwarded once (concurrent twins wait for the first)."""

    def __init__(self, upstream: str, latency_s: float) -> None:
        self.latency_s = latency_s
        self.counts: Counter[str] = Counter()
        self.misses = 0
        self.composed = 0
        self._batches = Batches()
        self._kept: dict[tuple[str, str, bytes], Answer] = {}
        self._pending: dict[tuple[str, str, bytes], asyncio.Future[Answer]] = {}
        self._client = httpx.AsyncClient(base_url=upstream, timeout=30.0)

    async def answer(self, method: str, target: str, body: bytes) -> Answer:
        path = target.split("?", 1)[0]
        if path == "/_stats":
            return self._stats(method)
        self.counts[f"{method} {path}"] += 1
        key = (method, target, body)
        kept = self._kept.get(key)
        if kept is None and method == "GET":
            composed = self._batches.compose(target)
            if composed is not None:
                kept = self._kept[key] = Answer(200, "application/json", composed)
                self.composed += 1
        if kept is None:
            return await self._forward(key)
        await asyncio.sleep(self.latency_s)
        return kept

    async def aclose(self) -> None:
        await self._client.aclose()

    def _stats(self, method: str) -> Answer:
        if method == "DELETE":
            self.counts.clear()
            self.misses = self.composed = 0
        body = orjson.dumps(
            {
                "requests": dict(sorted(self.counts.items())),
                "misses": self.misses,
                "composed": self.composed,
                "kept": len(self._kept),
                "cpu_seconds": time.process_time(),
            }
        )
        return Answer(200, "application/json", body)

    async def _forward(self, key: tuple[str, str, bytes]) -> Answer:
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        self.misses += 1
        # One line per distinct request (the warm-up's, then any the warm-up did not show).
        print(f"miss {key[0]} {key[1]} {len(key[2])} bytes of body", flush=True)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        method, target, body = key
        try:
            # The back office adds its own latency: a miss is not faster than a replay.
            response = await self._client.request(
                method,
                target,
                content=body or None,
                headers={"content-type": "application/json"} if body else None,
            )
            answer = Answer(
                response.status_code,
                response.headers.get("content-type", "application/json"),
                response.content,
            )
            if response.status_code < 500:  # a fault is not the source's answer
                self._kept[key] = answer
            if response.status_code == 200 and method == "GET":
                self._batches.keep(target, answer.body)
            future.set_result(answer)
            return answer
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: twins see it, nobody else must
            raise
        finally:
            del self._pending[key]


async def _serve_connection(
    replayer: Replayer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            request_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            headers = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await _read_body(reader, headers)
            close = headers.get("connection", "").lower() == "close"
            try:
                answer = await replayer.answer(method, target, body)
            except Exception as exc:  # the back office is down: say so, keep serving
                answer = Answer(502, "text/plain", f"upstream failed: {exc!r}".encode())
            writer.write(answer.encode(close=close))
            if close:
                return
    finally:
        writer.close()


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() != "chunked":
        return b""
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def serve(host: str, port: int, upstream: str, latency_ms: float) -> None:
    """Serve until cancelled; then close every connection and the back office's client."""
    replayer = Replayer(upstream, latency_ms / 1000)
    open_writers: set[asyncio.StreamWriter] = set()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        open_writers.add(writer)
        try:
            await _serve_connection(replayer, reader, writer)
        finally:
            open_writers.discard(writer)

    server = await asyncio.start_server(connection, host, port, backlog=1024)
    try:
        async with server:
            await server.serve_forever()
    finally:
        for writer in list(open_writers):
            writer.close()
        await replayer.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fastsource", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="the back office's base URL")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    coroutine = serve(args.host, args.port, args.upstream, args.latency_ms)
    try:
        import uvloop
    except ImportError:  # uvicorn[standard] brings it; plain asyncio works too
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)


if __name__ == "__main__":
    main()
