"""`python -m bench`: our gateway and the peer, side by side, over the back office on HTTP.

One run seeds a back office (SQLite under a temporary folder), serves it over HTTP on
127.0.0.1 with injected latency, and measures the three queries of `bench.queries` on:

* ours      our gateway (uvicorn, one process), sources over HTTP, Redis entity cache
* ours+rc   the same with its whole-response cache
* peer      Hive Gateway + GraphQL Mesh over the back office's OpenAPI documents, batched
* peer+rc   the same with Hive's response cache

Redis: a database of its own (`--redis-url`, db 13 by default) in which only our gateway's
keys (`cg:*`) are deleted, between cold samples and at the end; never FLUSHALL.
Every process started is stopped with its process group, also when the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
from redis.asyncio import Redis

from backoffice.db import create_engine
from backoffice.rest import SYSTEMS
from backoffice.seed import seed
from bench import peer
from bench.client import Connection, Request
from bench.load import percentile
from bench.measure import Probe, Result, Settings, Upstream, load
from bench.processes import Service, free_port
from bench.queries import CHANNEL, QUERIES, BenchQuery, Subjects, pick_subjects
from bench.report import Run, render
from gateway.auth import mint_token
from gateway.config import DEV_WEBHOOK_SECRET
from gateway.config import Settings as GatewaySettings
from gateway.hooks import sign
from kernel.clock import SystemClock

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TARGETS = ("ours", "ours+rc", "peer", "peer+rc")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--size", default="demo", choices=("small", "demo", "large"))
    parser.add_argument("--latency-ms", type=float, default=20.0, help="per back-office call")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--cold-samples", type=int, default=20)
    parser.add_argument("--warm-samples", type=int, default=100)
    parser.add_argument("--load-seconds", type=float, default=6.0)
    parser.add_argument("--load-requests", type=int, default=5000)
    parser.add_argument("--queries", default=",".join(q.name for q in QUERIES))
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument(
        "--no-peer", action="store_true", help="skip the peer (needed without node and npm)"
    )
    parser.add_argument("--peer-dir", type=Path, default=Path("/tmp/bench-peer"))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--report", type=Path, help="also write the Markdown report here")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser


@dataclass(slots=True)
class Context:
    """What every measurement of the run shares."""

    args: argparse.Namespace
    settings: Settings
    work: Path
    subjects: Subjects
    backoffice: Service
    backoffice_port: int
    redis: Redis
    notes: list[str]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        report = asyncio.run(_run(args, work))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(report)
    if args.report:
        args.report.write_text(report)
    print(f"done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def _run(args: argparse.Namespace, work: Path) -> str:
    settings = Settings(
        cold_samples=args.cold_samples,
        warm_samples=args.warm_samples,
        concurrency=args.concurrency,
        load_requests=args.load_requests,
        load_seconds=args.load_seconds,
    )
    targets = [t for t in args.targets.split(",") if t]
    queries = [q for q in QUERIES if q.name in args.queries.split(",")]
    notes: list[str] = []
    if not args.no_peer and (shutil.which("npm") is None or shutil.which("node") is None):
        notes.append("the peer was skipped: node or npm is not on PATH")
        _say(notes[-1])
        args.no_peer = True
    if args.no_peer:
        targets = [t for t in targets if not t.startswith("peer")]
    machine = _machine()
    load_before = os.getloadavg()

    database_url = f"sqlite+aiosqlite:///{work / 'backoffice.sqlite3'}"
    _say(f"seeding the {args.size} retailer into {work}")
    engine = create_engine(database_url)
    try:
        await seed(engine, size=args.size, today=SystemClock().today())
        subjects = await pick_subjects(engine)
    finally:
        await engine.dispose()

    results: dict[tuple[str, str], Result] = {}
    with contextlib.ExitStack() as stack:
        backoffice_port = free_port()
        backoffice = Service(
            "back office",
            [
                sys.executable,
                "-m",
                "backoffice.serve",
                "--host",
                HOST,
                "--port",
                str(backoffice_port),
                "--latency-ms",
                f"{args.latency_ms:g}",
                "--database-url",
                database_url,
                "--log-level",
                "warning",
            ],
            env=_clean_env(),
            cwd=work,
            log=work / "backoffice.log",
        )
        stack.callback(backoffice.stop)
        backoffice.wait_ready(f"http://{HOST}:{backoffice_port}/pim/v1/health")
        redis = Redis.from_url(args.redis_url)
        ctx = Context(args, settings, work, subjects, backoffice, backoffice_port, redis, notes)
        try:
            await _clear_cache(redis)
            call_ms = await _backoffice_call_ms(backoffice_port)
            floors = await _floors(backoffice_port, queries, subjects)
            supergraph = None
            if any(t.startswith("peer") for t in targets):
                supergraph = await asyncio.to_thread(_prepare_peer, ctx)
            for target in targets:
                results.update(await _measure_target(ctx, target, queries, supergraph))
        finally:
            await _clear_cache(redis)
            await redis.aclose()
    _check_same_data(results, queries, targets, notes)
    load_after = os.getloadavg()
    machine["load average (1 min) before / after"] = f"{load_before[0]:.2f} / {load_after[0]:.2f}"
    run = Run(
        machine=machine,
        command=_command(),
        latency_ms=args.latency_ms,
        concurrency=args.concurrency,
        targets=targets,
        results=results,
        backoffice_call_ms=call_ms,
        floors=floors,
        notes=notes,
    )
    if args.json:
        args.json.write_bytes(
            orjson.dumps(
                {f"{t}/{q}": r for (t, q), r in results.items()},
                option=orjson.OPT_INDENT_2,
                default=lambda o: o.__dict__ if hasattr(o, "__dict__") else str(o),
            )
        )
    return render(run)


async def _measure_target(
    ctx: Context, target: str, queries: list[BenchQuery], supergraph: Path | None
) -> dict[tuple[str, str], Result]:
    port = free_port()
    response_cache = target.endswith("+rc")
    if target.startswith("peer"):
        assert supergraph is not None
        service = peer.start(
            ctx.args.peer_dir,
            supergraph,
            port=port,
            response_cache=response_cache,
            env=_peer_env(ctx),
            log=ctx.work / f"{target}.log",
        )
        clear: Callable[[], Awaitable[None]] | None = None
    else:
        service = _start_ours(ctx, port, response_cache=response_cache, log=target)
        redis = ctx.redis

        async def clear() -> None:
            await _clear_cache(redis)
            await _empty_local_front(port)

    _say(f"{target}: starting")
    upstream = Upstream(f"http://{HOST}:{ctx.backoffice_port}")
    results: dict[tuple[str, str], Result] = {}
    try:
        health = "/healthcheck" if target.startswith("peer") else "/healthz"
        await asyncio.to_thread(service.wait_ready, f"http://{HOST}:{port}{health}")
        for query in queries:
            _say(f"{target}: {query.name}")
            result = await _measure_query(ctx, target, query, port, service, upstream, clear)
            results[(target, query.name)] = result
    except Exception:
        _say(f"{target} failed; its log ends:\n{service.tail()}")
        raise
    finally:
        await upstream.aclose()
        service.stop()
        if clear is not None:
            await _clear_cache(ctx.redis)  # the process and its local front are gone
    return results


async def _measure_query(
    ctx: Context,
    target: str,
    query: BenchQuery,
    port: int,
    service: Service,
    upstream: Upstream,
    clear: Callable[[], Awaitable[None]] | None,
) -> Result:
    requests = [
        _request(ctx, target, query, port, ctx.subjects.for_customer(customer))
        for customer in (ctx.subjects.customer_ids if query.as_customer else ())
    ] or [_request(ctx, target, query, port, ctx.subjects)]
    probe = Probe(requests[0])
    result = Result(target=target, query=query.name)
    is_peer = target.startswith("peer")
    fingerprint = query.peer_fingerprint if is_peer else query.ours_fingerprint
    try:
        # Calls, cold: the first request of this query in a fresh process (and cache).
        if clear is not None:
            await clear()
        await upstream.reset()
        result.fingerprint = fingerprint(await probe.data())
        result.calls_cold = await upstream.calls()
        await upstream.reset()
        await probe.send()
        result.calls_warm = await upstream.calls()
        # A response cache of the peer cannot be emptied from outside: no cold samples there.
        if not (is_peer and target.endswith("+rc")):
            result.cold = await probe.timed(
                service.pid,
                samples=ctx.settings.cold_samples,
                seconds=ctx.settings.cold_seconds,
                before_each=clear,
            )
        await probe.send()
        result.warm = await probe.timed(
            service.pid, samples=ctx.settings.warm_samples, seconds=ctx.settings.warm_seconds
        )
    finally:
        await probe.aclose()
    result.load = await load(requests, ctx.settings, service.pid, ctx.backoffice.pid)
    if result.load.errors:
        result.notes.append(
            f"{target} {query.name}: {result.load.errors} failed requests under load, "
            f"e.g. {result.load.first_error}"
        )
        ctx.notes.append(result.notes[-1])
    return result


def _request(
    ctx: Context, target: str, query: BenchQuery, port: int, subjects: Subjects
) -> Request:
    if target.startswith("peer"):
        return Request.graphql(HOST, port, query.peer, query.peer_variables(subjects))
    headers = {"x-channel": CHANNEL}
    if query.as_customer:
        token = mint_token(
            GatewaySettings().auth, role="customer", customer_id=subjects.customer_id
        )
        headers["authorization"] = f"Bearer {token}"
    return Request.graphql(HOST, port, query.ours, query.ours_variables(subjects), headers)


def _start_ours(ctx: Context, port: int, *, response_cache: bool, log: str) -> Service:
    env = _clean_env()
    base_url = f"http://{HOST}:{ctx.backoffice_port}"
    for system in SYSTEMS:
        env[f"GATEWAY_SOURCES__{system.upper()}__KIND"] = "http"
        env[f"GATEWAY_SOURCES__{system.upper()}__BASE_URL"] = base_url
    env.update(
        {
            "GATEWAY_CACHE__BACKEND": "redis",
            "REDIS_URL": ctx.args.redis_url,
            "GATEWAY_CACHE__RESPONSES": "true" if response_cache else "false",
            # On, the response cache is off: every answer would describe its own calls.
            "GATEWAY_SERVER__DEBUG_SOURCE_CALLS": "false",
            # The access log line per request is not what is measured here.
            "GATEWAY_SERVER__LOG_LEVEL": "warning",
        }
    )
    return Service(
        log,
        [sys.executable, "-m", "gateway.cli", "serve", "--host", HOST, "--port", str(port)],
        env=env,
        cwd=ctx.work,
        log=ctx.work / f"{log}.log",
    )


def _clean_env() -> dict[str, str]:
    """This environment without settings of ours, and with the project importable."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("GATEWAY_") and name not in ("DATABASE_URL", "REDIS_URL")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _peer_env(ctx: Context) -> dict[str, str]:
    return {
        **_clean_env(),
        "BENCH_BACKOFFICE_URL": f"http://{HOST}:{ctx.backoffice_port}",
        "BENCH_OPENAPI_DIR": str(ctx.work / "openapi"),
        "BENCH_CHANNEL": CHANNEL,
        "BENCH_PRODUCT_STORES": orjson.dumps(list(ctx.subjects.product_stores)).decode(),
        "BENCH_LISTING_STORES": orjson.dumps(list(ctx.subjects.listing_stores)).decode(),
    }


