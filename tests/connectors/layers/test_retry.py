"""The retry and timeout layers: idempotent reads retried with backoff within the deadline."""

from __future__ import annotations

import asyncio
from typing import TypeVar

import pytest

from connectors.errors import (
    CircuitOpen,
    SourceContractViolation,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
)
from connectors.layers.requests import Call
from connectors.layers.retry import Retry
from connectors.resilience import ResiliencePolicy
from connectors.trace import Recorder
from tests.connectors.layers.support import CACHED, Scripted, Source, down, guard_for

pytestmark = pytest.mark.anyio

T = TypeVar("T")


# --- retries and timeouts through the stack ------------------------------------------------

FAST_RETRIES = ResiliencePolicy(retries=2, backoff_base=0.001, backoff_max=0.002)


async def test_idempotent_reads_are_retried_on_source_unavailable():
    guard, _ = guard_for(resilience=FAST_RETRIES)
    source = Source()
    source.failures += [down(), SourceTimeout("pim", "slow")]

    recorder = Recorder()
    found = await guard.bound(recorder).batch("products", ["p1"], source.fetch, policy=CACHED)

    assert found == {"p1": "p1@1"}
    assert len(source.calls) == 3
    assert [call.outcome for call in recorder.calls.calls] == [
        "SourceUnavailable",
        "SourceTimeout",
        "ok",
    ]


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

    recorder = Recorder()
    assert await guard.bound(recorder).call("search", 1, fetch) == "answer"
    assert [call.outcome for call in recorder.calls.calls] == ["SourceTimeout", "ok"]


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


# --- the retry layer alone, over a scripted layer -------------------------------------------


async def never() -> str:
    raise AssertionError("the scripted layer answers instead")


async def test_a_breaker_opening_during_retries_reports_the_sources_own_error():
    inner = Scripted(down(), CircuitOpen("pim", "circuit open after 5 consecutive failures"))
    retry = Retry(1.0, FAST_RETRIES, inner, rand=lambda: 0.0)

    with pytest.raises(SourceUnavailable, match="503") as raised:
        await retry.call(Call("products", 1, never))

    assert not isinstance(raised.value, CircuitOpen)
    assert len(inner.attempts) == 2


async def test_each_attempt_gets_its_own_limit_within_the_deadline():
    policy = ResiliencePolicy(retries=1, backoff_base=0.05, attempt_timeout=0.2)
    inner = Scripted(down(), "answer")
    retry = Retry(1.0, policy, inner, rand=lambda: 1.0)  # a backoff of 0.05 s

    assert await retry.call(Call("search", 1, never)) == "answer"

    (first_limit, first_budget), (second_limit, second_budget) = inner.bounds
    assert first_budget == pytest.approx(0.2, abs=0.01)
    assert second_budget == pytest.approx(0.2, abs=0.01)
    assert second_limit >= first_limit + 0.05
