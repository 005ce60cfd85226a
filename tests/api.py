"""Drive the ASGI app in-process: GraphQL requests with tokens and headers, lifespan included."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from gateway.auth import mint_token
from gateway.config import Settings
from kernel.clock import SystemClock, noon, starting_at

#: How many days the suite runs ahead of the real calendar: `.ci/run` runs it once as of
#: today and once with TEST_CLOCK_SHIFT_DAYS=120, so that no expectation holds on one
#: calendar only.
SHIFT_DAYS = int(os.environ.get("TEST_CLOCK_SHIFT_DAYS", "0"))

#: The day the suite runs as of, and the session's "small" retailer is seeded on: this
#: week's promotions, order numbers and loyalty points follow from it.
TODAY = SystemClock(timedelta(days=SHIFT_DAYS)).today()

#: The seed's present (noon UTC of TODAY), where every clock of the suite starts.
NOW = noon(TODAY)

#: The clock of every gateway and embedded back office the tests build: it reads NOW as the
#: session starts and runs on from there, so that cache entries expire as they would.
CLOCK = starting_at(NOW)


@dataclass
class Reply:
    """A GraphQL response: status, data, errors and extensions."""

    status: int
    body: dict[str, Any]
    headers: httpx.Headers

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]] | None:
        return self.body.get("errors")

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors or []]

    def calls_by_source(self) -> dict[str, int]:
        sources = self.body["extensions"]["sourceCalls"]["sources"]
        return {name: int(s["calls"]) for name, s in sources.items() if s["calls"]}


class Api:
    """A client for one app; `as_(role, ...)` mints a dev token for the role."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def token(self, role: str, **claims: Any) -> str:
        return mint_token(self.settings.auth, role=role, **claims)  # type: ignore[arg-type]

    async def query(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        role: str | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        **claims: Any,
    ) -> Reply:
        sent = dict(headers or {})
        if role is not None:
            token = self.token(role, **claims)
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": document, "variables": dict(variables or {})}, headers=sent
        )
        return Reply(response.status_code, response.json(), response.headers)


@asynccontextmanager
async def serve(app: Starlette, settings: Settings) -> AsyncIterator[Api]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Api(client, settings)
