"""The size run's figures and its Markdown: percentiles, ratios between sizes, plans.

Pure: `bench.sizes` measures, this module only summarises what was measured, so that the
arithmetic and the layout are unit-tested without a database or a process.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bench.load import percentile

#: The size every other size is compared with, when it was run.
BASE_SIZE = "demo"


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
class Plan:
    """One SQL statement the back office ran for a request, and its EXPLAIN ANALYZE."""

    statement: str
    plan: str

    @property
    def execution_ms(self) -> float | None:
        """The plan's "Execution Time: N ms", if it has one."""
        for line in reversed(self.plan.splitlines()):
            text = line.strip()
            if text.startswith("Execution Time:"):
                return float(text.split(":", 1)[1].strip().split()[0])
        return None

    @property
    def what(self) -> str:
        """What the statement reads, e.g. "count of pim_product" or "rows of pim_variant"."""
        table = _FROM.search(self.statement)
        name = table.group(1) if table else "?"
        return f"count of {name}" if "count(" in self.statement.lower() else f"rows of {name}"

    @property
    def scans(self) -> str:
        """The tables the plan reads whole ("Seq Scan on ..."), or "index"."""
        found = sorted(set(_SEQ_SCAN.findall(self.plan)))
        return "seq scan of " + ", ".join(found) if found else "index"


#: A run of bound parameters, "$1::VARCHAR, $2::VARCHAR, ...".
_PARAMETERS = re.compile(r"\$\d+(?:::[A-Z ]+?)?(?:, \$\d+(?:::[A-Z ]+?)?)+(?=\))")
#: An array literal in a plan, "'{p00012,p00013,...}'".
_ARRAY = re.compile(r"'\{([^}']*)\}'")


def compact(text: str, *, keep: int = 3) -> str:
    """`text` (a statement or a plan) with each list of bound parameters and each array
    literal cut to its first `keep` items and a count: a page's 48 keys say nothing more."""

    def parameters(match: re.Match[str]) -> str:
        items = match.group(0).split(", ")
        if len(items) <= keep + 1:
            return match.group(0)
        return f"{', '.join(items[:keep])}, … {items[-1]}"

    def array(match: re.Match[str]) -> str:
        items = match.group(1).split(",")
        if len(items) <= keep + 1:
            return match.group(0)
        return f"'{{{','.join(items[:keep])},… {len(items)} values}}'"

    return _ARRAY.sub(array, _PARAMETERS.sub(parameters, text))


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


_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


