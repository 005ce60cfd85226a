"""Finishing what a crash interrupted: unfinished checkouts, completed or undone.

A process that dies in the middle of a checkout leaves it unfinished in the checkout log
(resolvers/checkout_saga.py). Every instance looks for such checkouts when it starts and
then every `checkout.recovery_interval_seconds`; one that has been still for
`checkout.recovery_grace_seconds` is completed when its order exists, else undone. Each
step is keyed, so two instances recovering the same checkout do it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from kernel.clock import Clock
from resolvers.checkout_saga import CheckoutSaga

logger = logging.getLogger("gateway.recovery")


class CheckoutRecovery:
    """A background task that recovers unfinished checkouts now and then."""

    def __init__(
        self, saga: CheckoutSaga, clock: Clock, *, interval_seconds: float, grace_seconds: float
    ) -> None:
        self._saga = saga
        self._clock = clock
        self._interval = interval_seconds
        self._grace = timedelta(seconds=grace_seconds)
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> list[tuple[str, str]]:
        """Recover the checkouts still since before the grace period; (id, outcome) pairs."""
        outcomes = await self._saga.recover(self._clock.now() - self._grace)
        for checkout_id, outcome in outcomes:
            logger.warning("checkout %s was interrupted and is now %s", checkout_id, outcome)
        return outcomes

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="checkout-recovery")

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
                logger.exception("recovering unfinished checkouts failed")
            await asyncio.sleep(self._interval)
