"""Prometheus collectors for source calls, the cross-request cache and circuit breakers.

The collectors register in a `CollectorRegistry` passed in (the gateway's, served on
/metrics), never in prometheus_client's global one, so that tests and several apps in one
process stay apart. One `SourceMetrics` serves every guard; the source is a label.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: The breaker state gauge's values, ordered by how degraded the source is.
BREAKER_STATE_VALUES = {"closed": 0.0, "half_open": 1.0, "open": 2.0}

#: Source latencies are tens of milliseconds to a few seconds (the timeouts).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class SourceMetrics:
    """Counters, latency histogram and breaker gauge, labelled by source.

    * `gateway_source_calls_total{source, operation, outcome}`: one per attempt, outcome
      "ok", an error class name ("SourceTimeout", "SourceUnavailable", "SourceRejected",
      "SourceContractViolation"), "error" (anything else), "cancelled", or for calls that
      never reached the source "circuit_open" and "saturated" (no free slot in time).
    * `gateway_source_call_seconds{source}`: the duration of attempts that reached the source.
    * `gateway_source_cache_total{source, result}`: per key looked up, "hit" (fresh), "stale"
      (served past freshness: while revalidating, or because the source failed) or "miss".
    * `gateway_source_breaker_state{source}`: 0 closed, 1 half-open, 2 open; read at scrape.
    """

    def __init__(self, registry: CollectorRegistry, *, namespace: str = "gateway") -> None:
        self.calls = Counter(
            "source_calls",
            "Calls to source systems, by outcome.",
            ["source", "operation", "outcome"],
            namespace=namespace,
            registry=registry,
        )
        self.latency = Histogram(
            "source_call_seconds",
            "Duration of calls that reached a source system.",
            ["source"],
            namespace=namespace,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.cache = Counter(
            "source_cache",
            "Cross-request cache lookups per key, by result.",
            ["source", "result"],
            namespace=namespace,
            registry=registry,
        )
        self.breaker = Gauge(
            "source_breaker_state",
            "Circuit breaker state per source: 0 closed, 1 half-open, 2 open.",
            ["source"],
            namespace=namespace,
            registry=registry,
        )

    def observe_call(
        self, source: str, operation: str, outcome: str, seconds: float | None
    ) -> None:
        self.calls.labels(source, operation, outcome).inc()
        if seconds is not None:
            self.latency.labels(source).observe(seconds)

    def count_cache(self, source: str, result: str, keys: int) -> None:
        if keys:
            self.cache.labels(source, result).inc(keys)

    def track_breaker(self, source: str, state: Callable[[], str]) -> None:
        """Report `state()` at every scrape, so a breaker that went half-open by time shows it."""
        self.breaker.labels(source).set_function(lambda: BREAKER_STATE_VALUES[state()])
