"""The observing layer: calls, cache results and breaker state in the metrics."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from connectors.errors import (
    SourceUnavailable,
)
from connectors.guard import CachePolicy
from connectors.metrics import SourceMetrics
from connectors.resilience import ResiliencePolicy
from tests.clocks import ManualClock
from tests.connectors.layers.support import Source, down, guard_for

pytestmark = pytest.mark.anyio


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
