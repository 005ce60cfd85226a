"""Delivering the outbox: claim a batch of due messages, hand each to its kind's handler, settle it.

The handler's outcome decides what becomes of a message (`classify`):

| outcome                                                     | the message                  |
| ----------------------------------------------------------- | ---------------------------- |
| the handler returned                                        | `sent`                       |
| `SourceUnavailable` / `SourceTimeout`, `LedgerUnavailable`, | `failed`: tried again after  |
| the handler overran its lease, or an unexpected error (a    | an exponential backoff with  |
| bug, logged with its traceback: a release may fix it)       | jitter, up to `max_attempts` |
| `SourceRefused`, `SourceRejected`, `SourceContractViolation`| `dead` at once: sending it   |
| (any other `ConnectorError`), `MalformedMessage`, no handler| again would be refused again |
| for its kind                                                |                              |
| still failing after `max_attempts` deliveries               | `dead`                       |

A message is settled by the worker that claimed it, a sent one as soon as its handler
returns: the acks of the handlers that finish while one group of acks is being written
are written together next (one statement and commit for many, the way a database groups
commits), so a busy worker does not pay a transaction per message and an idle one does
not wait to fill a group. One that a worker claimed and never
settled (it died between the handler's send and the ack, or the gateway's database was
away at the ack) falls due again when the lease ends, and another worker delivers it once
more with the same key: the target applies a key once, so nothing is applied twice. A
handler is given at most its lease to finish, so that a message is never delivered by two
workers at once because one of them was slow: it has what is left of the lease counted
from the claim, and a message whose turn in the batch comes with less than a quarter of
its lease left is left alone
(batch_size should be what `concurrency` handlers get through well within a lease).
"""

from __future__ import annotations

import asyncio
import logging
import random as random_module
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Literal

from connectors.errors import ConnectorError, SourceUnavailable
from kernel.clock import Clock
from ledger import LedgerUnavailable, Outbox, OutboxMessage
from resolvers.context import Sources
from resolvers.outbox_handlers import HANDLERS, MalformedMessage, SourceHandler

log = logging.getLogger(__name__)

#: Delivers one message; returns once the target applied it, else raises (see `classify`).
Handler = Callable[[OutboxMessage], Awaitable[None]]
Verdict = Literal["retry", "dead"]
#: How a handler's run went: the error it raised, or what else became of the message.
Attempt = Exception | Literal["sent", "no handler", "lease over"]
#: Failures that are expected and need no traceback in the log.
_EXPECTED = (ConnectorError, LedgerUnavailable, TimeoutError)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryPolicy:
    """How much a delivery takes on, how long a claim lasts, and when to try again or give up."""

    batch_size: int = 50
    #: Handlers of one batch running at once.
    concurrency: int = 8
    lease: timedelta = timedelta(seconds=30)
    max_attempts: int = 10
    backoff_base: timedelta = timedelta(seconds=1)
    backoff_max: timedelta = timedelta(seconds=300)

    def backoff(self, attempts: int, draw: float) -> timedelta:
        """The wait after the `attempts`-th failed delivery: base × 2^(attempts - 1), capped.

        Jittered by `draw` (0 ≤ draw < 1) to between half and all of it, so that messages
        that failed together (their system went down) do not all come back at one moment.
        """
        exponent = min(max(attempts - 1, 0), 32)  # 2^32 seconds is past any sensible cap
        full: timedelta = min(self.backoff_base * 2**exponent, self.backoff_max)
        return full / 2 + full / 2 * draw


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """What one delivery round did: claimed, and how the claimed messages were settled.

    `unsettled` were not settled by this worker: the database was away at the ack, or the
    lease had passed to another worker. They are delivered again after their lease.
    """

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    unsettled: int = 0

    def __add__(self, other: DeliveryCounts) -> DeliveryCounts:
        return DeliveryCounts(
            self.claimed + other.claimed,
            self.sent + other.sent,
            self.retried + other.retried,
            self.dead + other.dead,
            self.unsettled + other.unsettled,
        )


_SENT = DeliveryCounts(sent=1)


