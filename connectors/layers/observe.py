"""Observation of every attempt: the metrics, and the request's call log."""

from __future__ import annotations

import asyncio
import time
from typing import TypeVar

from connectors.errors import CircuitOpen, ConnectorError, NoFreeSlot
from connectors.layers.requests import Call, CallLayer
from connectors.metrics import SourceMetrics
from connectors.trace import SourceCall

T = TypeVar("T")


class Observe:
    """Counts each attempt by outcome, times those that reached the source, and logs them.

    It sits above the breaker and the bulkhead so that the attempts they turn away are
    counted too ("circuit_open", "saturated"); only attempts that reached the source have
    a duration and go into the request's call log (`call.recorder`).
    """

    def __init__(self, source: str, metrics: SourceMetrics | None, inner: CallLayer) -> None:
        self._source = source
        self._metrics = metrics
        self._inner = inner

    async def call(self, call: Call[T]) -> T:
        outcome = "ok"
        try:
            return await self._inner.call(call)
        except CircuitOpen:
            outcome = "circuit_open"
            raise
        except NoFreeSlot:
            outcome = "saturated"
            raise
        except ConnectorError as exc:
            outcome = type(exc).__name__
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            started = call.reached
            elapsed = None if started is None else time.perf_counter() - started
            if self._metrics is not None:
                self._metrics.observe_call(self._source, call.operation, outcome, elapsed)
            if started is not None and elapsed is not None and call.recorder is not None:
                call.recorder.calls.calls.append(
                    SourceCall(
                        self._source, call.operation, call.keys, elapsed * 1000, outcome, started
                    )
                )