def _prepare_peer(ctx: Context) -> Path:
    _say(f"peer: npm install into {ctx.args.peer_dir} (skipped when already there)")
    peer.install(ctx.args.peer_dir, _clean_env())
    peer.prepare_documents(ctx.work / "openapi")
    supergraph = ctx.work / "supergraph.graphql"
    _say("peer: composing the supergraph")
    peer.compose(ctx.args.peer_dir, supergraph, _peer_env(ctx))
    return supergraph


async def _clear_cache(redis: Redis) -> None:
    """Delete our gateway's keys (`cg:*`) in the bench's Redis database, nothing else."""
    batch: list[bytes] = []
    async for key in redis.scan_iter(match="cg:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            await redis.unlink(*batch)
            batch = []
    if batch:
        await redis.unlink(*batch)


async def _empty_local_front(port: int) -> None:
    """Empty the gateway's per-process front over Redis (cache.local_seconds), as a source
    system would: any signed invalidation event empties it. Not part of any measurement."""
    body = orjson.dumps({"source": "pim", "entity": "product", "keys": ["bench-cold-start"]})
    stamp = str(int(time.time()))
    headers = {
        "content-type": "application/json",
        "x-gateway-timestamp": stamp,
        "x-gateway-signature": sign(DEV_WEBHOOK_SECRET, stamp, body),
    }
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"http://{HOST}:{port}/hooks/invalidate", content=body, headers=headers
        )
    response.raise_for_status()


