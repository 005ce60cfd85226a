"""The outbox: messages for other systems, written with the change they announce, sent until they land.

A change that another system must learn about (points taken back in loyalty when a return
is refunded) writes its messages in the same transaction as the change itself (`add`), so
either both are recorded or neither is. Workers then `claim` what is due, deliver it, and
`ack` it, or `retry_later` (the target is away), or `dead_letter` it (the target refused it
for good, or it kept failing). Each message carries a `key`, unique in the outbox, that the
delivery passes to the target as its idempotency key: a message delivered twice (a worker
died after sending, before its ack) is applied once by the target.

States::

    pending --claim, ack--> sent            (purged after the retention: `purge_sent`)
    pending --claim, retry_later--> failed  (claimed again when due; attempts count up)
    failed --claim, ack--> sent
    pending, failed --claim, dead_letter--> dead   (refused for good, or too many attempts)
    dead --requeue (an admin)--> pending

A claimed message keeps its state: the claim counts the attempt, names the worker in
`locked_by` and moves `next_attempt_at` to the end of the lease. A worker that dies
holding it therefore loses nothing: once the lease is over the message is due again and
another worker claims it. The claim's one query reads `state` and `next_attempt_at`,
which an index covers. On PostgreSQL it locks the rows it takes with `FOR UPDATE SKIP
LOCKED`, so workers running side by side each take other messages and none waits for
another; SQLite has one writer at a time, and the claim is one UPDATE statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import Row, Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.clock import Clock
from ledger.db import JsonValue, translate_errors
from ledger.errors import NoSuchRecord, NotDeadLettered
from ledger.models import OutboxRow

OutboxState = Literal["pending", "failed", "dead", "sent"]
STATES: tuple[OutboxState, ...] = ("pending", "failed", "dead", "sent")
#: The states a worker claims from.
DELIVERABLE: tuple[OutboxState, ...] = ("pending", "failed")
#: The longest error text kept: enough for a source's message, not for a stack trace.
MAX_ERROR_LENGTH = 2000
#: Rows per statement when many are written or looked up at once (PostgreSQL's bound
#: parameters run out at 32,767).
CHUNK = 1000

_T = TypeVar("_T")

# The table rather than the mapped class: the outbox reads and writes rows, never objects,
# and Core statements skip the ORM's bookkeeping (a third of an ack's CPU).
_TABLE = cast(Table, OutboxRow.__table__)
_C = _TABLE.c


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to put in the outbox: what to do (`kind`), its idempotency key, its data.

    `kind` names the handler that delivers it (e.g. "loyalty.reverse"); `key` is unique in
    the outbox and passed on to the target system, which applies a key once.
    """

    kind: str
    key: str
    payload: JsonValue


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxMessage:
    """A message as the outbox holds it (see the module docstring for the states)."""

    id: int
    kind: str
    key: str
    payload: JsonValue
    state: OutboxState
    #: Deliveries started so far (each claim counts one, whether or not it finished).
    attempts: int
    #: When it is due: the next retry, or the end of the lease while it is being delivered.
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    locked_by: str | None
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class OutboxPage:
    """Messages in id order, and whether more follow the last of them."""

    messages: tuple[OutboxMessage, ...]
    has_next: bool


