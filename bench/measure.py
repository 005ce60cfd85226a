"""Measuring one query on one running gateway: upstream calls, cold and warm latency, load, CPU."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from bench.client import Connection, Request, Response
from bench.load import LoadSpec, percentile
from bench.processes import cpu_seconds


@dataclass(frozen=True, slots=True)
class Settings:
    """How much of each measurement to take; bounded by count and by time."""

    cold_samples: int = 20
    cold_seconds: float = 6.0
    warm_samples: int = 100
    warm_seconds: float = 4.0
    concurrency: int = 16
    load_requests: int = 5000
    load_seconds: float = 6.0
    warmup_seconds: float = 1.0


@dataclass(slots=True)
class Latency:
    """Sequential samples: percentiles, and the gateway's CPU per request over them."""

    samples: int
    p50_ms: float
    p95_ms: float
    cpu_ms: float


@dataclass(slots=True)
class Load:
    """The closed loop at fixed concurrency."""

    requests: int
    seconds: float
    throughput: float
    p50_ms: float
    p95_ms: float
    errors: int
    first_error: str | None
    cpu_ms: float  # the gateway's, per request
    backoffice_cpu_ms: float  # the back office's, per gateway request


@dataclass(slots=True)
class Result:
    """Everything measured for one query on one gateway."""

    target: str
    query: str
    calls_cold: dict[str, int] = field(default_factory=dict)
    calls_warm: dict[str, int] = field(default_factory=dict)
    cold: Latency | None = None
    warm: Latency | None = None
    load: Load | None = None
    fingerprint: Any = None
    notes: list[str] = field(default_factory=list)


class Upstream:
    """The back office's request counter (`/_stats`), read as calls per source."""

    def __init__(self, base_url: str) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=10.0)

    async def reset(self) -> None:
        (await self._client.delete("/_stats")).raise_for_status()

    async def calls(self) -> dict[str, int]:
        response = await self._client.get("/_stats")
        response.raise_for_status()
        calls: dict[str, int] = {}
        for request, count in response.json()["requests"].items():
            path = request.split(" ", 1)[1]
            if path.startswith("/_"):
                continue
            source = path.strip("/").split("/", 1)[0]
            calls[source] = calls.get(source, 0) + int(count)
        return calls

    async def aclose(self) -> None:
        await self._client.aclose()


class Probe:
    """Sends one prepared request to a gateway and checks that the answer has no errors."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self._connection = Connection(request.host, request.port)

    async def send(self) -> Response:
        response = await self._connection.send(self.request)
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {response.body[:500]!r}")
        body = response.json()
        if not isinstance(body, dict) or body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {orjson.dumps(body)[:1000]!r}")
        return response

    async def data(self) -> Any:
        body = (await self.send()).json()
        assert isinstance(body, dict)
        return body["data"]

    async def timed(
        self,
        pid: int,
        *,
        samples: int,
        seconds: float,
        before_each: Callable[[], Awaitable[None]] | None = None,
    ) -> Latency:
        """Up to `samples` sequential requests within `seconds`; `before_each` is not timed."""
        elapsed: list[float] = []
        cpu = 0.0
        deadline = time.monotonic() + seconds
        while len(elapsed) < samples and (len(elapsed) < 3 or time.monotonic() < deadline):
            if before_each is not None:
                await before_each()
            cpu_before = cpu_seconds(pid)
            started = time.perf_counter()
            await self.send()
            elapsed.append(time.perf_counter() - started)
            cpu += cpu_seconds(pid) - cpu_before
        elapsed.sort()
        return Latency(
            samples=len(elapsed),
            p50_ms=percentile(elapsed, 0.50) * 1000,
            p95_ms=percentile(elapsed, 0.95) * 1000,
            cpu_ms=cpu / len(elapsed) * 1000,
        )

    async def aclose(self) -> None:
        await self._connection.close()


async def load(
    requests: Sequence[Request], settings: Settings, gateway_pid: int, backoffice_pid: int
) -> Load:
    """The closed loop, in a process of its own (`bench.load`), so it does not slow our loop."""
    spec = LoadSpec(
        host=requests[0].host,
        port=requests[0].port,
        raws=tuple(request.raw for request in requests),
        concurrency=settings.concurrency,
        max_requests=settings.load_requests,
        max_seconds=settings.load_seconds,
        warmup_seconds=settings.warmup_seconds,
        cpu_pids=(gateway_pid, backoffice_pid),
    )
    timeout = settings.load_seconds + settings.warmup_seconds + 60
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bench.load", spec.to_json()],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load loop failed:\n{done.stderr[-3000:]}")
    result: Mapping[str, Any] = orjson.loads(done.stdout)
    done_requests = max(1, int(result["requests"]))
    gateway_cpu, backoffice_cpu = result["cpu_seconds"]
    return Load(
        requests=int(result["requests"]),
        seconds=float(result["seconds"]),
        throughput=float(result["throughput"]),
        p50_ms=float(result["p50_ms"]),
        p95_ms=float(result["p95_ms"]),
        errors=int(result["errors"]),
        first_error=result["first_error"],
        cpu_ms=gateway_cpu / done_requests * 1000,
        backoffice_cpu_ms=backoffice_cpu / done_requests * 1000,
    )
