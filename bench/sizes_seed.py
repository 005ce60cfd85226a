"""The size run's databases and seeds: one database per size, and each seed's wall time and
peak memory, measured on the seed process itself.

A seed runs `commerce-gateway seed --size <size>` (`python -m gateway.cli`) in its own
process group; its peak resident memory is the kernel's `ru_maxrss` of that process as
`wait4` reports it when it ends, which covers any child it waited for too. The seed
analyses the tables itself (`backoffice.seed.analyze`), so its time includes ANALYZE.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from bench.sizes_report import Seed

HOST = "127.0.0.1"
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/"
#: How often a running seed is asked whether it has ended: the wall time's resolution.
POLL_SECONDS = 0.05


@contextlib.contextmanager
def database(kind: str, size: str, work: Path) -> Iterator[str]:
    """A database of its own for one size: a SQLite file, or a fresh PostgreSQL database,
    removed (dropped) afterwards."""
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


def seed(size: str, url: str, *, work: Path, env: Mapping[str, str], timeout: float) -> Seed:
    """Seed `size` into the database at `url`: its wall time and peak RSS."""
    argv = [sys.executable, "-m", "gateway.cli", "seed", "--size", size]
    seed_env = {**env, "GATEWAY_BACKOFFICE__DATABASE_URL": url}
    return measured(argv, cwd=work, env=seed_env, timeout=timeout, log=work / f"seed-{size}.log")


def measured(
    argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float, log: Path
) -> Seed:
    """Run `argv` to completion in its own process group, its output into `log`: its wall
    time and the peak resident memory of it and the children it waited for.

    Fails with the log's tail when it fails or takes over `timeout` seconds.
    """
    with log.open("wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while True:
            # wait4 rather than Popen.wait: only it hands over the ended process's rusage.
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{' '.join(argv)} took over {timeout:.0f} s")
            time.sleep(POLL_SECONDS)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(process.pid, 0)
        process.returncode = -signal.SIGKILL  # reaped here: Popen must not wait again
        raise
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # anything it left behind in its group
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"{' '.join(argv)} failed ({process.returncode}):\n{tail}")
    # Linux reports ru_maxrss in KiB.
    return Seed(seconds=seconds, peak_mb=usage.ru_maxrss / 1024)
