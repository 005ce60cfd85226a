"""The bottom of every stack: the embedded or HTTP connector method itself."""

from __future__ import annotations

from typing import TypeVar

from connectors.layers.requests import Call

T = TypeVar("T")


class Adapter:
    """Makes the call: awaits the connector method the guarded connector wrapped in it."""

    async def call(self, call: Call[T]) -> T:
        return await call.fetch()
