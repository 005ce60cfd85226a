"""OAuth2 client credentials for the REST adapters: a bearer token fetched once and reused."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx
import orjson


class ClientCredentialsAuth(httpx.Auth):
    """OAuth2 client credentials (RFC 6749 §4.4): one token, fetched when needed and reused.

    The token is cached until `leeway` seconds before it expires (at most half its
    lifetime), and fetched again at once when the source answers 401 to it. Concurrent
    requests wait for one fetch instead of each making their own. `token_url` may be
    relative to the request's URL. The client authenticates with HTTP Basic, the method
    every authorization server must support.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        *,
        leeway: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._token_url = token_url
        credentials = f"{client_id}:{client_secret}".encode()
        self._basic = "Basic " + base64.b64encode(credentials).decode("ascii")
        self._scope = scope
        self._leeway = leeway
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        raise RuntimeError("ClientCredentialsAuth works with httpx.AsyncClient only")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        async with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                await self._store((yield self._token_request(request)))
            token = self._token
        request.headers["authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        async with self._lock:
            # Another request may have fetched a new token while this one waited.
            if self._token == token:
                await self._store((yield self._token_request(request)))
            token = self._token
        request.headers["authorization"] = f"Bearer {token}"
        yield request

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        form = {"grant_type": "client_credentials"}
        if self._scope:
            form["scope"] = self._scope
        return httpx.Request(
            "POST",
            request.url.join(self._token_url),
            data=form,
            headers={"authorization": self._basic, "accept": "application/json"},
        )

    async def _store(self, response: httpx.Response) -> None:
        await response.aread()
        response.raise_for_status()
        body = orjson.loads(response.content)
        token, kind = body.get("access_token"), body.get("token_type", "")
        lifetime = body.get("expires_in", 300)
        if not isinstance(token, str) or not isinstance(kind, str) or kind.lower() != "bearer":
            raise ValueError("the token endpoint answered without a bearer access_token")
        if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
            raise ValueError(f"the token endpoint answered expires_in {lifetime!r}")
        self._token = token
        self._refresh_at = self._clock() + lifetime - min(self._leeway, lifetime / 2)
