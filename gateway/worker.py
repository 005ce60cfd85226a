"""The outbox worker: delivers the outbox's due messages, inside the gateway or as a process of its own.

`OutboxWorker` is a loop: deliver a batch (`resolvers.outbox.Dispatcher`), and when fewer
messages were due than a batch holds, wait for the poll interval or for `wake()` (a
request in the same process that has just written messages). It outlives outages: with
the gateway's database away it logs, waits longer each time (up to `MAX_OUTAGE_WAIT`) and
tries again; a failing target system only makes its messages wait for their retry. Now
and then it deletes the messages sent longer ago than the retention.

The demo runs one in every gateway process (`[outbox] in_process = true`). In production
run `commerce-gateway worker` as processes of their own, as many as the load needs (on
PostgreSQL they share the work without taking one message twice), and set `in_process =
false`, so that request-serving processes deliver nothing. Either way a worker killed at
any moment loses nothing: what it held is delivered again once its lease has passed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
import sys
import time
from datetime import timedelta
from typing import Any

from gateway.config import OutboxSettings, Settings
from kernel.clock import Clock
from ledger import Ledger, LedgerBehind, LedgerUnavailable, Outbox
from resolvers.context import Sources
from resolvers.outbox import DeliveryCounts, DeliveryPolicy, Dispatcher

logger = logging.getLogger("gateway.worker")

#: The longest wait between two tries while the gateway's database is away.
MAX_OUTAGE_WAIT = 30.0
#: Seconds between two purges of sent messages older than the retention.
PURGE_INTERVAL = 3600.0
#: How long `stop()` lets the batch in hand finish (and be acknowledged) before cancelling it.
STOP_GRACE = 5.0


def default_worker_id() -> str:
    """host-pid-random: unique per process, readable in the logs and in `locked_by`."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def delivery_policy(outbox: OutboxSettings) -> DeliveryPolicy:
    """The dispatcher's view of the `[outbox]` settings."""
    return DeliveryPolicy(
        batch_size=outbox.batch_size,
        concurrency=outbox.concurrency,
        lease=timedelta(seconds=outbox.lease_seconds),
        max_attempts=outbox.max_attempts,
        backoff_base=timedelta(seconds=outbox.backoff_base_seconds),
        backoff_max=timedelta(seconds=outbox.backoff_max_seconds),
    )


def build_outbox_worker(
    settings: OutboxSettings,
    sources: Sources,
    ledger: Ledger,
    clock: Clock,
    *,
    worker_id: str | None = None,
) -> OutboxWorker:
    """A worker delivering `ledger`'s outbox with every handler, bound to `sources`."""
    dispatcher = Dispatcher.for_sources(
        sources, ledger.outbox, clock, policy=delivery_policy(settings)
    )
    return OutboxWorker(
        dispatcher,
        ledger.outbox,
        clock,
        worker_id=worker_id,
        poll_interval=settings.poll_interval_seconds,
        sent_retention=timedelta(days=settings.sent_retention_days),
    )


