"""Fake sources for the HTTP adapters' unit tests: a client over httpx's MockTransport."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from connectors._http import build_client


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response], **options: Any
) -> httpx.AsyncClient:
    return build_client(
        "http://source.test",
        timeout=1,
        connect_timeout=1,
        transport=httpx.MockTransport(handler),
        **options,
    )


def answer(
    status: int, body: Any = None, *, text: str | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text)
        return httpx.Response(status, json=body)

    return handler


def fail(exc: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)

    return handler