@dataclass(slots=True)
class SizeRun:
    """Everything measured at one size on one database."""

    database: str
    size: str
    #: Products the listing pages through (customer-facing: complete ones).
    total: int
    #: Products each search word matches.
    matches: dict[str, int] = field(default_factory=dict)
    #: Query name -> figures.
    figures: dict[str, Figures] = field(default_factory=dict)
    #: Query name -> the statements of one request, with plans (PostgreSQL only).
    plans: dict[str, list[Plan]] = field(default_factory=dict)
    #: Query name -> the gateway's collections during its samples (with `--gc-log`).
    collections: dict[str, Collections] = field(default_factory=dict)
    #: Query name -> the gateway's RSS in MB after every 500 of its samples.
    rss_trail: dict[str, list[float]] = field(default_factory=dict)
    seed_seconds: float = 0.0
    #: The gateway's resident memory after all samples, MB.
    rss_mb: float = 0.0
    load_average: float = 0.0


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _times(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def render(runs: Sequence[SizeRun], queries: Mapping[str, str], header: Sequence[str]) -> str:
    """The Markdown report: `header` lines, the figures, the ratios, the plans.

    `queries` maps each query's name to what it is (in the order to show them).
    """
    lines = [*header, ""]
    lines += [
        "| query | database | size | samples | p50 ms | p90 ms | p99 ms | p99/p50 | gateway CPU ms |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, what in queries.items():
        for run in runs:
            found = run.figures.get(name)
            if found is None:
                continue
            lines.append(
                f"| {what} | {run.database} | {run.size} | {found.samples} | {_ms(found.p50)}"
                f" | {_ms(found.p90)} | {_ms(found.p99)} | {_times(found.tail)}"
                f" | {_ms(found.cpu_ms)} |"
            )
    lines += ["", *_ratios(runs, queries), *_sizes(runs), *_collected(runs, queries)]
    lines += _plans(runs, queries)
    return "\n".join(lines).rstrip() + "\n"


def _ratios(runs: Sequence[SizeRun], queries: Mapping[str, str]) -> list[str]:
    sizes = list(dict.fromkeys(run.size for run in runs))
    pair = compared_sizes(sizes)
    if pair is None:
        return []
    base, other = pair
    by_key = {(run.database, run.size): run for run in runs}
    lines = [
        f"Ratio {other}/{base} (target of issue 11: at most 1.5× for p50):",
        "",
        f"| query | database | p50 {other}/{base} | p90 {other}/{base} | p99 {other}/{base} |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for name, what in queries.items():
        for database in dict.fromkeys(run.database for run in runs):
            low = by_key.get((database, base))
            high = by_key.get((database, other))
            if low is None or high is None or name not in low.figures:
                continue
            if name not in high.figures:
                continue
            a, b = low.figures[name], high.figures[name]
            lines.append(
                f"| {what} | {database} | {_times(ratio(b.p50, a.p50))}"
                f" | {_times(ratio(b.p90, a.p90))} | {_times(ratio(b.p99, a.p99))} |"
            )
    return [*lines, ""]


def _sizes(runs: Sequence[SizeRun]) -> list[str]:
    lines = [
        "| database | size | listed products | matches per search word | seeded in | "
        "gateway RSS after | load average (1 min) |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for run in runs:
        matches = ", ".join(f"{word!r}: {count}" for word, count in run.matches.items())
        lines.append(
            f"| {run.database} | {run.size} | {run.total} | {matches} | {run.seed_seconds:.0f} s"
            f" | {run.rss_mb:.0f} MB | {run.load_average:.2f} |"
        )
    trails = [
        f"{run.database}/{run.size}/{name}: " + ", ".join(f"{mb:.0f}" for mb in trail)
        for run in runs
        for name, trail in run.rss_trail.items()
        if len(trail) > 1
    ]
    if trails:
        lines += ["", "The gateway's RSS in MB after every 500 samples:", ""]
        lines += [f"- {trail}" for trail in trails]
    return [*lines, ""]


def _collected(runs: Sequence[SizeRun], queries: Mapping[str, str]) -> list[str]:
    if not any(run.collections for run in runs):
        return []
    lines = [
        "The gateway's garbage collections during the samples:",
        "",
        "| query | database | size | young | full | longest full ms | full ms in all |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, what in queries.items():
        for run in runs:
            found = run.collections.get(name)
            if found is not None:
                lines.append(
                    f"| {what} | {run.database} | {run.size} | {found.young} | {found.full}"
                    f" | {_ms(found.full_max_ms)} | {_ms(found.full_ms)} |"
                )
    return [*lines, ""]


def _plans(runs: Sequence[SizeRun], queries: Mapping[str, str]) -> list[str]:
    lines: list[str] = []
    for run in runs:
        if not run.plans:
            continue
        lines += [
            f"EXPLAIN (ANALYZE, BUFFERS), {run.database}, {run.size}:",
            "",
            "| query | statement | executing ms | reads |",
            "| --- | --- | ---: | --- |",
        ]
        for name, what in queries.items():
            for plan in run.plans.get(name, []):
                took = "?" if plan.execution_ms is None else f"{plan.execution_ms:.2f}"
                lines.append(f"| {what} | {plan.what} | {took} | {plan.scans} |")
        lines.append("")
        for name, what in queries.items():
            plans = run.plans.get(name)
            if not plans:
                continue
            total = sum(plan.execution_ms or 0.0 for plan in plans)
            lines += [
                f"<details><summary>{what}: {len(plans)} statements, "
                f"{total:.1f} ms executing</summary>",
                "",
            ]
            for plan in plans:
                statement = "\n".join(
                    line.rstrip() for line in compact(plan.statement.strip()).splitlines()
                )
                explained = compact(plan.plan)
                lines += ["```sql", statement, "```", "```text", explained, "```"]
            lines += ["</details>", ""]
    return lines
