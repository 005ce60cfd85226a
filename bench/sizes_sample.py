"""The size run's cold samples, alternated: one gateway's sample, then the next gateway's.

Every size (and every GC threshold) of a database is served at once, and a query's samples
are taken in rounds: in each round every gateway gets one sample, one after another, and
each round starts one gateway further than the last. Drift in the machine's state (another
process waking, the page cache, the CPU's clock) then falls on every gateway alike, and no
gateway always follows the same one. Every sample's source calls are counted at its back
office; a sample that made none measured a cache and is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bench.measure import NoUpstreamCall


class Sender(Protocol):
    """Sends a gateway its one request (`bench.measure.Probe`)."""

    async def send(self) -> Any: ...


class Counter(Protocol):
    """A back office's count of calls (`bench.measure.Upstream`)."""

    async def reset(self) -> None: ...

    async def calls(self) -> Mapping[str, int]: ...


@dataclass(slots=True)
class Taken:
    """One gateway's samples of one query: each one's seconds and source calls."""

    seconds: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)


def rounds(gateways: int, samples: int) -> Iterator[list[int]]:
    """The order of `gateways` (indexes) in each of `samples` rounds: round r starts at
    gateway r mod `gateways`, so each is first, second, ... equally often."""
    for turn in range(samples):
        start = turn % gateways
        yield [*range(start, gateways), *range(start)]


async def alternate(
    senders: Sequence[Sender],
    counters: Sequence[Counter],
    samples: int,
    *,
    labels: Sequence[str],
    every: int = 0,
    watch: Callable[[int], None] | None = None,
) -> list[Taken]:
    """`samples` cold samples of each sender, alternated (see `rounds`).

    `counters[i]` counts the calls of `senders[i]`'s back office; it is reset before each
    sample and read after (neither timed). Raises `NoUpstreamCall`, naming `labels[i]`,
    for a sample that made no call. `watch(i)` is called after every `every` samples of
    sender i (e.g. to read its memory).
    """
    taken = [Taken() for _ in senders]
    for order in rounds(len(senders), samples):
        for index in order:
            counter, mine = counters[index], taken[index]
            await counter.reset()
            started = time.perf_counter()
            await senders[index].send()
            elapsed = time.perf_counter() - started
            made = sum((await counter.calls()).values())
            if made == 0:
                raise NoUpstreamCall(
                    f"{labels[index]}: sample {len(mine.seconds) + 1} made no source call: "
                    "a cache answered"
                )
            mine.seconds.append(elapsed)
            mine.calls.append(made)
            if watch is not None and every and len(mine.seconds) % every == 0:
                watch(index)
    return taken
