"""The overall deadline and the retries: full-jitter backoff, for idempotent calls only."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import TypeVar

from connectors.errors import CircuitOpen, SourceUnavailable
from connectors.layers.requests import Call, CallLayer
from connectors.resilience import ResiliencePolicy, backoff_delay

T = TypeVar("T")


class Retry:
    """Gives a call `timeout` seconds in all, and idempotent ones `policy.retries` more tries.

    Only `SourceUnavailable` (timeouts included) is retried, after a full-jitter backoff,
    and only if the wait ends before the deadline; each attempt is bounded by
    `policy.attempt_timeout` within it. Non-idempotent calls (writes the source does not
    key) get one attempt: a blind retry could apply them twice.
    """

    def __init__(
        self,
        timeout: float,
        policy: ResiliencePolicy,
        inner: CallLayer,
        *,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._timeout = timeout
        self._policy = policy
        self._inner = inner
        self._rand = rand

    async def call(self, call: Call[T]) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        retries = self._policy.retries if call.idempotent else 0
        last_error: SourceUnavailable | None = None
        for attempt in range(retries + 1):
            began = loop.time()
            limit = deadline
            if self._policy.attempt_timeout is not None:
                limit = min(deadline, began + self._policy.attempt_timeout)
            # The call is this caller's own: each attempt just resets its bounds in place.
            call.limit, call.budget, call.reached = limit, limit - began, None
            try:
                return await self._inner.call(call)
            except CircuitOpen:
                if last_error is not None:
                    # The breaker opened during our retries: the source's own error says more.
                    raise last_error from None
                raise
            except SourceUnavailable as exc:
                last_error = exc
                if attempt == retries:
                    raise
                delay = backoff_delay(attempt, self._policy, self._rand)
                if loop.time() + delay >= deadline:
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")