class OutboxWorker:
    """Delivers due outbox messages in a loop until stopped; see the module docstring."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        outbox: Outbox,
        clock: Clock,
        *,
        worker_id: str | None = None,
        poll_interval: float = 1.0,
        sent_retention: timedelta = timedelta(days=7),
    ) -> None:
        self.worker_id = worker_id or default_worker_id()
        self.totals = DeliveryCounts()
        self._dispatcher = dispatcher
        self._outbox = outbox
        self._clock = clock
        self._poll = poll_interval
        self._retention = sent_retention
        self._woken = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._purged_at: float | None = None

    @property
    def dispatcher(self) -> Dispatcher:
        """Delivers messages; requests use it to deliver what they have just committed."""
        return self._dispatcher

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Run the loop in a background task of the running event loop."""
        if self.running:
            return
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name=f"outbox-worker-{self.worker_id}")

    def wake(self) -> None:
        """Deliver now rather than at the next poll (a request has just written messages)."""
        self._woken.set()

    async def stop(self) -> None:
        """Let the batch in hand finish (up to `STOP_GRACE`), then end the loop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._woken.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE)
        except TimeoutError:
            # What it held comes back after the lease; nothing is lost by cutting it short.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        """Deliver until `stop()`; never ends on an error of its own or of its systems."""
        logger.info("outbox worker %s: delivering %s", self.worker_id, self._kinds())
        outage = 0
        while not self._stopping:
            try:
                counts = await self._dispatcher.deliver(self.worker_id)
            except LedgerUnavailable as exc:
                outage += 1
                wait = min(self._poll * 2 ** min(outage, 10), MAX_OUTAGE_WAIT)
                logger.warning(
                    "outbox worker %s: %s; trying again in %.1f s", self.worker_id, exc, wait
                )
                await self._idle(wait)
                continue
            except Exception:
                logger.exception("outbox worker %s: a delivery round failed", self.worker_id)
                await self._idle(self._poll)
                continue
            if outage:
                logger.info("outbox worker %s: the gateway's database is back", self.worker_id)
                outage = 0
            self._count(counts)
            await self._purge_now_and_then()
            if counts.claimed < self._dispatcher.policy.batch_size:
                await self._idle(self._poll)  # nothing more is due now
        logger.info("outbox worker %s: stopped (%s)", self.worker_id, _figures(self.totals))

    async def drain(self) -> DeliveryCounts:
        """Deliver until nothing is due; the counts. Raises `LedgerUnavailable` on an outage."""
        drained = DeliveryCounts()
        while True:
            counts = await self._dispatcher.deliver(self.worker_id)
            self._count(counts)
            drained += counts
            if counts.claimed == 0:
                break
        await self._purge_now_and_then()
        return drained

    def _count(self, counts: DeliveryCounts) -> None:
        self.totals += counts
        if counts.claimed:
            logger.info("outbox worker %s: %s", self.worker_id, _figures(counts))

    async def _idle(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._woken.wait()
        self._woken.clear()

    async def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if self._purged_at is not None and now - self._purged_at < PURGE_INTERVAL:
            return
        self._purged_at = now
        try:
            purged = await self._outbox.purge_sent(self._clock.now() - self._retention)
        except LedgerUnavailable as exc:
            logger.warning("outbox worker %s: purge skipped: %s", self.worker_id, exc)
            return
        if purged:
            logger.info("outbox worker %s: purged %d sent messages", self.worker_id, purged)

    def _kinds(self) -> str:
        return ", ".join(self._dispatcher.kinds) or "no kinds"


def _figures(counts: DeliveryCounts) -> str:
    return (
        f"{counts.claimed} claimed, {counts.sent} sent, {counts.retried} to retry, "
        f"{counts.dead} dead-lettered, {counts.unsettled} unsettled"
    )


# --- `commerce-gateway worker` ----------------------------------------------------------------

DESCRIPTION = """\
Deliver the outbox: the messages the gateway wrote for other systems (e.g. loyalty points to
take back after a refund), each retried with backoff until its system takes it, and
dead-lettered when refused for good. Uses the same configuration as `serve` (the sources'
sections and the gateway's database, which must be shared PostgreSQL for several workers)
and the [outbox] settings. Runs until SIGTERM or SIGINT, finishing the batch in hand.

Production runs these beside `serve` and sets [outbox] in_process = false; the demo delivers
inside the gateway process instead. Any number may run at once: each message goes to one of
them, and one killed at any moment loses nothing (what it held is delivered again, with the
same idempotency key, once its lease has passed).
"""


def add_command(commands: Any) -> None:
    """Add `worker` to the CLI's subcommands (`commands`, argparse's subparsers)."""
    worker = commands.add_parser(
        "worker",
        help="deliver the outbox (messages for other systems) until stopped",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    worker.add_argument(
        "--once",
        action="store_true",
        help="deliver what is due now, then exit (0; 1 when the database is away)",
    )
    worker.add_argument(
        "--worker-id",
        help="the name in logs and on claimed messages (default: host-pid-random)",
    )


async def run_command(settings: Settings, *, once: bool, worker_id: str | None) -> int:
    """`commerce-gateway worker`: the runtime's sources and ledger, a worker over them."""
    from gateway.bootstrap import open_runtime
    from gateway.logs import configure_logging

    configure_logging(settings.server.log_level)
    stopped = asyncio.Event()
    if not once:
        # From the start: a SIGTERM while the runtime opens still ends the process cleanly.
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopped.set)
    runtime = await open_runtime(settings)
    try:
        try:
            await runtime.check_ledger()
        except LedgerBehind as exc:
            print(f"cannot deliver: {exc}", file=sys.stderr)
            return 1
        worker = build_outbox_worker(
            settings.outbox, runtime.sources, runtime.ledger, runtime.clock, worker_id=worker_id
        )
        if once:
            try:
                counts = await worker.drain()
            except LedgerUnavailable as exc:
                print(f"cannot deliver: {exc}", file=sys.stderr)
                return 1
            print(f"outbox worker {worker.worker_id}: {_figures(counts)}")
            return 0
        worker.start()
        await stopped.wait()
        await worker.stop()
        return 0
    finally:
        await runtime.aclose()
