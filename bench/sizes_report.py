"""The size run's figures and its Markdown: percentiles, tails, ratios between sizes, seeds.

Pure: `bench.sizes` measures, this module only summarises what was measured, so that the
arithmetic and the layout are unit-tested without a database or a process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bench.load import percentile
from bench.sizes_plans import Plan, render_plans

#: The size every other size is compared with, when it was run.
BASE_SIZE = "demo"
#: Issue 11's targets: p50 at the largest size within 1.5× the demo's; cold p99 at most
#: 2× p50 at every size; seeding 1M variants (`xl`) in under 5 minutes within 1 GiB.
RATIO_TARGET = 1.5
TAIL_TARGET = 2.0
SEED_TARGET_SIZE = "xl"
SEED_TARGET_SECONDS = 300.0
SEED_TARGET_MB = 1024.0


@dataclass(frozen=True, slots=True)
class Figures:
    """Sequential cold samples of one query, at one size, on one database, in ms."""

    samples: int
    p50: float
    p90: float
    p99: float
    #: The fewest source calls one sample made: above 0, every sample reached the sources.
    min_calls: int
    #: The gateway's CPU per sample, ms: steadier than latency on a shared machine.
    cpu_ms: float = 0.0

    @property
    def tail(self) -> float:
        """p99 / p50: the target of issue 11 is at most 2."""
        return self.p99 / self.p50 if self.p50 else 0.0

    @property
    def tail_met(self) -> bool:
        """Whether p99 ≤ 2× p50 (issue 11)."""
        return self.p99 <= TAIL_TARGET * self.p50


def figures(seconds: Sequence[float], calls: Sequence[int], cpu_seconds: float = 0.0) -> Figures:
    """The percentiles of `seconds` (one per sample, any order), the fewest `calls`, and
    `cpu_seconds` (the gateway's, over all samples) per sample."""
    if not seconds:
        raise ValueError("no samples")
    ordered = sorted(seconds)
    return Figures(
        samples=len(ordered),
        p50=percentile(ordered, 0.50) * 1000,
        p90=percentile(ordered, 0.90) * 1000,
        p99=percentile(ordered, 0.99) * 1000,
        min_calls=min(calls, default=0),
        cpu_ms=cpu_seconds / len(ordered) * 1000,
    )


def ratio(big: float, base: float) -> float | None:
    """`big / base`, or None when there is no base to divide by."""
    return big / base if base else None


def compared_sizes(sizes: Sequence[str]) -> tuple[str, str] | None:
    """(smaller, larger) for the ratio columns, `sizes` being in growing order: the demo size
    against the last size run, else the first against the last; None with fewer than two."""
    if len(sizes) < 2:
        return None
    if BASE_SIZE in sizes and sizes[-1] != BASE_SIZE:
        return BASE_SIZE, sizes[-1]
    return sizes[0], sizes[-1]


@dataclass(frozen=True, slots=True)
class Collections:
    """The gateway's garbage collections during one query's samples (`--gc-log`)."""

    young: int
    #: Full collections (generation 2), their longest and their summed pause in ms.
    full: int
    full_max_ms: float
    full_ms: float


def collections(lines: Sequence[str], since: float, until: float) -> Collections:
    """What the lines of `bench/gcwatch` ("<unix time> <generation> <pause ms> <collected>")
    say about the collections that ended between `since` and `until`."""
    young, full = 0, []
    for line in lines:
        stamp, generation, pause, _ = line.split()
        if not since <= float(stamp) <= until:
            continue
        if generation == "2":
            full.append(float(pause))
        else:
            young += 1
    return Collections(young, len(full), max(full, default=0.0), sum(full))


@dataclass(frozen=True, slots=True)
class Seed:
    """One seed's wall time and the seeding process's peak resident memory (its children's
    included)."""

    seconds: float
    peak_mb: float

    def verdict(self, size: str) -> str:
        """ "met"/"not" against issue 11's seeding target, for the size it is about."""
        if size != SEED_TARGET_SIZE:
            return "–"
        met = self.seconds < SEED_TARGET_SECONDS and self.peak_mb <= SEED_TARGET_MB
        return "met" if met else "not"


@dataclass(slots=True)
class GatewayRun:
    """One of a size's gateways (one per GC threshold) and what was measured through it."""

    gc_threshold: int
    #: Query name -> figures.
    figures: dict[str, Figures] = field(default_factory=dict)
    #: Query name -> the gateway's collections during its samples (with `--gc-log`).
    collections: dict[str, Collections] = field(default_factory=dict)
    #: Query name -> the gateway's RSS in MB after every 500 of its samples.
    rss_trail: dict[str, list[float]] = field(default_factory=dict)
    #: The gateway's resident memory after all samples, MB.
    rss_mb: float = 0.0


@dataclass(slots=True)
class SizeRun:
    """Everything measured at one size on one database."""

    database: str
    size: str
    #: Products the listing pages through (customer-facing: complete ones).
    total: int = 0
    #: Products each search word matches.
    matches: dict[str, int] = field(default_factory=dict)
    seed: Seed | None = None
    #: Its gateways, one per GC threshold, in the order of `--gc-thresholds`.
    gateways: list[GatewayRun] = field(default_factory=list)
    #: Query name -> the statements of one request, with plans (PostgreSQL only).
    plans: dict[str, list[Plan]] = field(default_factory=dict)


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _times(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _met(flag: bool) -> str:
    return "met" if flag else "not"


def render(runs: Sequence[SizeRun], queries: Mapping[str, str], header: Sequence[str]) -> str:
    """The Markdown report: `header` lines, the figures, the targets, the seeds, the plans.

    `queries` maps each query's name to what it is (in the order to show them).
    """
    lines = [*header, ""]
    lines += [
        "| query | database | size | GC threshold | samples | p50 ms | p90 ms | p99 ms"
        " | p99/p50 | p99 ≤ 2× p50 | full GCs per request | gateway CPU ms |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for name, what in queries.items():
        for run in runs:
            for gateway in run.gateways:
                found = gateway.figures.get(name)
                if found is None:
                    continue
                counted = gateway.collections.get(name)
                per_request = "–" if counted is None else f"{counted.full / found.samples:.3f}"
                lines.append(
                    f"| {what} | {run.database} | {run.size} | {gateway.gc_threshold}"
                    f" | {found.samples} | {_ms(found.p50)} | {_ms(found.p90)} | {_ms(found.p99)}"
                    f" | {_times(found.tail)} | {_met(found.tail_met)} | {per_request}"
                    f" | {_ms(found.cpu_ms)} |"
                )
    lines += ["", *_tails(runs, queries), *_ratios(runs, queries), *_seeds(runs)]
    lines += [*_gateways(runs), *_collected(runs, queries)]
    for run in runs:
        lines += render_plans(f"{run.database}, {run.size}", run.plans, queries)
    return "\n".join(lines).rstrip() + "\n"


def _thresholds(runs: Sequence[SizeRun]) -> list[int]:
    return list(dict.fromkeys(g.gc_threshold for run in runs for g in run.gateways))


def _tails(runs: Sequence[SizeRun], queries: Mapping[str, str]) -> list[str]:
    """Issue 11's "cold p99 ≤ 2× p50 at every size", per GC threshold."""
    lines = ["Cold p99 ≤ 2× p50 at every size (issue 11), per GC threshold:", ""]
    for threshold in _thresholds(runs):
        missed, count = [], 0
        for name, what in queries.items():
            for run in runs:
                for gateway in run.gateways:
                    found = gateway.figures.get(name)
                    if gateway.gc_threshold != threshold or found is None:
                        continue
                    count += 1
                    if not found.tail_met:
                        missed.append(f"{what} {run.database}/{run.size} {found.tail:.2f}×")
        verdict = "met" if not missed else f"not met at {len(missed)} of {count}"
        lines.append(
            f"- GC threshold {threshold}: {verdict}"
            + (f" ({'; '.join(missed)})" if missed else f" ({count} of {count})")
        )
    return [*lines, ""]


def _ratios(runs: Sequence[SizeRun], queries: Mapping[str, str]) -> list[str]:
    sizes = list(dict.fromkeys(run.size for run in runs))
    pair = compared_sizes(sizes)
    if pair is None:
        return []
    base, other = pair
    by_key = {(run.database, run.size): run for run in runs}
    lines = [
        f"Ratio {other}/{base} (target of issue 11: p50 within {RATIO_TARGET}× on PostgreSQL):",
        "",
        f"| query | database | GC threshold | p50 {other}/{base} | p90 {other}/{base}"
        f" | p99 {other}/{base} | p50 within {RATIO_TARGET}× |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, what in queries.items():
        for database in dict.fromkeys(run.database for run in runs):
            low, high = by_key.get((database, base)), by_key.get((database, other))
            if low is None or high is None:
                continue
            for small, large in zip(low.gateways, high.gateways, strict=False):
                a, b = small.figures.get(name), large.figures.get(name)
                if a is None or b is None:
                    continue
                p50 = ratio(b.p50, a.p50)
                lines.append(
                    f"| {what} | {database} | {small.gc_threshold} | {_times(p50)}"
                    f" | {_times(ratio(b.p90, a.p90))} | {_times(ratio(b.p99, a.p99))}"
                    f" | {'–' if p50 is None else _met(p50 <= RATIO_TARGET)} |"
                )
    return [*lines, ""]


def _seeds(runs: Sequence[SizeRun]) -> list[str]:
    lines = [
        "| database | size | listed products | matches per search word | seeded in"
        f" | seed's peak RSS | seed target ({SEED_TARGET_SIZE}: < {SEED_TARGET_SECONDS:.0f} s,"
        f" ≤ {SEED_TARGET_MB:.0f} MB) |",
        "| --- | --- | ---: | --- | ---: | ---: | --- |",
    ]
    for run in runs:
        matches = ", ".join(f"{word!r}: {count}" for word, count in run.matches.items())
        seeded = (
            "– | –" if run.seed is None else f"{run.seed.seconds:.1f} s | {run.seed.peak_mb:.0f} MB"
        )
        verdict = "–" if run.seed is None else run.seed.verdict(run.size)
        lines.append(
            f"| {run.database} | {run.size} | {run.total} | {matches} | {seeded} | {verdict} |"
        )
    return [*lines, ""]


def _gateways(runs: Sequence[SizeRun]) -> list[str]:
    lines = [
        "| database | size | GC threshold | gateway RSS after |",
        "| --- | --- | ---: | ---: |",
    ]
    trails = []
    for run in runs:
        for gateway in run.gateways:
            lines.append(
                f"| {run.database} | {run.size} | {gateway.gc_threshold}"
                f" | {gateway.rss_mb:.0f} MB |"
            )
            trails += [
                f"{run.database}/{run.size}/{gateway.gc_threshold}/{name}: "
                + ", ".join(f"{mb:.0f}" for mb in trail)
                for name, trail in gateway.rss_trail.items()
                if len(trail) > 1
            ]
    if trails:
        lines += ["", "The gateway's RSS in MB after every 500 samples:", ""]
        lines += [f"- {trail}" for trail in trails]
    return [*lines, ""]


def _collected(runs: Sequence[SizeRun], queries: Mapping[str, str]) -> list[str]:
    if not any(gateway.collections for run in runs for gateway in run.gateways):
        return []
    lines = [
        "The gateway's garbage collections during the samples:",
        "",
        "| query | database | size | GC threshold | young | full | full per request"
        " | longest full ms | full ms in all |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, what in queries.items():
        for run in runs:
            for gateway in run.gateways:
                found, measured = gateway.collections.get(name), gateway.figures.get(name)
                if found is None or measured is None:
                    continue
                lines.append(
                    f"| {what} | {run.database} | {run.size} | {gateway.gc_threshold}"
                    f" | {found.young} | {found.full} | {found.full / measured.samples:.3f}"
                    f" | {_ms(found.full_max_ms)} | {_ms(found.full_ms)} |"
                )
    return [*lines, ""]
