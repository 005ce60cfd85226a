"""The bulkhead: at most so many calls in flight to one source."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from connectors.errors import NoFreeSlot
from connectors.layers.requests import Call, CallLayer

T = TypeVar("T")


class Bulkhead:
    """Holds a slot of `cap` for each call; waiting past the attempt's limit is `NoFreeSlot`.

    A `cap` of 0 is no cap: calls pass straight through.

    A source that slows down then ties up at most `cap` of our connections and tasks, and
    the calls queued behind them fail in time instead of piling up.
    """

    def __init__(self, source: str, cap: int, inner: CallLayer) -> None:
        self._source = source
        self._cap = cap
        self._slots = asyncio.Semaphore(cap)
        self._inner = inner

    async def call(self, call: Call[T]) -> T:
        if not self._cap:
            return await self._inner.call(call)
        try:
            if self._slots.locked():  # a free slot needs no timer
                async with asyncio.timeout_at(call.limit):
                    await self._slots.acquire()
            else:
                await self._slots.acquire()
        except TimeoutError as exc:
            raise NoFreeSlot(
                self._source,
                f"no free slot for {call.operation} within {call.budget:.3g} s "
                f"({self._cap} calls already in flight)",
            ) from exc
        try:
            return await self._inner.call(call)
        finally:
            self._slots.release()
