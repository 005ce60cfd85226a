"""The back office over real HTTP for tests: uvicorn on 127.0.0.1, on a free port, in a background thread.

One server per test session (started by the first test that asks for it, stopped when
pytest ends), over the seeded small retailer, with every system mounted. The price engine
and the inventory run on a pinned clock, so that embedded and HTTP answers can be
compared field by field. Two systems are protected, to exercise the connectors' auth:
loyalty with a static bearer token, CRM with tokens from the OAuth2 token endpoint.

Tests name a function-scoped fixture that calls `running(request, seeded_url)`; faults
are reset before and after each test.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from backoffice.access import AccessControl
from backoffice.db import create_engine
from backoffice.faults import FaultSwitches
from backoffice.http import RequestCounter, create_app
from connectors._http import ClientCredentialsAuth, build_client
from kernel.clock import Clock, FixedClock
from tests.api import NOW

#: "Now" for the price engine and the inventory, on both sides of a contract comparison:
#: the seed's present, standing still so that both sides report the same `as_of`.
CLOCK = FixedClock(NOW)

LOYALTY_TOKEN = "loyalty-test-token"
CRM_TOKEN = "crm-static-token"
CLIENT_ID, CLIENT_SECRET = "gateway", "gateway-secret"


class LiveBackoffice:
    """A running back office: where it listens, and its fault switches and request counts."""

    def __init__(self, database_url: str, *, clock: Clock = CLOCK) -> None:
        self.faults = FaultSwitches()
        self.clock = clock
        self.counter = RequestCounter()
        self._database_url = database_url
        # IPPROTO_TCP spelt out: asyncio sets TCP_NODELAY only on sockets whose proto says
        # TCP, and without it each keep-alive answer waits 40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        # One client for the control calls: a new one each time costs a TLS context.
        self._control = httpx.Client(base_url=self.url, timeout=5)
        self._thread = threading.Thread(target=self._run, name="backoffice-http", daemon=True)
        self._error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not (self._server and self._server.started):
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError("the back office did not start") from self._error
            if time.monotonic() > deadline:
                raise RuntimeError("the back office did not start within 15 s")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
        self._control.close()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start()
            self._error = exc

    async def _serve(self) -> None:
        engine = create_engine(self._database_url)
        app = create_app(
            engine,
            faults=self.faults,
            counter=self.counter,
            access=AccessControl(
                tokens={"loyalty": LOYALTY_TOKEN, "crm": CRM_TOKEN},
                clients={CLIENT_ID: CLIENT_SECRET},
            ),
            clock=self.clock,
        )
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        try:
            await self._server.serve(sockets=[self._socket])
        finally:
            await engine.dispose()

    # Control through the real endpoints, as a benchmark would.

    def set_faults(self, **changes: Any) -> dict[str, Any]:
        response = self._control.post("/_faults", json=changes)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def requests(self) -> dict[str, int]:
        """Requests to the systems since the last `reset_requests()`, by "METHOD /path"."""
        response = self._control.get("/_stats")
        response.raise_for_status()
        counts: dict[str, int] = response.json()["requests"]
        return {key: count for key, count in counts.items() if " /_" not in key}

    def reset_requests(self) -> None:
        self._control.delete("/_stats").raise_for_status()

    def reset(self) -> None:
        self.set_faults(reset=True, seed=0)
        self.reset_requests()

    def raw_client(self, **options: Any) -> httpx.AsyncClient:
        """A bare client of the server, for requests the tests build by hand."""
        # Plain HTTP on loopback: skip building a TLS context (~0.1 s per client).
        options.setdefault("timeout", 5)
        return httpx.AsyncClient(base_url=self.url, verify=False, **options)

    def client(self, system: str, *, timeout: float = 2.0, **options: Any) -> httpx.AsyncClient:
        """A client as the gateway would configure it for `system` (auth included)."""
        headers = options.pop("headers", None)
        auth = options.pop("auth", None)
        if system == "loyalty" and headers is None:
            headers = {"Authorization": "Bearer ${LOYALTY_TOKEN}"}
            options.setdefault("env", {"LOYALTY_TOKEN": LOYALTY_TOKEN})
        if system == "crm" and auth is None:
            auth = ClientCredentialsAuth("/oauth/token", CLIENT_ID, CLIENT_SECRET, scope="crm")
        return build_client(
            self.url,
            timeout=timeout,
            connect_timeout=timeout,
            headers=headers,
            auth=auth,
            **options,
        )

    @asynccontextmanager
    async def renaming(
        self, system: str, theirs: Mapping[str, str]
    ) -> AsyncIterator[httpx.AsyncClient]:
        """A client of "the retailer's own" `system`: the same data, top-level fields renamed.

        `theirs` maps a reference field name to the retailer's; the client forwards each
        request to the real server and renames the fields of what it answers, and those of
        the documents a search page embeds (a product's `variants`), named the same way.
        """

        def rename(document: Any) -> Any:
            renamed = {theirs.get(name, name): value for name, value in document.items()}
            if isinstance(renamed.get("variants"), list):
                renamed["variants"] = [rename(variant) for variant in renamed["variants"]]
            return renamed

        async with self.client(system) as upstream:

            async def forward(request: httpx.Request) -> httpx.Response:
                answer = await upstream.send(
                    upstream.build_request(
                        request.method,
                        request.url.raw_path.decode(),
                        content=request.content,
                        headers={"content-type": request.headers.get("content-type", "")},
                    )
                )
                body = answer.json()
                if answer.is_success and "items" in body:
                    body["items"] = [rename(item) for item in body["items"]]
                elif answer.is_success:
                    body = rename(body)
                return httpx.Response(answer.status_code, json=body)

            transport = httpx.MockTransport(forward)
            async with httpx.AsyncClient(base_url=self.url, transport=transport) as client:
                yield client


_running: LiveBackoffice | None = None


def running(request: pytest.FixtureRequest, database_url: str) -> LiveBackoffice:
    """The session's back office (started on first use), with faults and counts reset for this test."""
    global _running
    if _running is None:
        server = LiveBackoffice(database_url)
        server.start()
        request.config.add_cleanup(server.stop)
        _running = server

        def forget() -> None:
            global _running
            _running = None

        request.config.add_cleanup(forget)
    server = _running
    server.reset()
    request.addfinalizer(server.reset)
    return server
