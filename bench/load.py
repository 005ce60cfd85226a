"""A bounded closed-loop load at fixed concurrency, run in a process of its own.

`python -m bench.load '<json spec>'` prints one JSON line: requests, seconds, throughput,
latency percentiles, errors, and the CPU seconds each watched process group (`cpu_pids`) spent
during the measured window, so that CPU per request is read where the requests are counted.
A warm-up runs first and is not counted. The loop stops at `max_requests` or `max_seconds`,
whichever comes first.

With several requests (`raws`), the workers take them in turn from one shared `Rotation`,
which skips a request still in flight: at concurrency c over at least c requests, no two
requests in flight are alike, and every gateway gets the same sequence.
"""

from __future__ import annotations

import asyncio
import base64
import sys
import time
from collections import Counter
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


class Rotation:
    """Which request to send next: the following one in turn that is not in flight.

    Requests are taken in order, 0, 1, 2, ... around; one still in flight when its turn
    comes is skipped (`skipped`), so concurrent requests stay distinct. Only when every
    request is in flight is one sent twice at once (`overlaps`; a single repeated request
    is not counted).
    """

    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError("nothing to rotate over")
        self.count = count
        self.skipped = 0
        self.overlaps = 0
        self._next = 0
        self._in_flight: Counter[int] = Counter()

    def take(self) -> int:
        """The next request's index, now in flight until `done`."""
        index = self._next
        for step in range(self.count):
            candidate = (self._next + step) % self.count
            if not self._in_flight[candidate]:
                index, self.skipped = candidate, self.skipped + step
                break
        else:
            self.overlaps += self.count > 1
        self._next = (index + 1) % self.count
        self._in_flight[index] += 1
        return index

    def done(self, index: int) -> None:
        self._in_flight[index] -= 1


async def run(spec: LoadSpec) -> dict[str, Any]:
    requests = [Request(spec.host, spec.port, raw) for raw in spec.raws]
    rotation = Rotation(len(requests))
    connections = [Connection(spec.host, spec.port) for _ in range(spec.concurrency)]
    latencies: list[float] = []
    errors: list[str] = []
    issued = 0
    sent = 0  # warm-up included
    measuring = False
    deadline = time.monotonic() + spec.warmup_seconds

    async def worker(connection: Connection) -> None:
        nonlocal issued, sent
        while time.monotonic() < deadline and (not measuring or issued < spec.max_requests):
            if measuring:
                issued += 1
            index = rotation.take()
            sent += 1
            started = time.perf_counter()
            try:
                response = await connection.send(requests[index])
            finally:
                rotation.done(index)
            elapsed = time.perf_counter() - started
            if not measuring:
                continue
            latencies.append(elapsed)
            if response.status != 200 or b'"errors"' in response.body:
                errors.append(f"{response.status}: {response.body[:300]!r}")

    try:
        await asyncio.gather(*(worker(c) for c in connections))
        measuring = True
        skipped, overlaps = rotation.skipped, rotation.overlaps
        cpu_before = [group_cpu_seconds(pid) for pid in spec.cpu_pids]
        started = time.perf_counter()
        deadline = time.monotonic() + spec.max_seconds
        await asyncio.gather(*(worker(c) for c in connections))
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
        "distinct": len(requests),
        # Measured window only: turns skipped (a request still in flight), and requests sent
        # while the same one was in flight (only when every request was).
        "skipped": rotation.skipped - skipped,
        "overlaps": rotation.overlaps - overlaps,
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
