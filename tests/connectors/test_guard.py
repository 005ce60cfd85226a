from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from connectors.cache import MemoryCache
from connectors.errors import (
    SourceContractViolation,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
)
from connectors.guard import CachePolicy, SourceGuard
from connectors.invalidation import InvalidationEvent
from connectors.metrics import SourceMetrics
from connectors.resilience import ResiliencePolicy
from connectors.trace import SourceTrace, tracing
from kernel.clock import SystemClock
from tests.clocks import ManualClock
from tests.waiting import eventually

pytestmark = pytest.mark.anyio

CACHED = CachePolicy(ttl=10)


class Source:
    """A fake source: answers "<key>@<version>", records each call, fails on demand."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.calls: list[list[str]] = []
        self.version = 1
        self.delay = delay
        self.failures: list[Exception] = []
        self.in_flight = 0
        self.most_in_flight = 0
        # Closed: every call waits until the test opens it (an ordering, not a duration).
        self.gate: asyncio.Event | None = None

    async def fetch(self, keys: list[str]) -> Mapping[str, str]:
        self.calls.append(list(keys))
        version = self.version  # what the source holds when asked
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.failures:
                raise self.failures.pop(0)
            return {key: f"{key}@{version}" for key in keys if not key.startswith("unknown")}
        finally:
            self.in_flight -= 1


def state_of(guard: SourceGuard) -> str:
    # A function, not the property, so mypy does not narrow it across a clock change.
    return guard.breaker.state


def down() -> SourceUnavailable:
    return SourceUnavailable("pim", "503 from the PIM")


def guard_for(clock: ManualClock | None = None, **kwargs: Any) -> tuple[SourceGuard, MemoryCache]:
    clock = clock or ManualClock()
    cache = MemoryCache(clock=clock)
    kwargs.setdefault("timeout", 1.0)
    kwargs.setdefault("timer", clock)  # the breaker's reset time moves with the test's clock
    return SourceGuard("pim", cache=cache, clock=clock, **kwargs), cache


# --- caching ------------------------------------------------------------------------------


async def test_a_requests_answers_are_cached_once_its_response_is_out():
    guard, cache = guard_for()
    source = Source()
    responded = asyncio.Event()

    with tracing(SourceTrace(responded=responded)) as trace:
        answered = await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    # Answered, not yet cached; a request meanwhile joins the fetch instead of making one.
    assert answered == {"p1": "p1@1"}
    assert len(cache) == 0
    assert await guard.batch("products", ["p1"], source.fetch, policy=CACHED) == answered
    assert len(source.calls) == 1

    responded.set()
    await asyncio.wait(trace.writes)

    assert len(cache) == 1
    with tracing(SourceTrace()) as later:
        assert await guard.batch("products", ["p1"], source.fetch, policy=CACHED) == answered
    assert later.cache_hits["pim"] == 1
    assert len(source.calls) == 1


async def test_an_answer_that_changed_before_its_response_was_out_is_not_cached():
    guard, cache = guard_for()
    source = Source()
    responded = asyncio.Event()
    with tracing(SourceTrace(responded=responded)) as trace:
        await guard.batch("products", ["p1"], source.fetch, policy=CACHED)

    await guard.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
    responded.set()
    await asyncio.wait(trace.writes)

    assert len(cache) == 0


async def test_a_second_batch_is_answered_from_the_cache():
    guard, _ = guard_for()
    source = Source()

    first = await guard.batch("products", ["p1", "p2"], source.fetch, policy=CACHED)
    with tracing(SourceTrace()) as trace:
        second = await guard.batch("products", ["p2", "p1", "p3"], source.fetch, policy=CACHED)

    assert first == {"p1": "p1@1", "p2": "p2@1"}
    assert second == {"p1": "p1@1", "p2": "p2@1", "p3": "p3@1"}
    assert source.calls == [["p1", "p2"], ["p3"]]
    assert trace.cache_hits == {"pim": 2}
    assert trace.calls_by_source() == {"pim": 1}


async def test_unknown_keys_are_absent_and_not_cached():
    guard, cache = guard_for()
    source = Source()

    found = await guard.batch("products", ["unknown1", "p1"], source.fetch, policy=CACHED)

    assert found == {"p1": "p1@1"}
    assert len(cache) == 1


async def test_an_empty_batch_calls_nothing():
    guard, _ = guard_for()
    source = Source()

    assert await guard.batch("products", [], source.fetch, policy=CACHED) == {}
    assert source.calls == []


async def test_entries_expire_after_their_ttl():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    source.version = 2

    clock.seconds += 9.9
    before = await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    clock.seconds += 0.1
    after = await guard.batch("products", ["p1"], source.fetch, policy=CACHED)

    assert (before, after) == ({"p1": "p1@1"}, {"p1": "p1@2"})
    assert len(source.calls) == 2


async def test_scope_keeps_answers_for_different_contexts_apart():
    guard, _ = guard_for()
    source = Source()

    await guard.batch("prices", ["v1"], source.fetch, policy=CACHED, scope="web|1|-")
    await guard.batch("prices", ["v1"], source.fetch, policy=CACHED, scope="store|1|-")
    await guard.batch("prices", ["v1"], source.fetch, policy=CACHED, scope="web|1|-")

    assert source.calls == [["v1"], ["v1"]]


async def test_a_price_is_never_served_past_its_boundary_fresh_or_stale():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    boundary = clock.seconds + 5
    policy = CachePolicy(ttl=60, stale=600, revalidate=600)

    await guard.batch("prices", ["v1"], source.fetch, policy=policy, expires_at=lambda _: boundary)
    clock.seconds += 4.9
    await guard.batch("prices", ["v1"], source.fetch, policy=policy, expires_at=lambda _: boundary)
    assert len(source.calls) == 1

    clock.seconds += 0.1
    source.failures.append(down())
    with pytest.raises(SourceUnavailable):
        await guard.batch(
            "prices", ["v1"], source.fetch, policy=policy, expires_at=lambda _: boundary
        )
    assert len(source.calls) == 2


async def test_a_value_already_past_its_boundary_is_not_stored():
    clock = ManualClock()
    guard, cache = guard_for(clock)
    source = Source()

    await guard.batch(
        "prices", ["v1"], source.fetch, policy=CACHED, expires_at=lambda _: clock.seconds - 1
    )

    assert len(cache) == 0


async def test_live_reads_skip_the_cache_but_refresh_it():
    guard, _ = guard_for()
    source = Source()
    await guard.batch("stock", ["v1"], source.fetch, policy=CACHED)
    source.version = 2

    live = await guard.batch("stock", ["v1"], source.fetch, policy=CACHED, live=True)
    listing = await guard.batch("stock", ["v1"], source.fetch, policy=CACHED)

    assert live == listing == {"v1": "v1@2"}
    assert len(source.calls) == 2


async def test_private_data_never_goes_to_a_shared_cache():
    class SharedMemoryCache(MemoryCache):
        shared = True

    cache = SharedMemoryCache(clock=SystemClock())
    guard = SourceGuard("crm", cache=cache, timeout=1.0, clock=ManualClock())
    source = Source()

    await guard.batch("customers", ["c1"], source.fetch, policy=CachePolicy(ttl=10, private=True))

    assert len(cache) == 0


async def test_entries_are_tagged_with_their_key_and_the_extra_tags_given():
    guard, cache = guard_for()
    source = Source()
    for scope in ("web|1|-", "store|1|-"):
        await guard.batch("prices", ["v1", "v2"], source.fetch, policy=CACHED, scope=scope)
    await guard.batch(
        "products_by_sku", ["sku1"], source.fetch, policy=CACHED, tags_of=lambda k, v: ["pim:p9"]
    )

    assert await cache.invalidate_tags(["pim:v1"]) == 2
    assert await cache.invalidate_tags(["pim:p9"]) == 1
    assert len(cache) == 2


# --- single-flight ------------------------------------------------------------------------


async def test_one_hundred_concurrent_misses_of_a_key_make_one_source_call():
    guard, _ = guard_for()
    source = Source(delay=0.01)

    answers = await asyncio.gather(
        *(guard.batch("products", ["p1"], source.fetch, policy=CACHED) for _ in range(100))
    )

    assert source.calls == [["p1"]]
    assert all(answer == {"p1": "p1@1"} for answer in answers)


async def test_overlapping_batches_fetch_only_the_keys_not_already_in_flight():
    guard, _ = guard_for()
    source = Source(delay=0.01)

    first, second = await asyncio.gather(
        guard.batch("products", ["p1", "p2"], source.fetch, policy=CACHED),
        guard.batch("products", ["p2", "p3"], source.fetch, policy=CACHED),
    )

    assert source.calls == [["p1", "p2"], ["p3"]]
    assert first == {"p1": "p1@1", "p2": "p2@1"}
    assert second == {"p2": "p2@1", "p3": "p3@1"}


async def test_concurrent_misses_share_the_failure_too():
    guard, _ = guard_for()
    source = Source(delay=0.01)
    source.failures.append(down())

    results = await asyncio.gather(
        *(guard.batch("products", ["p1"], source.fetch, policy=CACHED) for _ in range(10)),
        return_exceptions=True,
    )

    assert len(source.calls) == 1
    assert all(isinstance(result, SourceUnavailable) for result in results)


async def test_a_cancelled_caller_does_not_cancel_the_fetch_others_wait_for():
    guard, _ = guard_for()
    source = Source()
    source.gate = asyncio.Event()

    leader = asyncio.create_task(guard.batch("products", ["p1"], source.fetch, policy=CACHED))
    follower = asyncio.create_task(guard.batch("products", ["p1"], source.fetch, policy=CACHED))
    await eventually(lambda: source.in_flight == 1)
    leader.cancel()
    await asyncio.sleep(0)
    source.gate.set()

    assert await follower == {"p1": "p1@1"}
    assert leader.cancelled()
    assert len(source.calls) == 1


async def test_a_live_read_does_not_join_a_fetch_that_a_listing_started():
    guard, _ = guard_for()
    source = Source(delay=0.01)

    await asyncio.gather(
        guard.batch("stock", ["v1"], source.fetch, policy=CACHED),
        guard.batch("stock", ["v1"], source.fetch, policy=CACHED, live=True),
        guard.batch("stock", ["v1"], source.fetch, policy=CACHED),
    )

    assert source.calls == [["v1"], ["v1"]]


async def test_an_answer_fetched_across_an_invalidation_is_not_cached():
    guard, cache = guard_for()
    source = Source()
    source.gate = asyncio.Event()

    pending = asyncio.create_task(
        guard.batch("products", ["p1", "p2"], source.fetch, policy=CACHED)
    )
    await eventually(lambda: source.in_flight == 1)
    await guard.on_invalidation(InvalidationEvent("pricing", "price", ["p1"]))
    await guard.on_invalidation(InvalidationEvent("pim", "product", ["p1"]))
    source.version = 2
    after = asyncio.create_task(guard.batch("products", ["p1"], source.fetch, policy=CACHED))
    await eventually(lambda: source.in_flight == 2)
    source.gate.set()

    assert await pending == {"p1": "p1@1", "p2": "p2@1"}
    assert await after == {"p1": "p1@2"}
    assert len(source.calls) == 2
    assert len(cache) == 1  # only the answer fetched after the change


async def test_missed_invalidations_discard_every_fetch_in_flight():
    guard, cache = guard_for()
    source = Source()
    source.gate = asyncio.Event()

    pending = asyncio.create_task(guard.batch("products", ["p1"], source.fetch, policy=CACHED))
    await eventually(lambda: source.in_flight == 1)
    await guard.on_invalidation(None)
    source.gate.set()

    assert await pending == {"p1": "p1@1"}
    assert len(cache) == 0


# --- stale-if-error and stale-while-revalidate -----------------------------------------------


async def test_stale_entries_are_served_when_the_source_is_down_and_marked_in_the_trace():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, stale=60)
    await guard.batch("products", ["p1", "p2"], source.fetch, policy=policy)
    clock.seconds += 30
    source.failures.append(down())

    with tracing(SourceTrace()) as trace:
        found = await guard.batch("products", ["p1", "p2"], source.fetch, policy=policy)

    assert found == {"p1": "p1@1", "p2": "p2@1"}
    assert trace.stale_served == {"pim": 2}
    assert trace.summary()["sources"] == {
        "pim": {"calls": 1, "keys": 2, "ms": pytest.approx(0, abs=50), "staleServed": 2}
    }


async def test_stale_entries_are_not_served_when_some_missing_key_has_none():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, stale=60)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    clock.seconds += 30
    source.failures.append(down())

    with pytest.raises(SourceUnavailable):
        await guard.batch("products", ["p1", "p2"], source.fetch, policy=policy)


async def test_stale_entries_are_not_served_when_the_source_rejects_the_request():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, stale=60)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    clock.seconds += 30
    source.failures.append(SourceRejected("pim", "400"))

    with pytest.raises(SourceRejected):
        await guard.batch("products", ["p1"], source.fetch, policy=policy)


async def test_stale_while_revalidate_answers_at_once_and_refreshes_once_in_the_background():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source(delay=0.01)
    policy = CachePolicy(ttl=10, revalidate=30)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    source.version = 2
    clock.seconds += 15

    with tracing(SourceTrace()) as trace:
        answers = await asyncio.gather(
            *(guard.batch("products", ["p1"], source.fetch, policy=policy) for _ in range(5))
        )
    assert answers == [{"p1": "p1@1"}] * 5
    assert trace.calls == []  # the refresh belongs to no request
    assert trace.cache_hits == {"pim": 5}

    await guard.wait_background()
    assert len(source.calls) == 2
    assert await guard.batch("products", ["p1"], source.fetch, policy=policy) == {"p1": "p1@2"}
    assert len(source.calls) == 2


async def test_past_the_revalidate_window_the_caller_waits_for_the_source():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, revalidate=30)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    source.version = 2
    clock.seconds += 40

    assert await guard.batch("products", ["p1"], source.fetch, policy=policy) == {"p1": "p1@2"}


async def test_a_failed_background_refresh_keeps_serving_the_entry():
    clock = ManualClock()
    guard, _ = guard_for(clock)
    source = Source()
    policy = CachePolicy(ttl=10, revalidate=30)
    await guard.batch("products", ["p1"], source.fetch, policy=policy)
    clock.seconds += 15
    source.failures.append(down())

    assert await guard.batch("products", ["p1"], source.fetch, policy=policy) == {"p1": "p1@1"}
    await guard.wait_background()

    assert await guard.batch("products", ["p1"], source.fetch, policy=policy) == {"p1": "p1@1"}
    await guard.wait_background()
    assert len(source.calls) == 3


# --- retries, timeouts, breaker, concurrency ----------------------------------------------------

FAST_RETRIES = ResiliencePolicy(retries=2, backoff_base=0.001, backoff_max=0.002)


async def test_idempotent_reads_are_retried_on_source_unavailable():
    guard, _ = guard_for(resilience=FAST_RETRIES)
    source = Source()
    source.failures += [down(), SourceTimeout("pim", "slow")]

    with tracing(SourceTrace()) as trace:
        found = await guard.batch("products", ["p1"], source.fetch, policy=CACHED)

    assert found == {"p1": "p1@1"}
    assert len(source.calls) == 3
    assert [call.outcome for call in trace.calls] == ["SourceUnavailable", "SourceTimeout", "ok"]


async def test_retries_give_up_after_the_configured_number():
    guard, _ = guard_for(resilience=FAST_RETRIES)
    source = Source()
    source.failures += [down(), down(), down(), down()]

    with pytest.raises(SourceUnavailable, match="503"):
        await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    assert len(source.calls) == 3


@pytest.mark.parametrize(
    "error", [SourceRejected("pim", "400"), SourceContractViolation("pim", "no items")]
)
async def test_errors_of_our_own_making_are_never_retried(error):
    guard, _ = guard_for(resilience=FAST_RETRIES)
    source = Source()
    source.failures.append(error)

    with pytest.raises(type(error)):
        await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    assert len(source.calls) == 1


async def test_non_idempotent_calls_get_one_attempt():
    guard, _ = guard_for(resilience=FAST_RETRIES)
    source = Source()
    source.failures.append(down())

    with pytest.raises(SourceUnavailable):
        await guard.call("place_order", 1, lambda: source.fetch(["o1"]), idempotent=False)
    assert len(source.calls) == 1


async def test_without_a_policy_there_is_a_single_attempt():
    guard, _ = guard_for()
    source = Source()
    source.failures.append(down())

    with pytest.raises(SourceUnavailable):
        await guard.call("search", 1, lambda: source.fetch(["q"]))
    assert len(source.calls) == 1


async def test_an_attempt_that_times_out_is_retried_within_the_budget():
    policy = ResiliencePolicy(retries=2, backoff_base=0.001, attempt_timeout=0.05)
    guard, _ = guard_for(resilience=policy, timeout=1.0)
    delays = [5.0, 0.0]

    async def fetch() -> str:
        await asyncio.sleep(delays.pop(0))
        return "answer"

    with tracing(SourceTrace()) as trace:
        assert await guard.call("search", 1, fetch) == "answer"
    assert [call.outcome for call in trace.calls] == ["SourceTimeout", "ok"]


async def test_no_retry_starts_when_its_backoff_would_overrun_the_budget():
    policy = ResiliencePolicy(retries=5, backoff_base=10, backoff_max=10)
    guard, _ = guard_for(resilience=policy, timeout=0.2, rand=lambda: 1.0)
    source = Source()
    source.failures += [down(), down()]

    with pytest.raises(SourceUnavailable, match="503"):
        await guard.call("search", 1, lambda: source.fetch(["q"]))
    assert len(source.calls) == 1


async def test_the_whole_call_is_bounded_by_the_timeout():
    guard, _ = guard_for(resilience=FAST_RETRIES, timeout=0.05)

    async def hang() -> str:
        await asyncio.sleep(5)
        return "never"

    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(SourceTimeout, match=r"no answer to search within 0\.05 s"):
        await guard.call("search", 1, hang)
    assert loop.time() - started < 2.5  # not the hang's 5 s; the margin is for a loaded machine


async def test_the_breaker_opens_fails_fast_and_closes_after_a_good_trial():
    clock = ManualClock()
    policy = ResiliencePolicy(retries=0, breaker_failures=3, breaker_reset_seconds=10)
    guard, _ = guard_for(clock, resilience=policy)
    source = Source()
    source.failures += [down(), down(), down()]
    for _ in range(3):
        with pytest.raises(SourceUnavailable, match="503"):
            await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    assert guard.breaker.state == "open"

    with pytest.raises(SourceUnavailable, match="circuit open"):
        await guard.batch("products", ["p1"], source.fetch, policy=CACHED)
    assert len(source.calls) == 3

    clock.seconds += 10
    assert state_of(guard) == "half_open"
    assert await guard.batch("products", ["p1"], source.fetch, policy=CACHED) == {"p1": "p1@1"}
    assert state_of(guard) == "closed"
    assert len(source.calls) == 4


async def test_a_failing_trial_reopens_the_breaker():
    clock = ManualClock()
    policy = ResiliencePolicy(retries=0, breaker_failures=1, breaker_reset_seconds=10)
    guard, _ = guard_for(clock, resilience=policy)
    source = Source()
    source.failures += [down(), down()]
    with pytest.raises(SourceUnavailable):
        await guard.call("search", 1, lambda: source.fetch(["q"]))
    clock.seconds += 10

    with pytest.raises(SourceUnavailable, match="503"):
        await guard.call("search", 1, lambda: source.fetch(["q"]))

    assert guard.breaker.state == "open"
    with pytest.raises(SourceUnavailable, match="circuit open"):
        await guard.call("search", 1, lambda: source.fetch(["q"]))


async def test_stale_entries_are_served_while_the_breaker_is_open():
    clock = ManualClock()
    policy = ResiliencePolicy(retries=0, breaker_failures=1, breaker_reset_seconds=60)
    guard, _ = guard_for(clock, resilience=policy)
    source = Source()
    cache_policy = CachePolicy(ttl=10, stale=300)
    await guard.batch("products", ["p1"], source.fetch, policy=cache_policy)
    clock.seconds += 20
    source.failures.append(down())
    await guard.batch("products", ["p1"], source.fetch, policy=cache_policy)
    assert guard.breaker.state == "open"

    with tracing(SourceTrace()) as trace:
        found = await guard.batch("products", ["p1"], source.fetch, policy=cache_policy)

    assert found == {"p1": "p1@1"}
    assert trace.stale_served == {"pim": 1}
    assert len(source.calls) == 2


async def test_concurrent_calls_to_a_source_are_capped():
    policy = ResiliencePolicy(retries=0, max_concurrency=3)
    guard, _ = guard_for(resilience=policy)
    source = Source(delay=0.01)

    await asyncio.gather(
        *(guard.call("search", 1, functools.partial(source.fetch, [f"q{i}"])) for i in range(10))
    )

    assert len(source.calls) == 10
    assert source.most_in_flight == 3


async def test_waiting_too_long_for_a_slot_times_out_without_blaming_the_source():
    policy = ResiliencePolicy(retries=0, max_concurrency=1, breaker_failures=5)
    guard, _ = guard_for(resilience=policy, timeout=0.05)

    async def stubborn() -> str:
        # An adapter slow to honour cancellation keeps its slot past our deadline.
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            await asyncio.sleep(0.1)
            raise
        return "never"

    first, second = await asyncio.gather(
        guard.call("search", 1, stubborn),
        guard.call("search", 1, stubborn),
        return_exceptions=True,
    )

    assert isinstance(first, SourceTimeout)
    assert "no answer to search" in str(first)
    assert isinstance(second, SourceTimeout)
    assert "no free slot for search" in str(second)
    assert guard.breaker.consecutive_failures == 1


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
