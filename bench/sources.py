"""The source systems a run measures over: the reference back office, and the fast source.

* `backoffice`  `python -m backoffice.serve` with injected latency: real work per call
  (5–20 ms of CPU for a gateway request's calls), on the same two cores as the gateway.
* `fast`        `bench.fastsource` in front of it: the same answers replayed after the same
  latency at ~0.06 ms of CPU per call, once a warm-up has shown it every request.

Both count calls at `/_stats`; a `SourceSystem` says where to send the gateways and which
processes' CPU is the source's.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.client import Connection, Request
from bench.load import percentile
from bench.processes import Service, free_port
from bench.queries import BenchQuery, Subjects, pages_of

HOST = "127.0.0.1"
SOURCES = ("fast", "backoffice")


@dataclass(frozen=True, slots=True)
class SourceSystem:
    """Where the gateways' sources are, and whose CPU is the source's."""

    name: str
    port: int
    #: "source": the process answering the gateways; "back office": the one behind it, if
    #: another (the fast source's misses reach it; it should stay near 0).
    processes: Mapping[str, int]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def start_backoffice(
    work: Path,
    database_url: str,
    latency_ms: float,
    env: Mapping[str, str],
    *,
    module: str = "backoffice.serve",
    label: str = "backoffice",
) -> tuple[Service, int]:
    """The reference back office over HTTP, every system on one port.

    `module` serves it: `backoffice.serve`, or a module taking the same options (the size
    run's `bench.sizes_backoffice`); `label` names its log, `<work>/<label>.log`.
    """
    port = free_port()
    service = Service(
        label,
        [
            sys.executable,
            "-m",
            module,
            *("--host", HOST, "--port", str(port), "--latency-ms", f"{latency_ms:g}"),
            *("--database-url", database_url, "--log-level", "warning"),
        ],
        env=env,
        cwd=work,
        log=work / f"{label}.log",
    )
    try:
        service.wait_ready(f"http://{HOST}:{port}/pim/v1/health")
    except BaseException:
        service.stop()  # one that hangs rather than exits would outlive the run
        raise
    return service, port


def start_fast(
    work: Path, backoffice_url: str, latency_ms: float, env: Mapping[str, str]
) -> tuple[Service, int]:
    """The replaying fast source in front of the back office at `backoffice_url`."""
    port = free_port()
    service = Service(
        "fast source",
        [
            sys.executable,
            "-m",
            "bench.fastsource",
            *("--host", HOST, "--port", str(port), "--upstream", backoffice_url),
            *("--latency-ms", f"{latency_ms:g}"),
        ],
        env=env,
        cwd=work,
        log=work / "fastsource.log",
    )
    service.wait_ready(f"http://{HOST}:{port}/pim/v1/health")
    return service, port


async def call_ms(port: int) -> float:
    """p50 of one plain call (`/pim/v1/health`) end to end, on a kept-alive connection."""
    probe = Request(HOST, port, f"GET /pim/v1/health HTTP/1.1\r\nhost: {HOST}\r\n\r\n".encode())
    connection = Connection(HOST, port)
    times = []
    try:
        for _ in range(20):
            started = time.perf_counter()
            await connection.send(probe)
            times.append(time.perf_counter() - started)
    finally:
        await connection.close()
    times.sort()
    return percentile(times, 0.5) * 1000


async def floors(port: int, queries: list[BenchQuery], subjects: Subjects) -> dict[str, float]:
    """Each query's upstream floor: p50 of fetching its data (its first page) straight from
    the source."""
    found = {}
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=30) as client:
        for query in queries:
            first = next(iter(pages_of(query, subjects).values()))
            await query.direct(client, first)
            times = []
            for _ in range(10):
                started = time.perf_counter()
                await query.direct(client, first)
                times.append(time.perf_counter() - started)
            times.sort()
            found[query.name] = percentile(times, 0.5) * 1000
    return found