async def _backoffice_call_ms(port: int) -> float:
    probe_request = Request(
        HOST, port, f"GET /pim/v1/health HTTP/1.1\r\nhost: {HOST}\r\n\r\n".encode()
    )
    connection = Connection(HOST, port)
    times = []
    try:
        for _ in range(20):
            started = time.perf_counter()
            await connection.send(probe_request)
            times.append(time.perf_counter() - started)
    finally:
        await connection.close()
    times.sort()
    return percentile(times, 0.5) * 1000


async def _floors(port: int, queries: list[BenchQuery], subjects: Subjects) -> dict[str, float]:
    """Each query's upstream floor: p50 of fetching its data straight from the back office."""
    floors = {}
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=30) as client:
        for query in queries:
            await query.direct(client, subjects)
            times = []
            for _ in range(10):
                started = time.perf_counter()
                await query.direct(client, subjects)
                times.append(time.perf_counter() - started)
            times.sort()
            floors[query.name] = percentile(times, 0.5) * 1000
    return floors


def _check_same_data(
    results: Mapping[tuple[str, str], Result],
    queries: list[BenchQuery],
    targets: list[str],
    notes: list[str],
) -> None:
    for query in queries:
        prints = {
            t: results[(t, query.name)].fingerprint for t in targets if (t, query.name) in results
        }
        if len(prints) < 2:
            continue
        reference_target, reference = next(iter(prints.items()))
        for target, fingerprint in prints.items():
            if fingerprint != reference:
                notes.append(
                    f"{query.name}: {target}'s answer differs from {reference_target}'s: "
                    f"{_difference(reference, fingerprint)}"
                )
        if all(f == reference for f in prints.values()):
            notes.append(
                f"{query.name}: every gateway returned the same data ({', '.join(prints)})"
            )


def _difference(a: object, b: object) -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if a.get(key) != b.get(key):
                return f"{key}: {a.get(key)!r} vs {b.get(key)!r}"
    return f"{a!r:.200} vs {b!r:.200}"


def _machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    node = "not installed"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        node = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU model": cpu,
        "memory": memory,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Node": node,
    }


def _command() -> str:
    return " ".join([".venv/bin/python", "-m", "bench", *map(shlex.quote, sys.argv[1:])])


if __name__ == "__main__":
    sys.exit(main())
