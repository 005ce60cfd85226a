"""The size run's processes for one database: a back office per size, and over each one a
gateway of ours per GC threshold, every cache off, all running at once.

A gateway with `--gc-log` has `bench/gcwatch` on its PYTHONPATH and logs its collections
into a file of its own. Every process is stopped with its process group by the caller's
`ExitStack`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import gateways, sources
from bench.processes import Service, free_port
from bench.session import say
from bench.sizes_report import GatewayRun, SizeRun

HOST = "127.0.0.1"
#: Our gateway's setting for generation 0's collection threshold.
GC_THRESHOLD = "GATEWAY_SERVER__GC_THRESHOLD"
#: Whether it freezes what start-up built; off for Python's threshold, on for any other.
GC_FREEZE = "GATEWAY_SERVER__GC_FREEZE"
#: Python's own generation-0 threshold: with it, a gateway runs on Python's GC defaults
#: (no freeze either), issue 11's "before".
PYTHON_GC_THRESHOLD = 700
GCWATCH = Path(__file__).with_name("gcwatch")


@dataclass(slots=True)
class Arm:
    """One gateway of the run: its size, GC threshold, port and process, its back office."""

    size: str
    port: int
    pid: int
    #: The back office it calls, which counts its calls (`/_stats`).
    source: str
    #: Its collections' log (`--gc-log`), else None.
    gc_log: Path | None
    #: Where its figures go.
    run: GatewayRun

    @property
    def label(self) -> str:
        return f"{self.size}, GC threshold {self.run.gc_threshold}"


@dataclass(slots=True)
class Served:
    """One database's processes: the gateways (in order: by size, then by threshold), the
    back office of each size, and every service, for their logs' tails."""

    arms: list[Arm]
    backoffices: dict[str, str]
    services: list[Service]

    def tails(self) -> str:
        """The end of every process's log, for a run that failed."""
        return "\n".join(
            f"{service.name}'s log ends:\n{service.tail()}" for service in self.services
        )


def serve(
    stack: contextlib.ExitStack,
    work: Path,
    runs: Sequence[SizeRun],
    urls: Mapping[str, str],
    *,
    thresholds: Sequence[int],
    extra: Mapping[str, str],
    gc_log: bool,
) -> Served:
    """Start a back office per run (its size's database at `urls[size]`), and over it a
    gateway per threshold, each appended to its run's `gateways`; `stack` stops them."""
    env = gateways.clean_env()
    served = Served(arms=[], backoffices={}, services=[])
    for run in runs:
        tag = f"{run.database}-{run.size}"
        backoffice, port = sources.start_backoffice(
            work,
            urls[run.size],
            0.0,
            env,
            module="bench.sizes_backoffice",
            label=f"backoffice-{tag}",
        )
        stack.callback(backoffice.stop)
        served.services.append(backoffice)
        source = f"http://{HOST}:{port}"
        served.backoffices[run.size] = source
        for threshold in thresholds:
            say(f"{run.database}/{run.size}: our gateway, GC threshold {threshold}")
            log = work / f"gc-{tag}-{threshold}.log" if gc_log else None
            gateway, gateway_port = _start_gateway(
                work, f"gateway-{tag}-{threshold}", source, threshold, extra, log
            )
            stack.callback(gateway.stop)
            served.services.append(gateway)
            gateway.wait_ready(f"http://{HOST}:{gateway_port}/healthz")
            arm = Arm(run.size, gateway_port, gateway.pid, source, log, GatewayRun(threshold))
            run.gateways.append(arm.run)
            served.arms.append(arm)
    return served


def _start_gateway(
    work: Path,
    label: str,
    source: str,
    threshold: int,
    extra: Mapping[str, str],
    gc_log: Path | None,
) -> tuple[Service, int]:
    env = gateways.ours_env("ours", source, "redis://127.0.0.1:6379/13")
    env.update(extra)
    env[GC_THRESHOLD] = str(threshold)
    if threshold == PYTHON_GC_THRESHOLD:
        env[GC_FREEZE] = "false"  # Python's defaults whole: the "before" of issue 11
    if gc_log is not None:
        env["PYTHONPATH"] = os.pathsep.join((str(GCWATCH), env["PYTHONPATH"]))
        env["BENCH_GC_LOG"] = str(gc_log)
    port = free_port()
    argv = [sys.executable, "-m", "gateway.cli", "serve", "--host", HOST, "--port", str(port)]
    return Service(label, argv, env=env, cwd=work, log=work / f"{label}.log"), port
