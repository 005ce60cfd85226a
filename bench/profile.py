"""`python -m bench.profile --label before`: flame graphs of our gateway on issue 10's listing.

Seeds the back office, serves it behind the fast source (`bench.fastsource`), starts our
gateway over it and records py-spy flame graphs (SVG) of the gateway's process while it
answers:

* `<label>-warm-listing.svg`     the listing under load (c10), entity cache warm (ours+ec)
* `<label>-nocache-listing.svg`  the listing under load with no cache at all (ours)
* `<label>-cold-listing.svg`     cold listings one after another (caches emptied before each)

into `bench/profiles/`. py-spy samples from outside (`--nonblocking`: the process is never
paused), 100 times a second; it needs ptrace rights (root, or CAP_SYS_PTRACE).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis.asyncio import Redis

from backoffice.db import create_engine
from backoffice.seed import seed
from bench import gateways, sources
from bench.client import Connection
from bench.load import LoadSpec
from bench.queries import BY_NAME, pick_subjects
from bench.session import requests_of, say, warm_up
from kernel.clock import SystemClock

OUT = Path(__file__).parent / "profiles"


def _py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("py-spy is not installed (it is in the dev extras: scripts/install)")
    return found


def _record(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    out.parent.mkdir(parents=True, exist_ok=True)
    # `.txt`: py-spy's collapsed stacks ("raw"), one line per stack, for counting by script.
    form = "raw" if out.suffix == ".txt" else "flamegraph"
    argv = [_py_spy(), "record", "--pid", str(pid), "--duration", f"{seconds:.0f}"]
    argv += ["--format", form, "--nonblocking", "--subprocesses", "-o", str(out)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _finish(recorder: subprocess.Popen[bytes], out: Path) -> None:
    _, stderr = recorder.communicate(timeout=120)
    if recorder.returncode != 0:
        raise RuntimeError(f"py-spy failed: {stderr.decode(errors='replace')[-2000:]}")
    say(f"wrote {out}")


async def _under_load(gateway: gateways.Gateway, raws: tuple[bytes, ...], seconds: float) -> str:
    spec = LoadSpec(
        host=sources.HOST,
        port=gateway.port,
        raws=raws,
        concurrency=10,
        max_requests=10**9,
        max_seconds=seconds,
        warmup_seconds=1.0,
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bench.load", spec.to_json()],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    return done.stdout.strip()


async def _profile(args: argparse.Namespace, work: Path) -> None:
    query = BY_NAME[args.query]
    database_url = f"sqlite+aiosqlite:///{work / 'backoffice.sqlite3'}"
    engine = create_engine(database_url)
    try:
        await seed(engine, size="demo", today=SystemClock().today())
        subjects = await pick_subjects(engine)
    finally:
        await engine.dispose()
    env = gateways.clean_env()
    redis = Redis.from_url(args.redis_url)
    with contextlib.ExitStack() as stack:
        backoffice, backoffice_port = sources.start_backoffice(work, database_url, 20.0, env)
        stack.callback(backoffice.stop)
        fast, fast_port = sources.start_fast(
            work, f"http://{sources.HOST}:{backoffice_port}", 20.0, env
        )
        stack.callback(fast.stop)
        for target, what in (("ours+ec", "warm"), ("ours", "nocache")):
            gateway = gateways.start(
                target,
                work=work,
                source_url=f"http://{sources.HOST}:{fast_port}",
                redis=redis,
                redis_url=args.redis_url,
                supergraph=None,
                peer_dir=work,
            )
            try:
                gateway.service.wait_ready(gateway.health_url)
                await warm_up(gateway, [query], subjects)
                raws = tuple(r.raw for r in requests_of(target, query, gateway.port, subjects))
                out = args.out / f"{args.label}-{what}-{query.name}.{args.format}"
                recorder = _record(gateway.service.pid, args.seconds, out)
                say(f"{target}: {await _under_load(gateway, raws, args.seconds + 1)}")
                _finish(recorder, out)
                if target == "ours+ec":
                    assert gateway.clear is not None
                    out = args.out / f"{args.label}-cold-{query.name}.{args.format}"
                    recorder = _record(gateway.service.pid, args.seconds, out)
                    connection = Connection(sources.HOST, gateway.port)
                    deadline = time.monotonic() + args.seconds
                    sent = 0
                    while time.monotonic() < deadline:
                        await gateway.clear()
                        await connection.send(requests_of(target, query, gateway.port, subjects)[0])
                        sent += 1
                    await connection.close()
                    say(f"{target}: {sent} cold requests")
                    _finish(recorder, out)
            finally:
                gateway.service.stop()
                await gateways.clear_cache(redis)
    await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--label", required=True, help="before, after, ... (file name prefix)")
    parser.add_argument("--query", default="listing-gtin", choices=sorted(BY_NAME))
    parser.add_argument("--seconds", type=float, default=15.0, help="per flame graph")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--format",
        choices=("svg", "txt"),
        default="svg",
        help="flame graphs, or py-spy's collapsed stacks (one line per stack) to count by script",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    try:
        asyncio.run(_profile(args, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
