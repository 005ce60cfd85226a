"""Hostile requests against a production-mode gateway, each timed with /healthz probed meanwhile.

The catalogue (`bench.hostile_catalogue`) is shared by the test suite
(`tests/gateway/test_hostile.py`, which asserts each answer's status and code) and
`python -m bench.hostile`, which prints the figures:
how long each request took, how slow /healthz got while it ran, and how the server's
memory moved. A request is answered well when it gets a 4xx (or a 200 with coded errors)
quickly, and the server keeps answering everyone else meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.hostile_catalogue import (
    CATALOGUE,
    Claims,
    Hostile,
    document_flood_body,
    literal_flood_body,
)
from bench.processes import Service, free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one hostile request got, and how the server held up meanwhile."""

    name: str
    status: int
    body: Any
    seconds: float
    healthz_max_seconds: float  # the slowest /healthz answer while the request ran
    healthz_probes: int

    @property
    def code(self) -> str | None:
        errors = self.body.get("errors") if isinstance(self.body, dict) else None
        if not errors:
            return None
        return (errors[0].get("extensions") or {}).get("code")  # type: ignore[no-any-return]

    def problems(self, case: Hostile) -> list[str]:
        """How the answer differs from what the case expects (empty: as expected)."""
        found = []
        statuses = (case.status,) if isinstance(case.status, int) else case.status
        if self.status >= 500 or self.status not in statuses:
            found.append(f"status {self.status}, expected {statuses}")
        if case.code is not None and self.code != case.code:
            found.append(f"code {self.code!r}, expected {case.code!r}: {str(self.body)[:300]}")
        if case.check is not None and (problem := case.check(self.body)):
            found.append(problem)
        return found


class Target:
    """A running gateway: its URL, its process id and how to mint its tokens."""

    def __init__(self, url: str, pid: int, mint: Callable[[Claims], str]) -> None:
        self.url = url
        self.pid = pid
        self.mint = mint

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS line")

    async def attack(self, case: Hostile) -> Outcome:
        """Send `case` while /healthz is probed every 10 ms on a connection of its own.

        The request is encoded before the probing starts: encoding a large body here would
        hold up this process's probes and be counted against the server.
        """
        headers = dict(case.headers)
        if case.token is not None:
            headers["authorization"] = f"Bearer {self.mint(case.token)}"
        if case.raw_token is not None:
            headers["authorization"] = f"Bearer {case.raw_token}"
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as client:
            request = client.build_request(
                case.method,
                "/graphql",
                json=case.json,
                content=case.content,
                params=case.params,
                headers=headers,
            )
            async with self.probing() as probes:
                started = time.perf_counter()
                response = await client.send(request)
                seconds = time.perf_counter() - started
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        return Outcome(
            case.name,
            response.status_code,
            body,
            seconds,
            max(probes, default=0.0),
            len(probes),
        )

    @contextlib.asynccontextmanager
    async def probing(self) -> AsyncIterator[list[float]]:
        probes: list[float] = []
        done = asyncio.Event()

        async def probe(client: httpx.AsyncClient) -> None:
            while not done.is_set():
                started = time.perf_counter()
                response = await client.get("/healthz")
                probes.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"/healthz answered {response.status_code}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), 0.01)

        async with httpx.AsyncClient(base_url=self.url, timeout=60) as client:
            await client.get("/healthz")  # connect before the request starts
            task = asyncio.create_task(probe(client))
            try:
                yield probes
            finally:
                done.set()
                await task


def production_env(database_url: str, ledger_url: str, secret: str) -> dict[str, str]:
    """A production-mode gateway over an embedded back office, with HS256 tokens we can mint.

    `database_url` is the back office's, `ledger_url` the gateway's own database's.
    """
    return {
        "GATEWAY_SERVER__ENVIRONMENT": "production",
        "GATEWAY_AUTH__ALGORITHMS": "HS256",
        "GATEWAY_AUTH__DEV_SECRET": secret,
        "GATEWAY_CACHE__BACKEND": "memory",
        "GATEWAY_SERVER__LOG_LEVEL": "warning",
        "GATEWAY_BACKOFFICE__DATABASE_URL": database_url,
        "DATABASE_URL": ledger_url,
    }


