"""Measuring one query on one running gateway: upstream calls, cold and warm latency, load, CPU.

CPU is read per process (our gateway or the peer, the source system, the back office behind
a replaying source) from /proc, by process group, and divided by the requests sent.
"""

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
from bench.processes import group_cpu_seconds

#: Process name -> process group id, e.g. {"gateway": 123, "source": 456}.
Processes = Mapping[str, int]


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
    """Sequential samples: percentiles, and each process's CPU per request over them."""

    samples: int
    p50_ms: float
    p95_ms: float
    cpu_ms: dict[str, float]
    #: The fewest upstream calls one sample made (checked cold samples only).
    min_calls: int | None = None


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
    cpu_ms: dict[str, float]  # per process, per gateway request
    upstream_calls: float = 0.0  # per gateway request
    misses: int = 0  # requests the replaying source had not seen (forwarded)
    distinct: int = 1  # distinct requests rotated over (1: one request, repeated)
    skipped: int = 0  # turns skipped because that request was still in flight
    overlaps: int = 0  # requests sent while the same one was in flight (rotating loads)


@dataclass(slots=True)
class Result:
    """Everything measured for one query on one gateway over one source system."""

    target: str
    query: str
    source: str = "backoffice"
    calls_cold: dict[str, int] = field(default_factory=dict)
    calls_warm: dict[str, int] = field(default_factory=dict)
    cold: Latency | None = None
    warm: Latency | None = None
    load: Load | None = None
    fingerprint: Any = None
    #: The gateway's resident memory after the load (its main process), MB.
    rss_mb: float | None = None
    notes: list[str] = field(default_factory=list)


class Upstream:
    """A source system's request counter (`/_stats`), read as calls per source."""

    def __init__(self, base_url: str) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=10.0)

    async def reset(self) -> None:
        (await self._client.delete("/_stats")).raise_for_status()

    async def stats(self) -> tuple[dict[str, int], int]:
        """Calls per source since the last reset, and the replaying source's misses (else 0)."""
        response = await self._client.get("/_stats")
        response.raise_for_status()
        body = response.json()
        calls: dict[str, int] = {}
        for request, count in body["requests"].items():
            path = request.split(" ", 1)[1]
            if path.startswith("/_"):
                continue
            source = path.strip("/").split("/", 1)[0]
            calls[source] = calls.get(source, 0) + int(count)
        return calls, int(body.get("misses", 0))

    async def calls(self) -> dict[str, int]:
        return (await self.stats())[0]

    async def aclose(self) -> None:
        await self._client.aclose()


class NoUpstreamCall(RuntimeError):
    """A cold sample that made no upstream call measured a cache, not a cold request."""


def _cpu(processes: Processes) -> dict[str, float]:
    return {name: group_cpu_seconds(pgid) for name, pgid in processes.items()}


class Probe:
    """Sends one prepared request to a gateway and checks that the answer has no errors."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self._connection = Connection(request.host, request.port)

    async def send(self, request: Request | None = None) -> Response:
        """Send `request` (by default the probe's own) on the probe's connection."""
        response = await self._connection.send(request or self.request)
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {response.body[:500]!r}")
        body = response.json()
        if not isinstance(body, dict) or body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {orjson.dumps(body)[:1000]!r}")
        return response

    async def data(self, request: Request | None = None) -> Any:
        body = (await self.send(request)).json()
        assert isinstance(body, dict)
        return body["data"]

    async def timed(
        self,
        processes: Processes,
        *,
        samples: int,
        seconds: float,
        before_each: Callable[[], Awaitable[None]] | None = None,
        upstream: Upstream | None = None,
    ) -> Latency:
        """Up to `samples` sequential requests within `seconds`; `before_each` is not timed.

        With `upstream`, every sample is a cold one: its calls are counted (not timed), and
        a sample that made none raises `NoUpstreamCall` instead of becoming a data point.
        """
        elapsed: list[float] = []
        cpu = dict.fromkeys(processes, 0.0)
        fewest: int | None = None
        deadline = time.monotonic() + seconds
        while len(elapsed) < samples and (len(elapsed) < 3 or time.monotonic() < deadline):
            if before_each is not None:
                await before_each()
            if upstream is not None:
                await upstream.reset()
            cpu_before = _cpu(processes)
            started = time.perf_counter()
            await self.send()
            elapsed.append(time.perf_counter() - started)
            for name, spent in _cpu(processes).items():
                cpu[name] += spent - cpu_before[name]
            if upstream is not None:
                made = sum((await upstream.calls()).values())
                if made == 0:
                    raise NoUpstreamCall(f"cold sample {len(elapsed)} made no upstream call")
                fewest = made if fewest is None else min(fewest, made)
        elapsed.sort()
        return Latency(
            samples=len(elapsed),
            p50_ms=percentile(elapsed, 0.50) * 1000,
            p95_ms=percentile(elapsed, 0.95) * 1000,
            cpu_ms={name: spent / len(elapsed) * 1000 for name, spent in cpu.items()},
            min_calls=fewest,
        )

    async def aclose(self) -> None:
        await self._connection.close()


async def load(
    requests: Sequence[Request], settings: Settings, processes: Processes, upstream: Upstream
) -> Load:
    """The closed loop, in a process of its own (`bench.load`), so it does not slow our loop."""
    names = list(processes)
    spec = LoadSpec(
        host=requests[0].host,
        port=requests[0].port,
        raws=tuple(request.raw for request in requests),
        concurrency=settings.concurrency,
        max_requests=settings.load_requests,
        max_seconds=settings.load_seconds,
        warmup_seconds=settings.warmup_seconds,
        cpu_pids=tuple(processes[name] for name in names),
    )
    timeout = settings.load_seconds + settings.warmup_seconds + 60
    await upstream.reset()
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bench.load", spec.to_json()],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load loop failed:\n{done.stderr[-3000:]}")
    calls, misses = await upstream.stats()
    result: Mapping[str, Any] = orjson.loads(done.stdout)
    done_requests = max(1, int(result["requests"]))
    return Load(
        requests=int(result["requests"]),
        seconds=float(result["seconds"]),
        throughput=float(result["throughput"]),
        p50_ms=float(result["p50_ms"]),
        p95_ms=float(result["p95_ms"]),
        errors=int(result["errors"]),
        first_error=result["first_error"],
        cpu_ms={
            name: spent / done_requests * 1000
            for name, spent in zip(names, result["cpu_seconds"], strict=True)
        },
        # Counted over the warm-up too: per request of the whole loop, an upper bound.
        upstream_calls=sum(calls.values()) / max(1, int(result["issued_total"])),
        misses=misses,
        distinct=int(result["distinct"]),
        skipped=int(result["skipped"]),
        overlaps=int(result["overlaps"]),
    )
