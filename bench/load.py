"""A bounded closed-loop load at fixed concurrency, run in a process of its own.

`python -m bench.load '<json spec>'` prints one JSON line: requests, seconds, throughput,
latency percentiles, errors, and the CPU seconds each watched process group (`cpu_pids`) spent
during the measured window, so that CPU per request is read where the requests are counted.
A warm-up runs first and is not counted. The loop stops at `max_requests` or `max_seconds`,
whichever comes first.
"""

from __future__ import annotations

import asyncio
import base64
import sys
import time
from dataclasses import dataclass
from typing import Any

import orjson

from bench.client import Connection, Request
from bench.processes import group_cpu_seconds


@dataclass(frozen=True, slots=True)
class LoadSpec:
    """What to send, how hard and for how long."""

    host: str
    port: int
    #: The requests, sent in turn by each worker.
    raws: tuple[bytes, ...]
    concurrency: int = 16
    max_requests: int = 5000
    max_seconds: float = 6.0
    warmup_seconds: float = 1.0
    cpu_pids: tuple[int, ...] = ()

    def to_json(self) -> str:
        return orjson.dumps(
            {
                "host": self.host,
                "port": self.port,
                "raws": [base64.b64encode(raw).decode("ascii") for raw in self.raws],
                "concurrency": self.concurrency,
                "max_requests": self.max_requests,
                "max_seconds": self.max_seconds,
                "warmup_seconds": self.warmup_seconds,
                "cpu_pids": list(self.cpu_pids),
            }
        ).decode()

    @classmethod
    def from_json(cls, text: str) -> LoadSpec:
        data = orjson.loads(text)
        data["raws"] = tuple(base64.b64decode(raw) for raw in data["raws"])
        data["cpu_pids"] = tuple(data["cpu_pids"])
        return cls(**data)


async def run(spec: LoadSpec) -> dict[str, Any]:
    requests = [Request(spec.host, spec.port, raw) for raw in spec.raws]
    connections = [Connection(spec.host, spec.port) for _ in range(spec.concurrency)]
    latencies: list[float] = []
    errors: list[str] = []
    issued = 0
    sent = 0  # warm-up included
    measuring = False
    deadline = time.monotonic() + spec.warmup_seconds

    async def worker(connection: Connection, turn: int) -> None:
        nonlocal issued, sent
        while time.monotonic() < deadline and (not measuring or issued < spec.max_requests):
            if measuring:
                issued += 1
            request = requests[turn % len(requests)]
            turn += 1
            sent += 1
            started = time.perf_counter()
            response = await connection.send(request)
            elapsed = time.perf_counter() - started
            if not measuring:
                continue
            latencies.append(elapsed)
            if response.status != 200 or b'"errors"' in response.body:
                errors.append(f"{response.status}: {response.body[:300]!r}")

    try:
        await asyncio.gather(*(worker(c, i) for i, c in enumerate(connections)))
        measuring = True
        cpu_before = [group_cpu_seconds(pid) for pid in spec.cpu_pids]
        started = time.perf_counter()
        deadline = time.monotonic() + spec.max_seconds
        await asyncio.gather(*(worker(c, i) for i, c in enumerate(connections)))
        seconds = time.perf_counter() - started
        cpu_after = [group_cpu_seconds(pid) for pid in spec.cpu_pids]
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "throughput": len(latencies) / seconds if seconds else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "issued_total": sent,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "cpu_seconds": [
            after - before for before, after in zip(cpu_before, cpu_after, strict=True)
        ],
    }


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    spec = LoadSpec.from_json(sys.argv[1])
    try:
        import uvloop
    except ImportError:  # uvicorn[standard] brings it; plain asyncio works too
        result = asyncio.run(run(spec))
    else:
        result = uvloop.run(run(spec))
    sys.stdout.write(orjson.dumps(result).decode() + "\n")


if __name__ == "__main__":
    main()
