"""A shop to sell in: the whole gateway over its own copy of the small retailer.

Every test that writes gets a copy of the session's seeded back office and a fresh
gateway database, so that carts, orders, reservations and points never leak between
tests. `shop` runs each test twice: with the back office embedded, and served over real
HTTP (the connectors' OpenAPI contract) on 127.0.0.1.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backoffice.db import create_engine
from gateway.app import create_app
from gateway.bootstrap import Runtime, open_runtime
from gateway.config import Settings
from ledger.db import create_engine as create_ledger_engine
from ledger.migrate import upgrade
from tests.api import CLOCK, Api, serve
from tests.backoffice import live
from tests.clocks import ShiftedClock

SOURCES = ("pim", "pricing", "inventory", "crm", "orders", "loyalty")


class Shop(Api):
    """The gateway's client, with the back office's database and (over HTTP) its server.

    `clocks` are the gateway's and the served back office's; `advance` moves both.
    """

    mode: str
    backoffice_url: str
    server: live.LiveBackoffice | None
    runtime: Runtime
    clocks: tuple[ShiftedClock, ...]

    def advance(self, delta: timedelta) -> None:
        """Jump ahead in time, in the gateway and in the back office alike."""
        for clock in self.clocks:
            clock.advance(delta)

    async def ok(self, document: str, variables: dict[str, Any] | None = None, **auth: Any) -> Any:
        """The data of a request that must succeed without errors."""
        reply = await self.query(document, variables, **auth)
        assert reply.errors is None, reply.errors
        return reply.data


def _settings(backoffice_url: str, ledger_url: str, server: live.LiveBackoffice | None) -> Settings:
    env = {
        "GATEWAY_BACKOFFICE__DATABASE_URL": backoffice_url,
        "GATEWAY_DATABASE__URL": ledger_url,
        "GATEWAY_SERVER__DEBUG_SOURCE_CALLS": "true",
        # Recovery runs when a test says so (`runtime.recovery.run_once()`), on what is
        # unfinished at that moment.
        "GATEWAY_CHECKOUT__RECOVERY_INTERVAL_SECONDS": "3600",
        "GATEWAY_CHECKOUT__RECOVERY_GRACE_SECONDS": "0.001",
        # The outbox is drained when a test says so (`runtime.outbox_worker.drain()`).
        "GATEWAY_OUTBOX__IN_PROCESS": "false",
    }
    if server is not None:
        env.update(
            {
                "GATEWAY_SOURCES__CRM__HEADERS": '{ Authorization = "Bearer ${TEST_CRM_TOKEN}" }',
                "GATEWAY_SOURCES__LOYALTY__HEADERS": (
                    '{ Authorization = "Bearer ${TEST_LOYALTY_TOKEN}" }'
                ),
                "TEST_CRM_TOKEN": live.CRM_TOKEN,
                "TEST_LOYALTY_TOKEN": live.LOYALTY_TOKEN,
            }
        )
        for source in SOURCES:
            env[f"GATEWAY_SOURCES__{source.upper()}__KIND"] = "http"
            env[f"GATEWAY_SOURCES__{source.upper()}__BASE_URL"] = server.url
    return Settings.load(None, env=env)


@pytest.fixture(params=["embedded", "http"])
async def shop(
    request: pytest.FixtureRequest,
    seeded_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Shop]:
    copy = tmp_path / "backoffice.sqlite3"
    shutil.copyfile(seeded_url.removeprefix("sqlite+aiosqlite:///"), copy)
    backoffice_url = f"sqlite+aiosqlite:///{copy}"
    ledger_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}"
    ledger_engine = create_ledger_engine(ledger_url)
    await upgrade(ledger_engine)
    await ledger_engine.dispose()

    server = None
    clock = ShiftedClock(CLOCK)
    clocks = [clock]
    if request.param == "http":
        monkeypatch.setenv("TEST_CRM_TOKEN", live.CRM_TOKEN)
        monkeypatch.setenv("TEST_LOYALTY_TOKEN", live.LOYALTY_TOKEN)
        clocks.append(ShiftedClock(live.CLOCK))
        server = live.LiveBackoffice(backoffice_url, clock=clocks[-1])
        server.start()
    settings = _settings(backoffice_url, ledger_url, server)
    engine = create_engine(backoffice_url) if server is None else None
    try:
        runtime = await open_runtime(settings, engine=engine, clock=clock)
        async with serve(create_app(settings, runtime=runtime), settings) as api:
            shop = Shop(api.client, settings)
            shop.mode = request.param
            shop.backoffice_url = backoffice_url
            shop.server = server
            shop.runtime = runtime
            shop.clocks = tuple(clocks)
            yield shop
    finally:
        if engine is not None:
            await engine.dispose()
        if server is not None:
            server.stop()
