"""`python -m bench.sizes`: issue 11's size run, cold latency from a demo to a million variants.

For each database (SQLite, PostgreSQL) and each size: seed the reference back office into a
database of its own (`commerce-gateway seed`), serve it over HTTP (`bench.sizes_backoffice`,
no injected latency), start our gateway over it with every cache off (no entity cache, no
response cache: every request reaches the sources), and send each query of
`bench.sizes_queries` one after another. Every sample's source calls are counted at the
back office, and a sample that made none is refused. On PostgreSQL one more request per
query is run with the back office explaining its SQL. The database is dropped afterwards.

Every process started is stopped with its process group, also when the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from backoffice.seed.sizes import SIZES
from bench import gateways
from bench.client import Request
from bench.measure import NoUpstreamCall, Probe, Upstream
from bench.processes import Service, free_port, group_cpu_seconds, run
from bench.session import rss_mb, run_and_report, say
from bench.sizes_queries import (
    LISTING,
    QUERIES,
    TOTAL,
    SizeQuery,
    cursor_at,
    deep_position,
    variables,
)
from bench.sizes_report import Figures, Plan, SizeRun, collections, figures, render
from bench.subjects import CHANNEL

HOST = "127.0.0.1"
DATABASES = ("sqlite", "postgresql")
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/"
#: The gateway's resident memory is read after every this many samples of a query.
RSS_EVERY = 500


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sizes",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--sizes", default="demo,xl", help="seed sizes, smallest first")
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--queries", default=",".join(q.name for q in QUERIES))
    parser.add_argument("--samples", type=int, default=100, help="cold samples per query")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per query")
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN on PostgreSQL")
    parser.add_argument(
        "--gateway-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for our gateway, e.g. GATEWAY_SERVER__GC_THRESHOLD=700",
    )
    parser.add_argument(
        "--gc-log", action="store_true", help="count the gateway's garbage collections"
    )
    parser.add_argument("--report", type=Path, help="also write the Markdown report here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_and_report(
        "bench-sizes-", functools.partial(_run, args), keep=args.keep, report=args.report
    )


async def _run(args: argparse.Namespace, work: Path) -> str:
    sizes = [size for size in args.sizes.split(",") if size]
    databases = [name for name in args.databases.split(",") if name]
    unknown = set(databases) - set(DATABASES)
    if unknown:
        raise SystemExit(f"--databases: {', '.join(sorted(unknown))} is not one of {DATABASES}")
    missing = [size for size in sizes if size not in SIZES]
    if missing:
        known = ", ".join(SIZES)
        raise SystemExit(f"--sizes: the seed has no size {', '.join(missing)} (it has {known})")
    queries = [q for q in QUERIES if q.name in args.queries.split(",")]
    extra = dict(item.split("=", 1) for item in args.gateway_env)
    load_before = os.getloadavg()[0]
    runs = []
    for database in databases:
        for size in sizes:
            say(f"{database}/{size}")
            runs.append(await _run_size(args, work, database, size, queries, extra))
    header = [
        f"`{_command()}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs, load average (1 min) {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after; commit {_commit()}."
        + (f" Gateway settings: {', '.join(args.gateway_env)}." if args.gateway_env else ""),
        "",
        f"Cold, sequential, every cache off; {args.samples} samples per query after "
        f"{args.warmup} unmeasured; every sample's source calls counted at the back office "
        "(none refused). Times are the gateway's answer, end to end, in ms.",
    ]
    return render(runs, {q.name: q.what for q in queries}, header)


@contextlib.contextmanager
def _database(kind: str, size: str, work: Path) -> Iterator[str]:
    """A database of its own for one size: a SQLite file, or a fresh PostgreSQL database."""
    if kind == "sqlite":
        path = work / f"{size}.sqlite3"
        try:
            yield f"sqlite+aiosqlite:///{path}"
        finally:
            for leftover in work.glob(f"{size}.sqlite3*"):
                leftover.unlink()
        return
    name = f"bench_sizes_{size}_{os.getpid()}"
    server = ["-h", HOST, "-U", "postgres"]
    subprocess.run(["dropdb", *server, "--if-exists", name], check=True, capture_output=True)
    subprocess.run(["createdb", *server, name], check=True, capture_output=True)
    try:
        yield POSTGRES + name
    finally:
        subprocess.run(
            ["dropdb", *server, "--if-exists", "--force", name], check=False, capture_output=True
        )


async def _run_size(
    args: argparse.Namespace,
    work: Path,
    database: str,
    size: str,
    queries: list[SizeQuery],
    extra: Mapping[str, str],
) -> SizeRun:
    env = gateways.clean_env()
    with _database(database, size, work) as url:
        say(f"{database}/{size}: seeding")
        started = time.monotonic()
        seed_env = {**env, "GATEWAY_BACKOFFICE__DATABASE_URL": url}
        seed = [sys.executable, "-m", "gateway.cli", "seed", "--size", size]
        await asyncio.to_thread(run, seed, cwd=work, env=seed_env, timeout=3600)
        if database == "postgresql":
            # Autovacuum would get there in its own time; plans are measured after it has.
            name = url.rsplit("/", 1)[1]
            analyse = ["psql", "-h", HOST, "-U", "postgres", "-d", name, "-c", "ANALYZE"]
            await asyncio.to_thread(run, analyse, cwd=work, env=env, timeout=3600)
        result = SizeRun(database, size, total=0, seed_seconds=time.monotonic() - started)
        with contextlib.ExitStack() as stack:
            backoffice, port = _start_backoffice(work, url, env)
            stack.callback(backoffice.stop)
            source = f"http://{HOST}:{port}"
            gateway_env = {**gateways.ours_env("ours", source, "redis://127.0.0.1:6379/13")}
            gateway_env.update(extra)
            gc_log = work / f"gc-{database}-{size}.log"
            if args.gc_log:
                watch = str(Path(__file__).with_name("gcwatch"))
                gateway_env["PYTHONPATH"] = os.pathsep.join((watch, gateway_env["PYTHONPATH"]))
                gateway_env["BENCH_GC_LOG"] = str(gc_log)
            gateway_port = free_port()
            argv = [sys.executable, "-m", "gateway.cli", "serve", "--host", HOST]
            gateway = Service(
                "ours",
                [*argv, "--port", str(gateway_port)],
                env=gateway_env,
                cwd=work,
                log=work / f"gateway-{database}-{size}.log",
            )
            stack.callback(gateway.stop)
            gateway.wait_ready(f"http://{HOST}:{gateway_port}/healthz")
            try:
                await _measure(args, result, (source, gateway_port, gateway.pid), queries, gc_log)
            except Exception:
                say(f"the gateway's log ends:\n{gateway.tail()}")
                say(f"the back office's log ends:\n{backoffice.tail()}")
                raise
            result.rss_mb = rss_mb(gateway.pid)
    return result


def _start_backoffice(work: Path, url: str, env: Mapping[str, str]) -> tuple[Service, int]:
    port = free_port()
    service = Service(
        "back office",
        [
            sys.executable,
            "-m",
            "bench.sizes_backoffice",
            *("--host", HOST, "--port", str(port), "--database-url", url),
            *("--log-level", "warning"),
        ],
        env=env,
        cwd=work,
        log=work / "backoffice.log",
    )
    service.wait_ready(f"http://{HOST}:{port}/pim/v1/health")
    return service, port


async def _measure(
    args: argparse.Namespace,
    result: SizeRun,
    where: tuple[str, int, int],
    queries: list[SizeQuery],
    gc_log: Path,
) -> None:
    source, port, pid = where
    result.load_average = os.getloadavg()[0]
    headers = {"x-channel": CHANNEL}
    async with (
        httpx.AsyncClient(base_url=source, timeout=60) as backoffice,
        httpx.AsyncClient(base_url=f"http://{HOST}:{port}", headers=headers, timeout=60) as ours,
    ):
        result.total = await _total(ours, None)
        for query in queries:
            if query.search is not None:
                result.matches[query.search] = await _total(ours, query.search)
        after = await cursor_at(backoffice, deep_position(result.total))
        upstream = Upstream(source)
        try:
            for query in queries:
                say(f"{result.database}/{result.size}: {query.name}")
                chosen = variables(query, after if query.deep else None)
                request = Request.graphql(HOST, port, LISTING, chosen, headers)
                probe = Probe(request)
                try:
                    for _ in range(args.warmup):
                        await probe.send()
                    since = time.time()
                    rss = result.rss_trail.setdefault(query.name, [])
                    result.figures[query.name] = await _samples(
                        probe, upstream, args.samples, pid, functools.partial(_watch, rss, pid)
                    )
                    if args.gc_log:
                        lines = (await asyncio.to_thread(gc_log.read_text)).splitlines()
                        result.collections[query.name] = collections(lines, since, time.time())
                    if result.database == "postgresql" and not args.no_explain:
                        result.plans[query.name] = await _explained(backoffice, probe)
                finally:
                    await probe.aclose()
        finally:
            await upstream.aclose()


def _watch(trail: list[float], pid: int) -> None:
    trail.append(rss_mb(pid))


async def _samples(
    probe: Probe, upstream: Upstream, samples: int, pid: int, watch: Callable[[], None]
) -> Figures:
    """`samples` sequential requests, each one's source calls counted (not timed), and the
    CPU of the gateway's process `pid` over them; `watch` is called every `RSS_EVERY`."""
    seconds: list[float] = []
    calls: list[int] = []
    cpu = group_cpu_seconds(pid)
    for _ in range(samples):
        await upstream.reset()
        started = time.perf_counter()
        await probe.send()
        seconds.append(time.perf_counter() - started)
        made = sum((await upstream.calls()).values())
        if made == 0:
            raise NoUpstreamCall(f"sample {len(seconds)} made no source call: a cache answered")
        calls.append(made)
        if len(seconds) % RSS_EVERY == 0:
            watch()
    return figures(seconds, calls, group_cpu_seconds(pid) - cpu)


async def _explained(backoffice: httpx.AsyncClient, probe: Probe) -> list[Plan]:
    (await backoffice.post("/_explain")).raise_for_status()
    await probe.send()
    response = await backoffice.get("/_explain")
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()
    return [Plan(statement=item["statement"], plan=item["plan"]) for item in found]


async def _total(ours: httpx.AsyncClient, search: str | None) -> int:
    response = await ours.post("/graphql", json={"query": TOTAL, "variables": {"search": search}})
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"totalCount: {body['errors']}")
    return int(body["data"]["products"]["totalCount"])


def _commit() -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=gateways.ROOT,
        ).stdout.strip()
    return "unknown"


def _command() -> str:
    return " ".join(["python -m bench.sizes", *map(shlex.quote, sys.argv[1:])])


if __name__ == "__main__":
    sys.exit(main())