class Outbox:
    """Adds, claims and settles outbox messages; every method but `add` is one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call `listener` whenever messages were committed here (e.g. a worker's `wake`)."""
        self._listeners.append(listener)

    def committed(self) -> None:
        """Tell the listeners that messages were committed, to deliver them now.

        Call it after a transaction that `add`ed messages commits (`enqueue` and
        `RefundLog.record` do), so that a worker in this process need not wait for its poll.
        """
        for listener in self._listeners:
            listener()

    async def add(self, session: AsyncSession, messages: Sequence[NewMessage]) -> list[int]:
        """Add `messages` inside the caller's transaction (they commit or roll back with it).

        Call `committed()` once it has committed. Returns their ids in order. A key the outbox holds already keeps its first message,
        whose id is returned: adding a message again (a repeated request) sends it once.
        """
        if not messages:
            return []
        now = self._clock.now()
        rows = [
            {
                "kind": message.kind,
                "key": message.key,
                "payload": message.payload,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for message in messages
        ]
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)
        # ON CONFLICT DO NOTHING: a key added before (or twice here) keeps its first message.
        statement = insert.on_conflict_do_nothing(index_elements=["key"])
        for chunk in _chunks(rows):
            await session.execute(statement, chunk)
        ids = await self._ids(session, [message.key for message in messages])
        return [ids[message.key] for message in messages]

    async def enqueue(self, messages: Sequence[NewMessage]) -> list[int]:
        """`add` in a transaction of its own, for messages that announce no other write."""
        with translate_errors():
            async with self._sessions.begin() as session:
                ids = await self.add(session, messages)
        self.committed()
        return ids

    async def ids_of(self, keys: Sequence[str]) -> Mapping[str, int]:
        """The ids of the messages with these keys; keys the outbox does not hold are absent."""
        with translate_errors():
            async with self._sessions() as session:
                return await self._ids(session, keys)

    async def _ids(self, session: AsyncSession, keys: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(list(dict.fromkeys(keys))):
            rows = await session.execute(select(_C.key, _C.id).where(_C.key.in_(chunk)))
            found.update({row.key: row.id for row in rows})
        return found

    async def claim(
        self,
        worker_id: str,
        *,
        limit: int,
        lease: timedelta,
        ids: Sequence[int] | None = None,
    ) -> list[OutboxMessage]:
        """Take up to `limit` due messages (of `ids` only, when given) for `lease`, oldest due first.

        Each claimed message counts one more attempt and is `worker_id`'s until the lease
        ends; nobody else claims it before then. Returns them in id order.
        """
        if limit <= 0 or (ids is not None and not ids):
            return []
        now = self._clock.now()
        due = select(_C.id).where(_C.state.in_(DELIVERABLE), _C.next_attempt_at <= now)
        if ids is not None:
            due = due.where(_C.id.in_(ids))
        due = due.order_by(_C.next_attempt_at, _C.id).limit(limit)
        until = now + lease
        with translate_errors():
            async with self._sessions.begin() as session:
                if session.get_bind().dialect.name == "postgresql":
                    # Rows another claimer holds are skipped rather than waited for; a row
                    # it has just claimed is re-checked, no longer due, and left out.
                    due = due.with_for_update(skip_locked=True)
                rows = await session.execute(
                    update(_TABLE)
                    .where(_C.id.in_(due.scalar_subquery()))
                    .values(
                        attempts=_C.attempts + 1,
                        locked_by=worker_id,
                        locked_until=until,
                        next_attempt_at=until,
                        updated_at=now,
                    )
                    .returning(_TABLE)
                )
                claimed = [_to_message(row) for row in rows]
        return sorted(claimed, key=lambda message: message.id)

    async def ack(self, message_id: int, worker_id: str) -> bool:
        """Mark the message sent; False (and nothing changed) when `worker_id` no longer holds it.

        That happens when its lease was over and another worker claimed it.
        """
        now = self._clock.now()
        return await self._settle(message_id, worker_id, state="sent", sent_at=now)

    async def ack_many(self, message_ids: Sequence[int], worker_id: str) -> set[int]:
        """`ack` several messages in one statement and commit; the ids it marked sent.

        The others are no longer `worker_id`'s, as for `ack`. A busy worker acknowledges
        what its deliveries finished together, rather than with a commit each.
        """
        if not message_ids:
            return set()
        now = self._clock.now()
        with translate_errors():
            async with self._sessions.begin() as session:
                changed = await session.execute(
                    update(_TABLE)
                    .where(
                        _C.id.in_(list(message_ids)),
                        _C.locked_by == worker_id,
                        _C.state.in_(DELIVERABLE),
                    )
                    .values(
                        state="sent", sent_at=now, locked_by=None, locked_until=None, updated_at=now
                    )
                    .returning(_C.id)
                )
                return set(changed.scalars())

    async def retry_later(self, message_id: int, worker_id: str, error: str, at: datetime) -> bool:
        """A delivery failed for a reason that may pass: try again from `at`. False as `ack`."""
        return await self._settle(
            message_id, worker_id, state="failed", next_attempt_at=at, last_error=_error(error)
        )

    async def dead_letter(self, message_id: int, worker_id: str, error: str) -> bool:
        """Give up on the message (refused for good, or too many attempts). False as `ack`."""
        return await self._settle(message_id, worker_id, state="dead", last_error=_error(error))

    async def _settle(self, message_id: int, worker_id: str, **values: Any) -> bool:
        with translate_errors():
            async with self._sessions.begin() as session:
                changed = await session.execute(
                    update(_TABLE)
                    .where(
                        _C.id == message_id,
                        _C.locked_by == worker_id,
                        _C.state.in_(DELIVERABLE),
                    )
                    .values(
                        locked_by=None, locked_until=None, updated_at=self._clock.now(), **values
                    )
                    .returning(_C.id)
                )
                return changed.first() is not None

    async def requeue(self, message_id: int) -> OutboxMessage:
        """Send a dead-lettered message again from now, its attempts counted from zero.

        Raises `NoSuchRecord` for an unknown id and `NotDeadLettered` for a message in
        another state.
        """
        now = self._clock.now()
        with translate_errors():
            async with self._sessions.begin() as session:
                row = (
                    await session.execute(
                        update(_TABLE)
                        .where(_C.id == message_id, _C.state == "dead")
                        .values(state="pending", attempts=0, next_attempt_at=now, updated_at=now)
                        .returning(_TABLE)
                    )
                ).first()
                if row is not None:
                    return _to_message(row)
                state = await session.scalar(select(_C.state).where(_C.id == message_id))
        if state is None:
            raise NoSuchRecord(f"no outbox message {message_id}")
        raise NotDeadLettered(message_id, state)

    async def get(self, ids: Sequence[int]) -> Mapping[int, OutboxMessage]:
        """The messages with these ids; ids the outbox does not hold are absent."""
        found: dict[int, OutboxMessage] = {}
        with translate_errors():
            async with self._sessions() as session:
                for chunk in _chunks(list(dict.fromkeys(ids))):
                    for row in await session.execute(select(_TABLE).where(_C.id.in_(chunk))):
                        found[row.id] = _to_message(row)
        return found

    async def list(
        self,
        states: Iterable[OutboxState] | None = None,
        *,
        first: int = 20,
        after: int | None = None,
    ) -> OutboxPage:
        """A page of messages in these states (all when None) by id, after the id `after`."""
        query = select(_TABLE).order_by(_C.id).limit(max(first, 0) + 1)
        if states is not None:
            query = query.where(_C.state.in_(list(states)))
        if after is not None:
            query = query.where(_C.id > after)
        with translate_errors():
            async with self._sessions() as session:
                rows = list(await session.execute(query))
        messages = tuple(_to_message(row) for row in rows[:first])
        return OutboxPage(messages, has_next=len(rows) > first)

    async def counts(self) -> Mapping[OutboxState, int]:
        """How many messages are in each state (every state named, 0 when none)."""
        found: dict[OutboxState, int] = dict.fromkeys(STATES, 0)
        with translate_errors():
            async with self._sessions() as session:
                rows = await session.execute(select(_C.state, func.count()).group_by(_C.state))
                for state, count in rows:
                    found[cast(OutboxState, state)] = count
        return found

    async def purge_sent(self, older_than: datetime) -> int:
        """Delete the messages sent before `older_than`; how many. Nothing else is deleted."""
        with translate_errors():
            async with self._sessions.begin() as session:
                deleted = await session.execute(
                    delete(_TABLE).where(_C.state == "sent", _C.sent_at < older_than)
                )
                return int(deleted.rowcount)  # type: ignore[attr-defined]


def _error(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _to_message(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        kind=row.kind,
        key=row.key,
        payload=row.payload,
        state=cast(OutboxState, row.state),  # the CHECK constraint holds it to these
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
        locked_by=row.locked_by,
        locked_until=row.locked_until,
    )


__all__ = ["NewMessage", "Outbox", "OutboxMessage", "OutboxPage", "OutboxState"]
