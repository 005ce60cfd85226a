"""Measuring every query on one gateway over one source system: the heart of a run.

For each query: the calls of a cold request, the calls of a warm one, cold samples (each
emptied before, each checked to have gone upstream), warm samples, the closed loop under
load, and the gateway's resident memory after it. Over the fast source a warm-up first
shows the replaying source every request the measured queries make, every page of a
rotating one included. The answer kept for the same-data check is the first page's, or of
a rotating query every page's, by page.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bench import gateways
from bench.client import Connection, Request
from bench.gateways import Gateway
from bench.measure import NoUpstreamCall, Probe, Result, Settings, Upstream, load
from bench.queries import BenchQuery, Subjects, pages_of
from bench.sources import SourceSystem


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(slots=True)
class Context:
    """What every measurement of the run shares."""

    args: argparse.Namespace
    settings: Settings
    work: Path
    subjects: Subjects
    redis: Redis
    notes: list[str]


def requests_of(target: str, query: BenchQuery, port: int, subjects: Subjects) -> list[Request]:
    """The requests of `query` in the order the load sends them: one per page it rotates
    over (customers, category pages), else its one request."""
    return [
        gateways.request(target, query, port, page) for page in pages_of(query, subjects).values()
    ]


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def warm_up(gateway: Gateway, queries: list[BenchQuery], subjects: Subjects) -> None:
    """Every request of every query once, cold, so that the replaying source has seen the
    source calls each makes (for every customer the load rotates over)."""
    if gateway.clear is None:
        return  # a response cache would answer; the same peer without one has warmed it
    for query in queries:
        connection = Connection("127.0.0.1", gateway.port)
        try:
            for request in requests_of(gateway.target, query, gateway.port, subjects):
                await gateway.clear()
                response = await connection.send(request)
                if response.status != 200:
                    raise RuntimeError(f"warm-up: HTTP {response.status} {response.body[:300]!r}")
        finally:
            await connection.close()


async def measure_target(
    ctx: Context,
    source: SourceSystem,
    target: str,
    queries: list[BenchQuery],
    supergraph: Path | None,
    peer_env: dict[str, str] | None,
) -> dict[str, Result]:
    """Start `target` over `source`, measure each query, stop it."""
    gateway = gateways.start(
        target,
        work=ctx.work,
        source_url=source.url,
        redis=ctx.redis,
        redis_url=ctx.args.redis_url,
        supergraph=supergraph,
        peer_dir=ctx.args.peer_dir,
        env=peer_env,
    )
    say(f"{source.name}/{target}: starting")
    upstream = Upstream(source.url)
    results: dict[str, Result] = {}
    try:
        gateway.service.wait_ready(gateway.health_url)
        if source.name == "fast":
            await warm_up(gateway, queries, ctx.subjects)
        for query in queries:
            say(f"{source.name}/{target}: {query.name}")
            result = await _measure_query(ctx, source, gateway, query, upstream)
            results[query.name] = result
    except Exception:
        say(f"{target} failed; its log ends:\n{gateway.service.tail()}")
        raise
    finally:
        await upstream.aclose()
        gateway.service.stop()
        await gateways.clear_cache(ctx.redis)  # the process and its local front are gone
    return results


async def _measure_query(
    ctx: Context, source: SourceSystem, gateway: Gateway, query: BenchQuery, upstream: Upstream
) -> Result:
    target = gateway.target
    requests = requests_of(target, query, gateway.port, ctx.subjects)
    probe = Probe(requests[0])
    result = Result(target=target, query=query.name, source=source.name)
    processes = {"gateway": gateway.service.pid, **source.processes}
    is_peer = target.startswith("peer")
    fingerprint = query.peer_fingerprint if is_peer else query.ours_fingerprint
    try:
        # Calls, cold: the first request of this query in a fresh process (and cache).
        if gateway.clear is not None:
            await gateway.clear()
        await upstream.reset()
        result.fingerprint = fingerprint(await probe.data())
        result.calls_cold = await upstream.calls()
        if len(requests) > 1:  # the same-data check covers every page the load asks
            labels = list(pages_of(query, ctx.subjects))
            result.fingerprint = {labels[0]: result.fingerprint} | {
                label: fingerprint(await probe.data(request))
                for label, request in zip(labels[1:], requests[1:], strict=True)
            }
        if gateway.clear is not None and not result.calls_cold:
            result.notes.append(f"{source.name}/{target} {query.name}: a cold request made no call")
            ctx.notes.append(result.notes[-1])
        await upstream.reset()
        await probe.send()
        result.calls_warm = await upstream.calls()
        # A response cache of the peer cannot be emptied from outside: no cold samples there.
        if gateway.clear is not None:
            try:
                result.cold = await probe.timed(
                    processes,
                    samples=ctx.settings.cold_samples,
                    seconds=ctx.settings.cold_seconds,
                    before_each=gateway.clear,
                    upstream=upstream,
                )
            except NoUpstreamCall as exc:  # no cold figure rather than a cache's
                result.notes.append(f"{source.name}/{target} {query.name}: no cold figure: {exc}")
                ctx.notes.append(result.notes[-1])
        await probe.send()
        result.warm = await probe.timed(
            processes, samples=ctx.settings.warm_samples, seconds=ctx.settings.warm_seconds
        )
    finally:
        await probe.aclose()
    result.load = await load(requests, ctx.settings, processes, upstream)
    result.rss_mb = rss_mb(gateway.service.pid)
    problems = []
    if result.load.errors:
        problems.append(
            f"{result.load.errors} failed requests under load, e.g. {result.load.first_error}"
        )
    if result.load.misses:
        problems.append(f"{result.load.misses} source calls the fast source had not seen")
    if result.load.overlaps:
        problems.append(
            f"{result.load.overlaps} requests sent while the same page was in flight "
            f"({len(requests)} pages at concurrency {ctx.settings.concurrency})"
        )
    for problem in problems:
        result.notes.append(f"{source.name}/{target} {query.name}: {problem}")
        ctx.notes.append(result.notes[-1])
    return result


def run_and_report(
    prefix: str,
    run: Callable[[Path], Coroutine[Any, Any, str]],
    *,
    keep: bool,
    report: Path | None,
) -> int:
    """An entry point's whole run: `run` in a fresh work folder, its report printed.

    The report is also written to `report` when given; the folder is removed unless `keep`.
    """
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        text = asyncio.run(run(work))
    finally:
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(text)
    if report:
        report.write_text(text)
    print(f"done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0
