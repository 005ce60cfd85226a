"""The run as Markdown: the machine, one table per measurement, the ratios and the targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.measure import Result
from bench.queries import LOAD_CUSTOMERS, QUERIES, BenchQuery


@dataclass(frozen=True, slots=True)
class Run:
    """What a report describes."""

    machine: Mapping[str, str]
    command: str
    latency_ms: float
    concurrency: int
    targets: Sequence[str]
    results: Mapping[tuple[str, str], Result]
    backoffice_call_ms: float
    floors: Mapping[str, float]
    notes: Sequence[str]


def _calls(calls: Mapping[str, int]) -> str:
    return " · ".join(f"{source} {n}" for source, n in sorted(calls.items())) or "none"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _ratio(ours: float | None, peer: float | None) -> str:
    if ours is None or peer is None or peer == 0:
        return "—"
    return f"{ours / peer:.2f}×"


def _busy(cpu_ms: float, throughput: float) -> str:
    return f"{cpu_ms * throughput / 1000:.2f} core"


def critical_path_ms(query: BenchQuery, latency_ms: float) -> float:
    return query.levels * latency_ms


def calls_per_level_ok(query: BenchQuery, calls: Mapping[str, int]) -> bool:
    """One call per source per level: exactly `query.calls`, optional sources at most that."""
    for source in set(query.calls) | set(calls):
        wanted, got = query.calls.get(source, 0), calls.get(source, 0)
        if got > wanted or (got < wanted and source not in query.optional):
            return False
    return True


def render(run: Run) -> str:
    lines = ["## Machine", ""]
    lines += [f"- {name}: {value}" for name, value in run.machine.items()]
    lines += ["", "## Command", "", "```sh", run.command, "```", ""]
    lines += [
        f"Every source answers after {run.latency_ms:g} ms of injected latency; one plain "
        f"back-office call (`/pim/v1/health`) takes {run.backoffice_call_ms:.1f} ms end to end "
        "(p50). Critical path = levels × the injected latency. Upstream floor = the same data "
        "fetched straight from the back office with httpx, level by level, each level's calls "
        "at once (p50): the back office's own work included, no gateway. Throughput: closed loop, "
        f"concurrency {run.concurrency}, one gateway process; the customer page rotates over "
        f"{LOAD_CUSTOMERS} customers, the public pages repeat one request. CPU: the gateway process's "
        "user+system time (/proc) per request.",
        "",
    ]
    header = (
        "| query | gateway | upstream calls, cold | calls, warm | cold p50 / p95 ms "
        f"| cold p50 ÷ critical path · ÷ upstream floor | warm p50 / p95 ms | req/s @{run.concurrency} "
        "| load p50 / p95 ms "
        "| gateway CPU ms/req cold · warm · load (cores busy under load) "
        "| back-office CPU ms/req under load (cores busy) |"
    )
    lines += ["## Results", "", "| query | levels | critical path ms | upstream floor p50 ms |"]
    lines += ["| --- | --- | --- | --- |"]
    for query in QUERIES:
        if query.name in run.floors:
            lines.append(
                f"| {query.name} | {query.levels} | {critical_path_ms(query, run.latency_ms):g} "
                f"| {run.floors[query.name]:.1f} |"
            )
    lines += ["", header, "|" + " --- |" * 11]
    for query in QUERIES:
        path = critical_path_ms(query, run.latency_ms)
        floor = run.floors.get(query.name, path)
        for target in run.targets:
            result = run.results.get((target, query.name))
            if result is None:
                continue
            lines.append(_row(result, path, floor))
    lines += ["", *_ratios(run), "", *_targets(run)]
    if run.notes:
        lines += ["", "## Notes from the run", ""] + [f"- {note}" for note in run.notes]
    return "\n".join(lines) + "\n"


def _row(result: Result, path: float, floor: float) -> str:
    cold, warm, load = result.cold, result.warm, result.load
    cells = [
        result.query,
        result.target,
        _calls(result.calls_cold),
        _calls(result.calls_warm),
        f"{_ms(cold.p50_ms)} / {_ms(cold.p95_ms)}" if cold else "—",
        f"{cold.p50_ms / path:.2f} · {cold.p50_ms / floor:.2f}" if cold else "—",
        f"{_ms(warm.p50_ms)} / {_ms(warm.p95_ms)}" if warm else "—",
        f"{load.throughput:.0f}" if load else "—",
        f"{_ms(load.p50_ms)} / {_ms(load.p95_ms)}" if load else "—",
        " · ".join(_ms(x.cpu_ms) if x else "—" for x in (cold, warm, load))
        + (f" ({_busy(load.cpu_ms, load.throughput)})" if load else ""),
        f"{_ms(load.backoffice_cpu_ms)} ({_busy(load.backoffice_cpu_ms, load.throughput)})"
        if load
        else "—",
    ]
    return "| " + " | ".join(cells) + " |"


def _pairs(run: Run) -> list[tuple[str, str]]:
    pairs = [("ours", "peer"), ("ours+rc", "peer+rc")]
    return [(a, b) for a, b in pairs if a in run.targets and b in run.targets]


def _ratios(run: Run) -> list[str]:
    pairs = _pairs(run)
    if not pairs:
        return []
    lines = [
        "## Ours ÷ peer",
        "",
        "Throughput above 1× is ours ahead; latency and CPU below 1× are ours ahead.",
        "",
        "| query | pair | cold p50 | warm p50 | throughput | CPU ms/req (load) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for query in QUERIES:
        for ours_name, peer_name in pairs:
            ours = run.results.get((ours_name, query.name))
            peer = run.results.get((peer_name, query.name))
            if ours is None or peer is None:
                continue
            cold = _ratio(*(r.cold.p50_ms if r.cold else None for r in (ours, peer)))
            warm = _ratio(*(r.warm.p50_ms if r.warm else None for r in (ours, peer)))
            rate = _ratio(*(r.load.throughput if r.load else None for r in (ours, peer)))
            cpu = _ratio(*(r.load.cpu_ms if r.load else None for r in (ours, peer)))
            lines.append(
                f"| {query.name} | {ours_name} ÷ {peer_name} | {cold} | {warm} | {rate} | {cpu} |"
            )
    return lines


def _targets(run: Run) -> list[str]:
    lines = ["## Targets", "", "| target | query | measured | met |", "| --- | --- | --- | --- |"]

    def add(target: str, query: str, measured: str, met: bool | None) -> None:
        verdict = "n/a" if met is None else "yes" if met else "**no**"
        lines.append(f"| {target} | {query} | {measured} | {verdict} |")

    for query in QUERIES:
        ours = run.results.get(("ours", query.name))
        if ours is None:
            continue
        add(
            "calls per source per level = 1",
            query.name,
            f"{_calls(ours.calls_cold)} (1 per level: {_calls(query.calls)})",
            calls_per_level_ok(query, ours.calls_cold),
        )
    for query in QUERIES:
        ours = run.results.get(("ours", query.name))
        if ours is None or ours.cold is None:
            continue
        path = critical_path_ms(query, run.latency_ms)
        add(
            "cold p50 ≤ 1.2 × critical path",
            query.name,
            f"{ours.cold.p50_ms:.1f} ms vs {1.2 * path:.0f} ms ({ours.cold.p50_ms / path:.2f}×)",
            ours.cold.p50_ms <= 1.2 * path,
        )
    for name in ("ours", "ours+rc"):
        listing = run.results.get((name, "listing"))
        if listing is not None and listing.warm is not None:
            add(
                f"warm listing p50 < 10 ms ({name})",
                "listing",
                f"{listing.warm.p50_ms:.1f} ms",
                listing.warm.p50_ms < 10,
            )
    for ours_name, peer_name, factor, label in (
        ("ours", "peer", 1.5, "throughput ≥ 1.5 × batched peer"),
        ("ours+rc", "peer+rc", 1.0, "with response caches: throughput ≥ peer's"),
    ):
        for query in QUERIES:
            if ours_name == "ours" and query.name != "listing":
                continue
            if query.as_customer:
                continue  # neither gateway caches a customer's page
            ours = run.results.get((ours_name, query.name))
            peer = run.results.get((peer_name, query.name))
            if ours is None or peer is None or ours.load is None or peer.load is None:
                continue
            ratio = ours.load.throughput / peer.load.throughput
            add(
                label,
                query.name,
                f"{ours.load.throughput:.0f} vs {peer.load.throughput:.0f} req/s ({ratio:.2f}×)",
                ratio >= factor,
            )
    return lines
