from __future__ import annotations

import pytest

from connectors.errors import SourceUnavailable
from connectors.resilience import CircuitBreaker, ResiliencePolicy, backoff_delay


def state_of(breaker: CircuitBreaker) -> str:
    # A function, not the property, so mypy does not narrow it across a clock change.
    return breaker.state


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_backoff_is_full_jitter_under_an_exponential_ceiling():
    policy = ResiliencePolicy(backoff_base=0.05, backoff_max=1.0)

    assert backoff_delay(0, policy, lambda: 1.0) == pytest.approx(0.05)
    assert backoff_delay(2, policy, lambda: 1.0) == pytest.approx(0.2)
    assert backoff_delay(2, policy, lambda: 0.5) == pytest.approx(0.1)
    assert backoff_delay(10, policy, lambda: 1.0) == pytest.approx(1.0)
    assert backoff_delay(3, policy, lambda: 0.0) == 0.0


def test_policy_defaults_are_the_documented_ones():
    policy = ResiliencePolicy()

    assert (policy.retries, policy.backoff_base, policy.backoff_max) == (2, 0.05, 1.0)
    assert (policy.breaker_failures, policy.breaker_reset_seconds) == (5, 10.0)
    assert policy.max_concurrency == 20


@pytest.mark.parametrize(
    "overrides",
    [{"retries": -1}, {"max_concurrency": -1}, {"backoff_base": -0.1}, {"attempt_timeout": 0}],
)
def test_policy_refuses_negative_settings(overrides):
    with pytest.raises(ValueError, match="ResiliencePolicy"):
        ResiliencePolicy(**overrides)


def test_breaker_opens_after_consecutive_failures_and_fails_fast():
    clock = Clock()
    breaker = CircuitBreaker("pim", failures=3, reset_seconds=10, clock=clock)

    for _ in range(3):
        trial = breaker.acquire()
        breaker.failure(trial)

    assert state_of(breaker) == "open"
    with pytest.raises(SourceUnavailable, match=r"pim: circuit open after 3 .* in 10.0 s"):
        breaker.acquire()


def test_a_success_resets_the_count_of_consecutive_failures():
    breaker = CircuitBreaker("pim", failures=3, reset_seconds=10, clock=Clock())

    for outcome in ["failure", "failure", "success", "failure", "failure"]:
        trial = breaker.acquire()
        getattr(breaker, outcome)(trial)

    assert state_of(breaker) == "closed"
    assert breaker.consecutive_failures == 2


def test_half_open_lets_one_trial_through_and_closes_when_it_succeeds():
    clock = Clock()
    breaker = CircuitBreaker("pim", failures=1, reset_seconds=10, clock=clock)
    breaker.failure(breaker.acquire())

    clock.now += 9.9
    assert state_of(breaker) == "open"
    clock.now += 0.1
    assert state_of(breaker) == "half_open"

    trial = breaker.acquire()
    assert trial is True
    with pytest.raises(SourceUnavailable, match="trial call is in progress"):
        breaker.acquire()
    breaker.success(trial)

    assert state_of(breaker) == "closed"
    assert breaker.acquire() is False


def test_a_failed_trial_opens_the_breaker_for_another_reset_period():
    clock = Clock()
    breaker = CircuitBreaker("pim", failures=1, reset_seconds=10, clock=clock)
    breaker.failure(breaker.acquire())
    clock.now += 10

    breaker.failure(breaker.acquire())

    assert state_of(breaker) == "open"
    clock.now += 10
    assert state_of(breaker) == "half_open"


def test_a_cancelled_trial_lets_the_next_caller_try():
    clock = Clock()
    breaker = CircuitBreaker("pim", failures=1, reset_seconds=10, clock=clock)
    breaker.failure(breaker.acquire())
    clock.now += 10

    breaker.release(breaker.acquire())

    assert state_of(breaker) == "half_open"
    assert breaker.acquire() is True


def test_late_results_of_calls_started_before_opening_do_not_close_it():
    breaker = CircuitBreaker("pim", failures=1, reset_seconds=10, clock=Clock())
    early = breaker.acquire()
    breaker.failure(breaker.acquire())

    breaker.success(early)

    assert state_of(breaker) == "open"


def test_a_breaker_with_zero_failures_never_opens():
    breaker = CircuitBreaker("pim", failures=0, reset_seconds=10, clock=Clock())

    for _ in range(100):
        breaker.failure(breaker.acquire())

    assert state_of(breaker) == "closed"
