"""Resilience for source calls: the policy, a circuit breaker per source and jittered backoff.

The layers of `connectors.layers` apply these around every upstream call; they live here
so that each can be tested with an injected clock and random source, without an event loop.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from connectors.errors import CircuitOpen

logger = logging.getLogger(__name__)

BreakerState = Literal["closed", "open", "half_open"]


@dataclass(frozen=True, slots=True)
class ResiliencePolicy:
    """How a guard retries, trips and queues the calls to one source.

    `retries` extra attempts are made for idempotent reads that failed with
    `SourceUnavailable` (timeouts included), waiting a full-jitter exponential backoff
    (random in [0, min(backoff_max, backoff_base × 2^attempt)]) between them, all within the
    guard's timeout. `attempt_timeout` bounds one attempt (None: whatever is left of the
    guard's timeout); set it below the guard's timeout for timeouts to be retried at all.
    After `breaker_failures` consecutive failures the breaker opens for
    `breaker_reset_seconds`; at most `max_concurrency` calls are in flight per source.
    Zero turns a mechanism off (no retry, a breaker that never opens, no cap).
    """

    retries: int = 2
    backoff_base: float = 0.05
    backoff_max: float = 1.0
    breaker_failures: int = 5
    breaker_reset_seconds: float = 10.0
    max_concurrency: int = 20
    attempt_timeout: float | None = None

    def __post_init__(self) -> None:
        for name in ("retries", "breaker_failures", "max_concurrency"):
            if getattr(self, name) < 0:
                raise ValueError(f"ResiliencePolicy.{name} must be 0 or more")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.breaker_reset_seconds < 0:
            raise ValueError("ResiliencePolicy backoff and reset times must be 0 or more")
        if self.attempt_timeout is not None and self.attempt_timeout <= 0:
            raise ValueError("ResiliencePolicy.attempt_timeout must be positive, or None")


#: What a guard does without a policy: one attempt, no breaker, no cap (the pre-resilience
#: behaviour, which tests with fakes that count calls rely on).
NO_RESILIENCE = ResiliencePolicy(retries=0, breaker_failures=0, max_concurrency=0)


def backoff_delay(
    attempt: int, policy: ResiliencePolicy, rand: Callable[[], float] = random.random
) -> float:
    """The wait before retry number `attempt` (0-based): "full jitter", as in AWS's backoff study.

    Full jitter spreads the retries of many callers hit by one outage over the whole window,
    instead of bunching them into waves that hit a recovering source together.
    """
    ceiling: float = min(policy.backoff_max, policy.backoff_base * 2.0**attempt)
    return ceiling * rand()


class CircuitBreaker:
    """Fails calls to a source fast while it keeps failing, and lets one trial call probe it.

    closed --(N consecutive failures)--> open --(reset time)--> half_open
    half_open --(the trial call succeeds)--> closed; --(it fails)--> open again.

    A caller asks `acquire()` before calling the source (it raises `SourceUnavailable` while
    open) and reports the result with `success(trial)`, `failure(trial)` or `release(trial)`
    (neither: cancelled, or our own bug), passing on what `acquire()` returned. Results of
    calls started before the breaker opened are ignored while it is not closed: only the
    trial decides.
    """

    def __init__(
        self,
        source: str,
        *,
        failures: int,
        reset_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self._threshold = failures
        self._reset_seconds = reset_seconds
        self._clock = clock
        self._state: BreakerState = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        """Closed, open, or half_open: open with its reset time passed, letting a trial through."""
        if self._state == "open" and self._clock() - self._opened_at >= self._reset_seconds:
            return "half_open"
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def acquire(self) -> bool:
        """Let a call through or raise `CircuitOpen`; True when the call is the trial."""
        state = self.state
        if state == "closed":
            return False
        if state == "half_open" and not self._trial_running:
            self._state = "half_open"
            self._trial_running = True
            return True
        if state == "half_open":
            raise CircuitOpen(self.source, "circuit open (a trial call is in progress)")
        remaining = self._reset_seconds - (self._clock() - self._opened_at)
        raise CircuitOpen(
            self.source,
            f"circuit open after {self._threshold} consecutive failures; "
            f"next trial in {remaining:.1f} s",
        )

    def success(self, trial: bool) -> None:
        if trial:
            self._trial_running = False
            self._state = "closed"
            self._failures = 0
            logger.info("circuit for %s closed: the trial call succeeded", self.source)
        elif self._state == "closed":
            self._failures = 0

    def failure(self, trial: bool) -> None:
        if trial:
            self._trial_running = False
            self._open()
        elif self._state == "closed" and self._threshold > 0:
            self._failures += 1
            if self._failures >= self._threshold:
                self._open()

    def release(self, trial: bool) -> None:
        """Forget a call that ended neither way; a cancelled trial lets the next one through."""
        if trial:
            self._trial_running = False

    def _open(self) -> None:
        self._state = "open"
        self._opened_at = self._clock()
        logger.warning(
            "circuit for %s opened after %d consecutive failures; next trial in %g s",
            self.source,
            self._failures,
            self._reset_seconds,
        )