@contextlib.contextmanager
def production_gateway(database_url: str, env: Mapping[str, str], log: Path) -> Iterator[Target]:
    """`commerce-gateway serve` in production mode on a free port, stopped on the way out.

    Its own database is a SQLite file beside `log`, migrated first as a release would be.
    """
    from gateway.auth import mint_token
    from gateway.config import Settings

    secret = secrets.token_hex(32)
    ledger_url = f"sqlite+aiosqlite:///{log.parent / 'gateway.sqlite3'}"
    settings_env = {**env, **production_env(database_url, ledger_url, secret)}
    settings = Settings.load(None, env=settings_env)
    subprocess.run(
        [sys.executable, "-m", "gateway.cli", "db", "upgrade"],
        env=settings_env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    port = free_port()
    service = Service(
        "gateway",
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
        env=settings_env,
        cwd=ROOT,
        log=log,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        service.wait_ready(f"{url}/healthz")

        def mint(claims: Claims) -> str:
            return mint_token(settings.auth, **claims)

        yield Target(url, service.pid, mint)
    finally:
        service.stop()


async def flood(target: Target, count: int, body: Callable[[int], bytes]) -> dict[str, float]:
    """`count` distinct documents one after another, /healthz probed meanwhile.

    Returns the slowest answer, the slowest /healthz, the highest status and the RSS before
    and after.
    """
    before = target.rss_bytes()
    slowest = 0.0
    statuses: set[int] = set()
    async with (
        target.probing() as probes,
        httpx.AsyncClient(base_url=target.url, timeout=60) as client,
    ):
        for i in range(count):
            content = body(i)
            started = time.perf_counter()
            response = await client.post(
                "/graphql", content=content, headers={"content-type": "application/json"}
            )
            slowest = max(slowest, time.perf_counter() - started)
            statuses.add(response.status_code)
    return {
        "rss_before_mb": before / 2**20,
        "rss_after_mb": target.rss_bytes() / 2**20,
        "slowest_seconds": slowest,
        "healthz_max_seconds": max(probes, default=0.0),
        "max_status": max(statuses),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.hostile",
        description="Send the hostile catalogue and two floods to a production-mode gateway "
        "over a freshly seeded small retailer; print each request's time and the slowest "
        "/healthz answer meanwhile.",
    )
    parser.add_argument("--flood", type=int, default=600, help="documents per flood (600)")
    args = parser.parse_args()
    asyncio.run(_run(args.flood))
    return 0


async def _run(flood_count: int) -> None:
    from backoffice.db import create_engine
    from backoffice.seed import seed
    from kernel.clock import SystemClock

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/backoffice.sqlite3"
        engine = create_engine(url)
        # The production gateway it starts runs on the system clock.
        await seed(engine, size="small", today=SystemClock().today())
        await engine.dispose()
        with production_gateway(url, {}, Path(folder) / "gateway.log") as target:
            print("| request | status | code | time (ms) | slowest /healthz (ms) |")
            print("| --- | --- | --- | --- | --- |")
            worst = (0.0, 0.0)
            failures = 0
            for case in CATALOGUE:
                outcome = await target.attack(case)
                problems = outcome.problems(case)
                failures += bool(problems)
                worst = (max(worst[0], outcome.seconds), max(worst[1], outcome.healthz_max_seconds))
                print(
                    f"| {case.name} | {outcome.status} | {outcome.code or '-'} | "
                    f"{outcome.seconds * 1000:.1f} | {outcome.healthz_max_seconds * 1000:.1f} |"
                    + (f" {'; '.join(problems)}" if problems else "")
                )
            print(
                f"\n{len(CATALOGUE)} requests, {failures} not as expected; slowest answer "
                f"{worst[0] * 1000:.0f} ms, slowest /healthz meanwhile {worst[1] * 1000:.0f} ms"
            )
            for name, body in (
                ("900 KB literals", literal_flood_body),
                ("28 KB documents", document_flood_body),
            ):
                figures = await flood(target, flood_count, body)
                print(
                    f"flood of {flood_count} distinct {name}: RSS {figures['rss_before_mb']:.0f} MB"
                    f" -> {figures['rss_after_mb']:.0f} MB, slowest answer "
                    f"{figures['slowest_seconds'] * 1000:.0f} ms, slowest /healthz "
                    f"{figures['healthz_max_seconds'] * 1000:.0f} ms, highest status "
                    f"{figures['max_status']:.0f}"
                )


if __name__ == "__main__":
    sys.exit(main())
