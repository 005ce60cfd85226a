"""Finishing what a crash interrupted: unfinished checkouts, and return keys left claimed.

A process that dies in the middle of a checkout leaves it unfinished in the checkout log
(resolvers/checkout_saga.py); one that dies in the middle of a return mutation leaves its
idempotency key claimed (resolvers/return_recovery.py). Every instance looks for both when
it starts and then every `checkout.recovery_interval_seconds`; what has been still for
`checkout.recovery_grace_seconds` is completed when its write happened, else undone or
released. Each step is keyed, so two instances recovering the same thing do it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from kernel.clock import Clock

#: Recovers what has been still since before the moment it is given: (what, outcome) pairs.
Sweep = Callable[[datetime], Awaitable[list[tuple[str, str]]]]

logger = logging.getLogger("gateway.recovery")


class Recovery:
    """A background task that runs the recovery sweeps now and then."""

    def __init__(
        self,
        sweeps: Sequence[Sweep],
        clock: Clock,
        *,
        interval_seconds: float,
        grace_seconds: float,
    ) -> None:
        self._sweeps = tuple(sweeps)
        self._clock = clock
        self._interval = interval_seconds
        self._grace = timedelta(seconds=grace_seconds)
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> list[tuple[str, str]]:
        """Recover what has been still since before the grace period; (what, outcome) pairs."""
        older_than = self._clock.now() - self._grace
        outcomes = []
        for sweep in self._sweeps:
            outcomes += await sweep(older_than)
        for what, outcome in outcomes:
            logger.warning("interrupted work recovered: %s is %s", what, outcome)
        return outcomes

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="recovery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                # The next round tries again; a database that is away must not end the loop.
                logger.exception("recovering interrupted work failed")
            await asyncio.sleep(self._interval)
