"""`python -m bench.checkout`: how long a checkout takes, embedded and over HTTP.

A customer's web cart of two lines (the cross-channel 3-for-2 paint and a cushion) is
checked out, one checkout at a time, shipped home and paid by card: the quote with the
customer's cross-channel history, live stock, routing, the reservation, the order, the
points and the audit — every write a real one. Twice: with the reference back office
embedded (SQLite), and served over HTTP by `backoffice serve` in a process of its own
with 20 ms added to every answer (`--latency-ms`), as a real OMS or inventory would
take. Prints p50 and p90 of the checkout alone (its cart was made before the clock
starts) and the calls per source of one checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from backoffice.db import create_engine
from backoffice.seed import DEMO_CUSTOMER_ID, seed
from backoffice.seed.story import PAINT_VARIANT_ID
from bench.processes import Service, free_port
from gateway.app import create_app
from gateway.auth import mint_token
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from kernel.clock import SystemClock
from ledger.db import create_engine as create_ledger_engine
from ledger.migrate import upgrade
from resolvers.ids import to_global_id

CUSHION_VARIANT_ID = "v000016"
SOURCES = ("pim", "pricing", "inventory", "crm", "orders", "loyalty")

CART = """mutation($lines: [CartLineInput!]) {
  cartCreate(lines: $lines) { cart { id } userErrors { code } } }"""
CHECKOUT = """mutation($input: CheckoutInput!) {
  checkout(input: $input) { order { number total { amount } } userErrors { code message } } }"""


async def _run(
    settings: Settings, runs: int, *, engine_url: str | None, mode: str
) -> dict[str, object]:
    engine = create_engine(engine_url) if engine_url else None
    runtime = await open_runtime(settings, engine=engine)
    app = create_app(settings, runtime=runtime)
    token = mint_token(settings.auth, role="customer", customer_id=DEMO_CUSTOMER_ID)
    headers = {"authorization": f"Bearer {token}"}
    lines = [
        {"variantId": to_global_id("ProductVariant", PAINT_VARIANT_ID), "quantity": 2},
        {"variantId": to_global_id("ProductVariant", CUSHION_VARIANT_ID), "quantity": 1},
    ]
    times: list[float] = []
    calls: dict[str, int] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def post(query: str, variables: dict[str, object]) -> dict[str, object]:
                reply = await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                body: dict[str, object] = reply.json()
                if body.get("errors"):
                    raise RuntimeError(body["errors"])
                return body

            for index in range(runs + 3):  # three warm-up rounds fill the caches
                made = await post(CART, {"lines": lines})
                cart = made["data"]["cartCreate"]["cart"]["id"]  # type: ignore[index]
                started = time.perf_counter()
                body = await post(
                    CHECKOUT,
                    {
                        "input": {
                            "cartId": cart,
                            "fulfillment": "SHIP_TO_HOME",
                            "paymentMethod": "CARD",
                            "idempotencyKey": f"bench-{mode}-{index}",
                        }
                    },
                )
                elapsed = time.perf_counter() - started
                placed = body["data"]["checkout"]  # type: ignore[index]
                if placed["userErrors"]:
                    raise RuntimeError(placed["userErrors"])
                if index >= 3:
                    times.append(elapsed * 1000)
                    sources = body["extensions"]["sourceCalls"]["sources"]  # type: ignore[index]
                    calls = {name: int(s["calls"]) for name, s in sources.items() if s["calls"]}
    if engine is not None:
        await engine.dispose()
    times.sort()
    return {
        "p50": statistics.median(times),
        "p90": times[int(len(times) * 0.9) - 1],
        "calls": calls,
    }


def _settings(folder: Path, backoffice_url: str, http_base: str | None) -> Settings:
    env = {
        "GATEWAY_BACKOFFICE__DATABASE_URL": backoffice_url,
        "GATEWAY_DATABASE__URL": f"sqlite+aiosqlite:///{folder / 'gateway.sqlite3'}",
        "GATEWAY_SERVER__DEBUG_SOURCE_CALLS": "true",
        "GATEWAY_CHECKOUT__RECOVERY_INTERVAL_SECONDS": "3600",
    }
    if http_base is not None:
        for source in SOURCES:
            env[f"GATEWAY_SOURCES__{source.upper()}__KIND"] = "http"
            env[f"GATEWAY_SOURCES__{source.upper()}__BASE_URL"] = http_base
    return Settings.load(None, env=env)


async def _prepare(folder: Path) -> str:
    url = f"sqlite+aiosqlite:///{folder / 'backoffice.sqlite3'}"
    engine = create_engine(url)
    await seed(engine, size="small", today=SystemClock().today())
    await engine.dispose()
    ledger = create_ledger_engine(f"sqlite+aiosqlite:///{folder / 'gateway.sqlite3'}")
    await upgrade(ledger)
    await ledger.dispose()
    return url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checkout", description=__doc__)
    parser.add_argument("--runs", type=int, default=40, help="checkouts per mode (default 40)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="per source call, HTTP")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-checkout-") as tmp:
        folder = Path(tmp)
        url = asyncio.run(_prepare(folder))
        embedded = asyncio.run(
            _run(_settings(folder, url, None), args.runs, engine_url=url, mode="embedded")
        )
        port = free_port()
        server = Service(
            "backoffice",
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "backoffice",
                "serve",
                "--port",
                str(port),
                "--database-url",
                url,
                "--latency-ms",
                str(args.latency_ms),
                "--log-level",
                "warning",
            ],
            env=dict(os.environ),
            cwd=Path.cwd(),
            log=folder / "backoffice.log",
        )
        try:
            server.wait_ready(f"http://127.0.0.1:{port}/pim/v1/health")
            remote = asyncio.run(
                _run(
                    _settings(folder, url, f"http://127.0.0.1:{port}"),
                    args.runs,
                    engine_url=None,
                    mode="http",
                )
            )
        finally:
            server.stop()
    print(f"checkout, {args.runs} runs each, one at a time (ms)")
    print(f"{'mode':<34} {'p50':>7} {'p90':>7}  calls per source")
    for name, result in (
        ("embedded (SQLite)", embedded),
        (f"HTTP, {args.latency_ms:g} ms per source call", remote),
    ):
        print(f"{name:<34} {result['p50']:>7.1f} {result['p90']:>7.1f}  {result['calls']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
