"""The circuit breaker layer: fails calls fast while the source keeps failing."""

from __future__ import annotations

from typing import TypeVar

from connectors.errors import ConnectorError, NoFreeSlot, SourceUnavailable
from connectors.layers.requests import Call, CallLayer
from connectors.resilience import CircuitBreaker

T = TypeVar("T")


class Breaker:
    """Asks `breaker` before each attempt and tells it how the attempt ended.

    A source that answered, even with an error of ours (a rejected request, an odd
    document), is up: that counts as a success. An attempt that never reached it (no free
    slot) or ended neither way (cancelled, our own bug) counts as nothing.
    """

    def __init__(self, breaker: CircuitBreaker, inner: CallLayer) -> None:
        self.breaker = breaker
        self._inner = inner

    async def call(self, call: Call[T]) -> T:
        trial = self.breaker.acquire()
        verdict = self.breaker.release
        try:
            result = await self._inner.call(call)
            verdict = self.breaker.success
            return result
        except NoFreeSlot:
            raise
        except SourceUnavailable:
            verdict = self.breaker.failure
            raise
        except ConnectorError:
            verdict = self.breaker.success
            raise
        finally:
            verdict(trial)
