"""`python -m bench.sizes`: issue 11's size run, cold latency from a demo to a million variants.

For each database (SQLite, PostgreSQL): seed every size first, each into a database of its
own (`commerce-gateway seed`, its wall time and peak memory measured), then serve them all
at once: a back office per size (`bench.sizes_backoffice`, no injected latency) and over
each a gateway of ours per GC threshold, every cache off (no entity cache, no response
cache: every request reaches the sources). For each query of `bench.sizes_queries`, the
cold samples alternate across the gateways (`bench.sizes_sample`): every size and threshold
meets the same drift of the machine. Every sample's source calls are counted at its back
office, and a sample that made none is refused. On PostgreSQL one more request per query
and size is run with the back office explaining its SQL. The databases are dropped after.

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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from backoffice.seed.sizes import SIZES
from bench import gateways
from bench.client import Request
from bench.measure import Probe, Upstream
from bench.processes import group_cpu_seconds
from bench.session import rss_mb, run_and_report, say
from bench.sizes_plans import Plan
from bench.sizes_queries import LISTING, QUERIES, TOTAL, SizeQuery, cursor_at, deep_position
from bench.sizes_queries import variables as variables_of
from bench.sizes_report import SizeRun, collections, figures, render
from bench.sizes_sample import alternate
from bench.sizes_seed import database, seed
from bench.sizes_serve import GC_THRESHOLD, PYTHON_GC_THRESHOLD, Arm, Served, serve
from bench.subjects import CHANNEL
from gateway.config import Settings as GatewaySettings

HOST = "127.0.0.1"
DATABASES = ("sqlite", "postgresql")
#: The gateway's resident memory is read after every this many samples of a query.
RSS_EVERY = 500
SEED_TIMEOUT = 3600.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sizes",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Issue 11's run (demo against xl, both databases, GC before and after): "
        "python -m bench.sizes --gc-thresholds 700,2000 --gc-log --report /tmp/sizes.md",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--sizes", default="demo,xl", help="seed sizes, smallest first")
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="one after another, each with every size"
    )
    parser.add_argument(
        "--queries",
        default=",".join(q.name for q in QUERIES),
        help="listing of 48, common and rare search word, page 90 %% deep",
    )
    parser.add_argument(
        "--samples", type=int, default=300, help="cold samples per query and gateway"
    )
    parser.add_argument(
        "--warmup", type=int, default=5, help="unmeasured requests per query and gateway"
    )
    parser.add_argument(
        "--gc-thresholds",
        default=str(GatewaySettings().server.gc_threshold),
        help="a gateway per size for each of these generation-0 GC thresholds "
        f"({GC_THRESHOLD}), alternated like the sizes: {PYTHON_GC_THRESHOLD} runs on Python's "
        "GC defaults whole (no gc.freeze() either: issue 11's before), any other threshold "
        "with the freeze after start-up; the default here is the gateway's",
    )
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN on PostgreSQL")
    parser.add_argument(
        "--gateway-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for every gateway of ours, e.g. GATEWAY_SERVER__MAX_BODY_BYTES=2000000",
    )
    parser.add_argument(
        "--gc-log",
        action="store_true",
        help="count each gateway's garbage collections (full ones per request)",
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
    try:
        thresholds = [int(item) for item in args.gc_thresholds.split(",") if item]
    except ValueError:
        raise SystemExit(f"--gc-thresholds: not whole numbers: {args.gc_thresholds}") from None
    extra = dict(item.split("=", 1) for item in args.gateway_env)
    if GC_THRESHOLD in extra:
        raise SystemExit(f"--gateway-env: set {GC_THRESHOLD} with --gc-thresholds")
    queries = [q for q in QUERIES if q.name in args.queries.split(",")]
    load_before = os.getloadavg()[0]
    runs: list[SizeRun] = []
    loads: list[str] = []
    for kind in databases:
        found = await _run_database(args, work, kind, sizes, thresholds, queries, extra)
        runs += found
        loads.append(f"{kind} {os.getloadavg()[0]:.2f}")
    header = [
        f"`{_command()}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs, load average (1 min) {load_before:.2f} before, "
        f"after each database: {', '.join(loads)}; commit {_commit()}."
        + (f" Gateway settings: {', '.join(args.gateway_env)}." if args.gateway_env else ""),
        "",
        f"Cold, sequential, every cache off; {args.samples} samples per query and gateway "
        f"after {args.warmup} unmeasured. Per database, every size seeded first, then served "
        "at once (a back office per size, a gateway per size and GC threshold); each query's "
        "samples alternate across the gateways, a round of one sample each, each round "
        "starting one gateway further. Every sample's source calls counted at its back office "
        "(none refused). Times are the gateway's answer, end to end, in ms. GC threshold: "
        f"generation 0's ({GC_THRESHOLD}); at {PYTHON_GC_THRESHOLD} a gateway runs on Python's "
        "GC defaults (no gc.freeze()), at any other it freezes what start-up built.",
    ]
    return render(runs, {q.name: q.what for q in queries}, header)


async def _run_database(
    args: argparse.Namespace,
    work: Path,
    kind: str,
    sizes: Sequence[str],
    thresholds: Sequence[int],
    queries: Sequence[SizeQuery],
    extra: Mapping[str, str],
) -> list[SizeRun]:
    """Seed every size of database `kind`, serve them all, measure, stop and drop."""
    env = gateways.clean_env()
    runs = [SizeRun(kind, size) for size in sizes]
    with contextlib.ExitStack() as stack:
        urls: dict[str, str] = {}
        for run in runs:
            urls[run.size] = url = stack.enter_context(database(kind, run.size, work))
            say(f"{kind}/{run.size}: seeding")
            run.seed = await asyncio.to_thread(
                seed, run.size, url, work=work, env=env, timeout=SEED_TIMEOUT
            )
            say(
                f"{kind}/{run.size}: seeded in {run.seed.seconds:.1f} s, "
                f"peak RSS {run.seed.peak_mb:.0f} MB"
            )
        served = serve(
            stack, work, runs, urls, thresholds=thresholds, extra=extra, gc_log=args.gc_log
        )
        try:
            await _measure(args, runs, served, queries)
        except Exception:
            say(served.tails())
            raise
        for arm in served.arms:
            arm.run.rss_mb = rss_mb(arm.pid)
    return runs


async def _measure(
    args: argparse.Namespace, runs: Sequence[SizeRun], served: Served, queries: Sequence[SizeQuery]
) -> None:
    headers = {"x-channel": CHANNEL}
    arms = served.arms
    upstreams = {size: Upstream(url) for size, url in served.backoffices.items()}
    cursors: dict[str, str] = {}
    try:
        for run in runs:
            first = next(arm for arm in arms if arm.size == run.size)
            await _counts(run, first, cursors, queries)
        for query in queries:
            say(f"{runs[0].database}: {query.name}, {len(arms)} gateways alternated")
            probes = [
                Probe(
                    Request.graphql(
                        HOST,
                        arm.port,
                        LISTING,
                        variables_of(query, cursors[arm.size] if query.deep else None),
                        headers,
                    )
                )
                for arm in arms
            ]
            try:
                await _sample(args, query, arms, probes, upstreams)
                if runs[0].database == "postgresql" and not args.no_explain:
                    for run in runs:
                        index = next(i for i, arm in enumerate(arms) if arm.size == run.size)
                        source = served.backoffices[run.size]
                        run.plans[query.name] = await _explained(source, probes[index])
            finally:
                for probe in probes:
                    await probe.aclose()
    finally:
        for upstream in upstreams.values():
            await upstream.aclose()


async def _counts(
    run: SizeRun, arm: Arm, cursors: dict[str, str], queries: Sequence[SizeQuery]
) -> None:
    """The size's listed products and matches per search word, and its deep page's cursor."""
    base = f"http://{HOST}:{arm.port}"
    async with (
        httpx.AsyncClient(base_url=arm.source, timeout=60) as backoffice,
        httpx.AsyncClient(base_url=base, headers={"x-channel": CHANNEL}, timeout=60) as ours,
    ):
        run.total = await _total(ours, None)
        for query in queries:
            if query.search is not None:
                run.matches[query.search] = await _total(ours, query.search)
        cursors[run.size] = await cursor_at(backoffice, deep_position(run.total))


async def _sample(
    args: argparse.Namespace,
    query: SizeQuery,
    arms: Sequence[Arm],
    probes: Sequence[Probe],
    upstreams: Mapping[str, Upstream],
) -> None:
    """The query's samples on every gateway, alternated; figures and collections into each
    gateway's run."""
    for probe in probes:
        for _ in range(args.warmup):
            await probe.send()

    def watch(index: int) -> None:
        arms[index].run.rss_trail.setdefault(query.name, []).append(rss_mb(arms[index].pid))

    since = time.time()
    cpu = [group_cpu_seconds(arm.pid) for arm in arms]
    taken = await alternate(
        probes,
        [upstreams[arm.size] for arm in arms],
        args.samples,
        labels=[arm.label for arm in arms],
        every=RSS_EVERY,
        watch=watch,
    )
    until = time.time()
    for arm, got, before in zip(arms, taken, cpu, strict=True):
        spent = group_cpu_seconds(arm.pid) - before
        arm.run.figures[query.name] = figures(got.seconds, got.calls, spent)
        if arm.gc_log is not None:
            lines = (await asyncio.to_thread(arm.gc_log.read_text)).splitlines()
            arm.run.collections[query.name] = collections(lines, since, until)


async def _explained(source: str, probe: Probe) -> list[Plan]:
    async with httpx.AsyncClient(base_url=source, timeout=60) as backoffice:
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
