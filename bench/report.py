"""The run as Markdown: the machine, a table per source system, the targets of issue 10.

With `--runs N` every figure is the median of the runs and, in brackets, their spread
(min–max); a single run shows its figure alone.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bench.measure import Result
from bench.queries import BY_NAME
from bench.verdicts import calls_per_level_ok, critical_path_ms, targets_table

__all__ = ["Run", "calls_per_level_ok", "critical_path_ms", "render", "spread"]

Key = tuple[int, str, str, str]  # run, source, target, query


@dataclass(frozen=True, slots=True)
class Run:
    """What a report describes."""

    machine: Mapping[str, str]
    command: str
    latency_ms: float
    concurrency: int
    runs: int
    sources: Sequence[str]
    targets: Sequence[str]
    queries: Sequence[str]
    #: What each query's load sends: "repeats one request", "rotates over 24 ...".
    loads: Mapping[str, str]
    results: Mapping[Key, Result]
    call_ms: Mapping[str, float]
    floors: Mapping[str, Mapping[str, float]]
    notes: Sequence[str]

    def each_run(self, source: str, target: str, query: str) -> list[Result]:
        """The results of one source, target and query, one per run that measured it."""
        keys = ((run, source, target, query) for run in range(self.runs))
        return [self.results[key] for key in keys if key in self.results]


def calls_text(calls: Mapping[str, int]) -> str:
    return " · ".join(f"{source} {n}" for source, n in sorted(calls.items())) or "none"


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def spread(values: Sequence[float | None], fmt: Callable[[float], str] = ms) -> str:
    """One figure, or the median and (min–max) of several."""
    present = [v for v in values if v is not None]
    if not present:
        return "—"
    if len(present) == 1:
        return fmt(present[0])
    return f"{fmt(statistics.median(present))} ({fmt(min(present))}–{fmt(max(present))})"


def render(run: Run) -> str:
    lines = ["### Machine", ""]
    lines += [f"- {name}: {value}" for name, value in run.machine.items()]
    lines += ["", "### Command", "", "```sh", run.command, "```", ""]
    lines += [
        f"Every source call answers after {run.latency_ms:g} ms of injected latency. Critical "
        "path = levels × that latency. Upstream floor = the same data fetched straight from the "
        "source system with httpx, level by level, each level's calls at once (p50). Cold: the "
        "gateway's caches emptied before each sample, and each sample checked to have made "
        "upstream calls (a sample without one is refused: no cold figure, a note). "
        f"Throughput: closed loop at concurrency {run.concurrency}, one gateway process; a "
        "load repeats one request (identical requests in flight: a gateway that shares their "
        "source calls fetches once for all) or rotates over distinct pages, taken in turn, one "
        "still in flight skipped, so that no two requests in flight are alike (column "
        f"`load @{run.concurrency}`). CPU: user+system "
        "time (/proc, whole process group) of each process under load, per gateway request: "
        "the gateway · the source system · the back office behind the fast source (its "
        "misses only). Calls/req: source calls per gateway request under load. RSS: the "
        "gateway's resident memory after the load."
        + (f" {run.runs} runs: median (min–max)." if run.runs > 1 else ""),
        "",
    ]
    for source in run.sources:
        lines += _source_section(run, source)
    lines += targets_table(run)
    if run.notes:
        lines += ["", "### Notes from the run", ""] + [f"- {note}" for note in run.notes]
    return "\n".join(lines) + "\n"


def _source_section(run: Run, source: str) -> list[str]:
    lines = [
        f"### Over the {source} source system",
        "",
        f"One plain call (`/pim/v1/health`) end to end: {run.call_ms[source]:.1f} ms (p50).",
        "",
        f"| query | levels | critical path ms | upstream floor p50 ms | load @{run.concurrency} |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in run.queries:
        query = BY_NAME[name]
        floor = run.floors[source].get(name)
        lines.append(
            f"| {name} | {query.levels} | {critical_path_ms(query, run.latency_ms):g} "
            f"| {ms(floor)} | {run.loads.get(name, '—')} |"
        )
    lines += [
        "",
        "| query | gateway | calls, cold | calls, warm | cold p50 / p95 ms | cold p50 ÷ "
        f"critical path | warm p50 ms | req/s @{run.concurrency} | load p50 / p95 ms | CPU "
        "ms/req under load: gateway · source · back office | calls/req under load | RSS MB |",
        "|" + " --- |" * 12,
    ]
    for name in run.queries:
        path = critical_path_ms(BY_NAME[name], run.latency_ms)
        for target in run.targets:
            each = run.each_run(source, target, name)
            if each:
                lines.append(_row(each, path))
    return [*lines, ""]


def _row(each: list[Result], path: float) -> str:
    first = each[0]
    colds = [r.cold for r in each]
    loads = [r.load for r in each]
    calls = {calls_text(r.calls_cold) for r in each}

    def cpu(process: str) -> str:
        return spread([load.cpu_ms.get(process) if load else None for load in loads])

    cells = [
        first.query,
        first.target,
        " / ".join(sorted(calls)),
        calls_text(first.calls_warm),
        f"{spread([c.p50_ms if c else None for c in colds])} / "
        f"{spread([c.p95_ms if c else None for c in colds])}",
        spread([c.p50_ms / path if c else None for c in colds], lambda v: f"{v:.2f}×"),
        spread([r.warm.p50_ms if r.warm else None for r in each]),
        spread([load.throughput if load else None for load in loads], lambda v: f"{v:.0f}"),
        f"{spread([load.p50_ms if load else None for load in loads])} / "
        f"{spread([load.p95_ms if load else None for load in loads])}",
        " · ".join(cpu(process) for process in ("gateway", "source", "back office")),
        spread([load.upstream_calls if load else None for load in loads], lambda v: f"{v:.2f}"),
        spread([r.rss_mb for r in each], lambda v: f"{v:.0f}"),
    ]
    return "| " + " | ".join(cells) + " |"
