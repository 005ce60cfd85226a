"""The HTTP transport under every source's `httpx.AsyncClient`: aiohttp's connection pool.

httpx stays the connectors' client (base URL, headers, auth, timeouts, errors), and
hands each request to a transport. With its own (httpcore over anyio and h11) a 48-key
batch read cost about 3.8 ms of CPU on a slow machine, against 2.6 ms through aiohttp's,
whose HTTP parser is C; under the rotating listing load the HTTP client was a third of
the gateway's profile, httpcore, anyio and h11 more than half of that. `AiohttpTransport`
is that other transport. It keeps httpx's meaning of each timeout and exception, so
nothing above it changes:

* `timeout` of the request (httpx's `connect`, `read`, `pool`): `connect` bounds the TCP
  and TLS connect, `read` each wait for the answer's bytes, `pool` the wait for a pooled
  connection (aiohttp's `connect` covers that wait plus the connect).
* aiohttp's failures become httpx's: a connect timeout `ConnectTimeout`, a read timeout
  `ReadTimeout`, a refused or failed connect `ConnectError`, a connection lost or a
  malformed answer `ReadError` or `RemoteProtocolError`, an invalid URL `UnsupportedProtocol`.

The answer is read whole before it is handed up (`content`, not a stream): every
connector reads JSON documents whole. The pool's session is made on first use, inside
the running event loop, and closed by `aclose` (the client's).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
import httpx
import yarl

__all__ = ["AiohttpTransport"]


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends each request over an aiohttp connection pool."""

    def __init__(self, *, verify: ssl.SSLContext, limits: httpx.Limits) -> None:
        self._ssl = verify
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None

    @property
    def max_connections(self) -> int | None:
        """The most connections open at once (None: no limit)."""
        return self._limits.max_connections

    def _pool(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                ssl=self._ssl,
                limit=self._limits.max_connections or 0,
                keepalive_timeout=self._limits.keepalive_expiry,
            )
            # httpx already set every header it means to send: aiohttp adds none of its own.
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        with _as_httpx_errors(request):
            async with self._pool().request(
                request.method,
                # Already encoded by httpx: yarl must not quote it again.
                yarl.URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=request.content or None,
                allow_redirects=False,  # httpx follows redirects itself, if asked to
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            ) as answer:
                body = await answer.read()
                return httpx.Response(
                    answer.status,
                    headers=answer.raw_headers,
                    # A stream, not `content=`: httpx then undoes any content-encoding.
                    stream=httpx.ByteStream(body),
                    request=request,
                    extensions={
                        "http_version": b"HTTP/1.1",
                        "reason_phrase": (answer.reason or "").encode("latin-1"),
                    },
                )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    """Raise httpx's exception for what went wrong in aiohttp (the most specific first)."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
    except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
        raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except (aiohttp.InvalidUrlClientError, aiohttp.NonHttpUrlClientError) as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
    except aiohttp.ServerDisconnectedError as exc:
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    except aiohttp.ClientResponseError as exc:  # a malformed status line or headers
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    except (aiohttp.ClientOSError, aiohttp.ClientPayloadError) as exc:
        raise httpx.ReadError(str(exc), request=request) from exc
