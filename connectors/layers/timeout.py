"""The attempt timeout: no answer by the attempt's limit is a `SourceTimeout`."""

from __future__ import annotations

import asyncio
import time
from typing import TypeVar

from connectors.errors import SourceTimeout
from connectors.layers.requests import Call, CallLayer

T = TypeVar("T")


class Timeout:
    """Bounds the source's answer by `call.limit` (set by `Retry`) and notes when it was asked."""

    def __init__(self, source: str, inner: CallLayer) -> None:
        self._source = source
        self._inner = inner

    async def call(self, call: Call[T]) -> T:
        try:
            async with asyncio.timeout_at(call.limit):
                call.reached = time.perf_counter()
                return await self._inner.call(call)
        except TimeoutError as exc:
            raise SourceTimeout(
                self._source, f"no answer to {call.operation} within {call.budget:.3g} s"
            ) from exc
