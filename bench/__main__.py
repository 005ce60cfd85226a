"""`python -m bench`: our gateway and the peer, side by side, over two source systems.

One run seeds a back office (SQLite under a temporary folder), serves it over HTTP on
127.0.0.1 with injected latency, puts the fast source (`bench.fastsource`, replaying its
answers at almost no CPU) in front of it, and measures the queries of `bench.queries` on
each gateway of `bench.gateways` over each source system of `bench.sources`. `--runs N`
repeats the measurements (same processes and data) for the spread of every figure.

Every process started is stopped with its process group, also when the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import functools
import os
import platform
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
from redis.asyncio import Redis

from backoffice.db import create_engine
from backoffice.seed import seed
from bench import gateways, sources
from bench.compare import check_same_data
from bench.measure import Result, Settings
from bench.queries import QUERIES, load_text, pick_subjects, select_queries
from bench.report import Run, render
from bench.session import Context, measure_target, run_and_report, say
from bench.sources import SOURCES, SourceSystem
from kernel.clock import SystemClock


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--size", default="demo", choices=("small", "demo", "large"))
    parser.add_argument("--latency-ms", type=float, default=20.0, help="per source call")
    parser.add_argument(
        "--source",
        default="both",
        choices=(*SOURCES, "both"),
        help="the source systems: the fast replaying one, the reference back office, or both",
    )
    parser.add_argument("--runs", type=int, default=1, help="repeat for the spread (min–max)")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--cold-samples", type=int, default=20)
    parser.add_argument("--warm-samples", type=int, default=100)
    parser.add_argument("--load-seconds", type=float, default=6.0)
    parser.add_argument("--load-requests", type=int, default=5000)
    parser.add_argument(
        "--queries",
        default=",".join(q.name for q in QUERIES),
        help="comma-separated; listing-gtin repeats one listing under load, "
        "listing-gtin-rotating asks the same of a different category page each time",
    )
    parser.add_argument("--targets", default=",".join(gateways.TARGETS))
    parser.add_argument(
        "--no-peer", action="store_true", help="skip the peer (needed without node and npm)"
    )
    parser.add_argument("--peer-dir", type=Path, default=Path("/tmp/bench-peer"))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--report", type=Path, help="also write the Markdown report here")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        select_queries(args.queries)
    except ValueError as exc:
        parser.error(str(exc))
    return run_and_report(
        "bench-", functools.partial(_run, args), keep=args.keep, report=args.report
    )


async def _run(args: argparse.Namespace, work: Path) -> str:
    settings = Settings(
        cold_samples=args.cold_samples,
        warm_samples=args.warm_samples,
        concurrency=args.concurrency,
        load_requests=args.load_requests,
        load_seconds=args.load_seconds,
    )
    targets = [t for t in args.targets.split(",") if t]
    queries = select_queries(args.queries)
    names = SOURCES if args.source == "both" else (args.source,)
    notes: list[str] = []
    if not args.no_peer and (shutil.which("npm") is None or shutil.which("node") is None):
        notes.append("the peer was skipped: node or npm is not on PATH")
        say(notes[-1])
        args.no_peer = True
    if args.no_peer:
        targets = [t for t in targets if not t.startswith("peer")]
    machine = _machine()
    load_before = os.getloadavg()

    database_url = f"sqlite+aiosqlite:///{work / 'backoffice.sqlite3'}"
    say(f"seeding the {args.size} retailer into {work}")
    engine = create_engine(database_url)
    try:
        await seed(engine, size=args.size, today=SystemClock().today())
        subjects = await pick_subjects(engine)
    finally:
        await engine.dispose()

    results: dict[tuple[int, str, str, str], Result] = {}
    call_ms: dict[str, float] = {}
    floors: dict[str, dict[str, float]] = {}
    loads: list[float] = []
    env = gateways.clean_env()
    with contextlib.ExitStack() as stack:
        backoffice, backoffice_port = sources.start_backoffice(
            work, database_url, args.latency_ms, env
        )
        stack.callback(backoffice.stop)
        systems: list[SourceSystem] = []
        for name in names:
            if name == "backoffice":
                systems.append(SourceSystem(name, backoffice_port, {"source": backoffice.pid}))
                continue
            url = f"http://{sources.HOST}:{backoffice_port}"
            fast, fast_port = sources.start_fast(work, url, args.latency_ms, env)
            stack.callback(fast.stop)
            processes = {"source": fast.pid, "back office": backoffice.pid}
            systems.append(SourceSystem(name, fast_port, processes))
        redis = Redis.from_url(args.redis_url)
        ctx = Context(args, settings, work, subjects, redis, notes)
        try:
            await gateways.clear_cache(redis)
            peers: dict[str, tuple[Path, dict[str, str]]] = {}
            for system in systems:
                call_ms[system.name] = await sources.call_ms(system.port)
                floors[system.name] = await sources.floors(system.port, queries, subjects)
                if any(t.startswith("peer") for t in targets):
                    say(f"peer: install (once) and compose over {system.name}")
                    composed_env = gateways.peer_env(work, system.url, subjects)
                    composed = await asyncio.to_thread(
                        gateways.prepare_peer, args.peer_dir, work, system.name, composed_env
                    )
                    peers[system.name] = (composed, composed_env)
            for index in range(args.runs):
                for system in systems:
                    for target in targets:
                        supergraph: Path | None = None
                        penv: dict[str, str] | None = None
                        if target.startswith("peer"):
                            supergraph, penv = peers[system.name]
                        loads.append(os.getloadavg()[0])
                        measured = await measure_target(
                            ctx, system, target, queries, supergraph, penv
                        )
                        for query, result in measured.items():
                            results[(index, system.name, target, query)] = result
        finally:
            await gateways.clear_cache(redis)
            await redis.aclose()
    check_same_data(results, notes)
    load_after = os.getloadavg()
    machine["load average (1 min) before / during (min–max) / after"] = (
        f"{load_before[0]:.2f} / {min(loads, default=0):.2f}–{max(loads, default=0):.2f} / "
        f"{load_after[0]:.2f}"
    )
    run = Run(
        machine=machine,
        command=_command(),
        latency_ms=args.latency_ms,
        concurrency=args.concurrency,
        runs=args.runs,
        sources=[system.name for system in systems],
        targets=targets,
        queries=[query.name for query in queries],
        loads={query.name: load_text(query, subjects) for query in queries},
        results=results,
        call_ms=call_ms,
        floors=floors,
        notes=notes,
    )
    if args.json:
        args.json.write_bytes(
            orjson.dumps(
                {"/".join(map(str, key)): r for key, r in results.items()},
                option=orjson.OPT_INDENT_2,
                default=lambda o: o.__dict__ if hasattr(o, "__dict__") else str(o),
            )
        )
    return render(run)


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
    commit = "unknown"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=gateways.ROOT,
        ).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
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