def classify(error: BaseException) -> Verdict:
    """Whether a delivery that raised `error` may succeed later ("retry") or never ("dead")."""
    if isinstance(error, SourceUnavailable | LedgerUnavailable | TimeoutError):
        return "retry"  # the target or our database is away, or was too slow: it may pass
    if isinstance(error, ConnectorError | MalformedMessage):
        return "dead"  # refused, rejected or unreadable: the same message would fare the same
    return "retry"


class Dispatcher:
    """Delivers due outbox messages with one handler per message kind (`HANDLERS`)."""

    def __init__(
        self,
        outbox: Outbox,
        handlers: Mapping[str, Handler],
        clock: Clock,
        *,
        policy: DeliveryPolicy | None = None,
        random: Callable[[], float] = random_module.random,
    ) -> None:
        self._outbox = outbox
        self._handlers = dict(handlers)
        self._clock = clock
        self.policy = policy or DeliveryPolicy()
        self._random = random
        #: The unbound handlers of `for_sources`, for `bound` to bind to other sources.
        self._source_handlers: Mapping[str, SourceHandler] | None = None

    @classmethod
    def for_sources(
        cls,
        sources: Sources,
        outbox: Outbox,
        clock: Clock,
        *,
        policy: DeliveryPolicy | None = None,
        handlers: Mapping[str, SourceHandler] = HANDLERS,
        random: Callable[[], float] = random_module.random,
    ) -> Dispatcher:
        """The dispatcher of `handlers` (every kind this release knows), bound to `sources`."""
        bound = {kind: partial(handler, sources) for kind, handler in handlers.items()}
        dispatcher = cls(outbox, bound, clock, policy=policy, random=random)
        dispatcher._source_handlers = handlers
        return dispatcher

    def bound(self, sources: Sources) -> Dispatcher:
        """This dispatcher, delivering through `sources`.

        A request's sources: what the request delivers at once then shows among its own
        source calls (the dev waterfall).
        """
        if self._source_handlers is None:
            return self
        return Dispatcher.for_sources(
            sources,
            self._outbox,
            self._clock,
            policy=self.policy,
            handlers=self._source_handlers,
            random=self._random,
        )

    @property
    def kinds(self) -> tuple[str, ...]:
        """The message kinds this dispatcher delivers."""
        return tuple(sorted(self._handlers))

    async def deliver(
        self, worker_id: str, ids: Sequence[int] | None = None, limit: int | None = None
    ) -> DeliveryCounts:
        """Claim due messages, deliver them (`concurrency` at a time), settle each; the counts.

        Claims up to `limit` (the policy's batch size), of `ids` only when given: a request
        that has just committed messages may pass their ids to deliver them at once (those
        another worker holds are left to it). Raises `LedgerUnavailable` when the claim
        cannot reach the database; nothing was claimed then.
        """
        policy = self.policy
        claimed = await self._outbox.claim(
            worker_id,
            limit=policy.batch_size if limit is None else limit,
            lease=policy.lease,
            ids=ids,
        )
        if not claimed:
            return DeliveryCounts()
        slots = asyncio.Semaphore(policy.concurrency)
        acks = _Acks(self._outbox, worker_id)

        async def one(message: OutboxMessage) -> DeliveryCounts:
            # The slot is held while the handler runs, not while its outcome is written, so
            # the next message starts meanwhile (and the acks group up more).
            async with slots:
                attempt = await self._attempt(message)
            return await self._settle(worker_id, message, attempt, acks)

        settled = await asyncio.gather(*(one(message) for message in claimed))
        return sum(settled, DeliveryCounts(claimed=len(claimed)))

    async def _attempt(self, message: OutboxMessage) -> Attempt:
        """Run the message's handler (within what is left of its lease); how it went."""
        handler = self._handlers.get(message.kind)
        if handler is None:
            return "no handler"
        left = (message.locked_until or message.next_attempt_at) - self._clock.now()
        if left < self.policy.lease / 4:
            # Its turn came (nearly) after its lease: another worker may have it already. Left
            # alone, it falls due at the lease's end (the claim moved its next attempt there).
            return "lease over"
        try:
            async with asyncio.timeout(left.total_seconds()):
                await handler(message)
        except Exception as exc:
            return exc
        return "sent"

    async def _settle(
        self, worker_id: str, message: OutboxMessage, attempt: Attempt, acks: _Acks
    ) -> DeliveryCounts:
        if attempt == "sent":
            return await self._settled(acks.ack(message.id), worker_id, message, _SENT)
        if attempt == "no handler":
            known = ", ".join(self.kinds) or "none"
            error = f"no handler for the kind {message.kind!r} (this release delivers: {known})"
            return await self._dead(worker_id, message, error)
        if attempt == "lease over":
            log.warning(
                "outbox worker %s: message %s (%s) waited out its lease; left to come back",
                *(worker_id, message.id, message.kind),
            )
            return DeliveryCounts(unsettled=1)
        verdict = classify(attempt)
        if verdict == "retry" and not isinstance(attempt, _EXPECTED):
            log.error(
                "outbox worker %s: message %s (%s) failed unexpectedly",
                *(worker_id, message.id, message.kind),
                exc_info=attempt,
            )
        error = _describe(attempt)
        if verdict == "dead":
            return await self._dead(worker_id, message, error)
        if message.attempts >= self.policy.max_attempts:
            gave_up = f"gave up after {message.attempts} attempts; the last: {error}"
            return await self._dead(worker_id, message, gave_up)
        return await self._retry(worker_id, message, error)

    async def _retry(self, worker_id: str, message: OutboxMessage, error: str) -> DeliveryCounts:
        wait = self.policy.backoff(message.attempts, self._random())
        log.warning(
            "outbox worker %s: message %s (%s, key %s) failed, attempt %d; again in %.1f s: %s",
            *(worker_id, message.id, message.kind, message.key, message.attempts),
            *(wait.total_seconds(), error),
        )
        at = self._clock.now() + wait
        settle = self._outbox.retry_later(message.id, worker_id, error, at)
        return await self._settled(settle, worker_id, message, DeliveryCounts(retried=1))

    async def _dead(self, worker_id: str, message: OutboxMessage, error: str) -> DeliveryCounts:
        log.error(
            "outbox worker %s: message %s (%s, key %s) dead-lettered: %s",
            *(worker_id, message.id, message.kind, message.key, error),
        )
        settle = self._outbox.dead_letter(message.id, worker_id, error)
        return await self._settled(settle, worker_id, message, DeliveryCounts(dead=1))

    async def _settled(
        self,
        settle: Awaitable[bool],
        worker_id: str,
        message: OutboxMessage,
        counts: DeliveryCounts,
    ) -> DeliveryCounts:
        try:
            if await settle:
                return counts
            why = "its lease passed to another worker"
        except LedgerUnavailable as exc:
            why = str(exc)
        # Delivered again once the lease ends: the target applies its key once.
        log.warning(
            "outbox worker %s: message %s (%s) not settled (%s); it comes back after its lease",
            *(worker_id, message.id, message.kind, why),
        )
        return DeliveryCounts(unsettled=1)


class _Acks:
    """Acknowledges sent messages in groups: one statement for the acks that came meanwhile.

    The first ack is written at once; the acks that arrive while it is being written wait
    for it, and the next of them writes all of them together. Each `ack` returns once its
    own is written: True, or False when the message is no longer this worker's.
    """

    def __init__(self, outbox: Outbox, worker_id: str) -> None:
        self._outbox = outbox
        self._worker_id = worker_id
        self._waiting: dict[int, asyncio.Future[bool]] = {}
        self._writing = asyncio.Lock()

    async def ack(self, message_id: int) -> bool:
        written: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting[message_id] = written
        async with self._writing:
            if not written.done():  # no group written meanwhile took it along: write one
                group, self._waiting = self._waiting, {}
                try:
                    acked = await self._outbox.ack_many(list(group), self._worker_id)
                except LedgerUnavailable as exc:
                    for future in group.values():
                        if not future.done():
                            future.set_exception(exc)
                else:
                    for waiting_id, future in group.items():
                        if not future.done():
                            future.set_result(waiting_id in acked)
        return await written


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "the handler did not finish within the lease"
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


__all__ = ["DeliveryCounts", "DeliveryPolicy", "Dispatcher", "Handler", "classify"]
