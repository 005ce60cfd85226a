"""The observing layer: calls, cache results and breaker state in the metrics."""

from __future__ import annotations

import time

import pytest
from prometheus_client import CollectorRegistry

from connectors.errors import CircuitOpen, NoFreeSlot, SourceRejected, SourceUnavailable
from connectors.guard import CachePolicy
from connectors.layers.observe import Observe
from connectors.layers.requests import Call
from connectors.metrics import SourceMetrics
from connectors.resilience import ResiliencePolicy
from connectors.trace import Recorder
from tests.clocks import ManualClock
from tests.connectors.layers.support import Scripted, Source, down, guard_for

pytestmark = pytest.mark.anyio


async def never() -> str:
    raise AssertionError("the layer below answers instead")


# --- metrics ------------------------------------------------------------------------------------


async def test_metrics_count_calls_cache_results_and_breaker_state():
    registry = CollectorRegistry()
    clock = ManualClock()
    policy = ResiliencePolicy(retries=0, breaker_failures=1, breaker_reset_seconds=10)
    guard, _ = guard_for(clock, resilience=policy, metrics=SourceMetrics(registry))
    source = Source()
    cache_policy = CachePolicy(ttl=10, stale=60)

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, {"source": "pim", **labels})

    await guard.batch("products", ["p1", "p2"], source.fetch, policy=cache_policy)
    await guard.batch("products", ["p1", "p3"], source.fetch, policy=cache_policy)
    assert value("gateway_source_breaker_state") == 0
    clock.seconds += 20
    source.failures.append(down())
    await guard.batch("products", ["p1"], source.fetch, policy=cache_policy)
    with pytest.raises(SourceUnavailable, match="circuit open"):
        await guard.call("search", 1, lambda: source.fetch(["q"]))

    assert value("gateway_source_calls_total", operation="products", outcome="ok") == 2
    assert (
        value("gateway_source_calls_total", operation="products", outcome="SourceUnavailable") == 1
    )
    assert value("gateway_source_calls_total", operation="search", outcome="circuit_open") == 1
    assert value("gateway_source_call_seconds_count") == 3
    assert value("gateway_source_cache_total", result="hit") == 1
    assert value("gateway_source_cache_total", result="miss") == 3
    assert value("gateway_source_cache_total", result="stale") == 1
    assert value("gateway_source_breaker_state") == 2
    clock.seconds += 10
    assert value("gateway_source_breaker_state") == 1


async def test_attempts_turned_away_are_counted_but_not_timed_nor_logged():
    registry = CollectorRegistry()
    inner = Scripted(NoFreeSlot("pim", "no free slot"), CircuitOpen("pim", "circuit open"))
    observe = Observe("pim", SourceMetrics(registry), inner)
    recorder = Recorder()

    for _ in range(2):
        with pytest.raises(SourceUnavailable):
            await observe.call(Call("search", 1, never, recorder=recorder))

    def calls(outcome: str) -> float | None:
        labels = {"source": "pim", "operation": "search", "outcome": outcome}
        return registry.get_sample_value("gateway_source_calls_total", labels)

    assert (calls("saturated"), calls("circuit_open")) == (1, 1)
    # Never timed: no latency was observed for the source at all.
    assert registry.get_sample_value("gateway_source_call_seconds_count", {"source": "pim"}) is None
    assert recorder.calls.calls == []


async def test_an_attempt_that_reached_the_source_is_logged_with_its_outcome():
    class Reached:
        async def call(self, call: Call[str]) -> str:
            call.reached = time.perf_counter()
            raise SourceRejected("pim", "400")

    recorder = Recorder()
    with pytest.raises(SourceRejected):
        await Observe("pim", None, Reached()).call(Call("search", 3, never, recorder=recorder))

    (logged,) = recorder.calls.calls
    assert (logged.source, logged.operation, logged.keys, logged.outcome) == (
        "pim",
        "search",
        3,
        "SourceRejected",
    )
