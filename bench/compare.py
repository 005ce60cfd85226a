"""Do the gateways agree? The same data for every query, over every source system."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bench.measure import Result


def check_same_data(results: Mapping[tuple[int, str, str, str], Result], notes: list[str]) -> None:
    """A note per query and source system: every gateway's fingerprint is the same, or the
    first difference (results keyed by run, source, target and query)."""
    groups: dict[tuple[str, str], dict[str, object]] = {}
    for (run, source, target, query), result in results.items():
        groups.setdefault((source, query), {}).setdefault(f"{target}#{run + 1}", result.fingerprint)
    for (source, query), prints in groups.items():
        if len(prints) < 2:
            continue
        reference_name, reference = next(iter(prints.items()))
        differing = [
            f"{query} over {source}: {name}'s answer differs from {reference_name}'s: "
            f"{_difference(reference, fingerprint)}"
            for name, fingerprint in prints.items()
            if fingerprint != reference
        ]
        notes.extend(differing)
        if not differing:
            targets: Sequence[str] = sorted({name.split("#")[0] for name in prints})
            notes.append(
                f"{query} over {source}: every gateway returned the same data "
                f"({', '.join(targets)}, every run)"
            )


def _difference(a: object, b: object) -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if a.get(key) != b.get(key):
                return f"{key}: {a.get(key)!r} vs {b.get(key)!r}"
    return f"{a!r:.200} vs {b!r:.200}"
