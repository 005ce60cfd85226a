"""Idempotency records: a key lets a client repeat a write and get the first attempt's result.

A client sends a key with a write (checkout); the gateway calls `begin(scope, key,
fingerprint)` before doing anything. The primary key (scope, key) is the lock: of two
callers at the same moment, exactly one inserts the row and hears `new`; the other hears
`in_progress`, and once the first has called `complete`, every repeat hears `done` with
the stored result and does nothing again. The fingerprint, a hash of the canonical request
payload, ties the key to one request: the same key with another payload is refused
(`IdempotencyKeyReused`, code IDEMPOTENCY_KEY_REUSED), never answered with a result that
belongs to another request.

`fail` marks an attempt that changed nothing (or was compensated), so that a repeat of the
same request with the same key may try again: it hears `new`. A record older than the
retention is forgotten: `begin` takes it over as if it were absent, and `purge(before)`
deletes old records (run it now and then; nothing depends on it running).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.clock import Clock
from ledger.db import JsonValue, translate_errors
from ledger.errors import IdempotencyKeyReused, NoSuchRecord
from ledger.models import IdempotencyRow as Row

ClaimState = Literal["new", "in_progress", "done"]
DEFAULT_RETENTION = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Claim:
    """What `begin` found: go ahead (`new`), someone is at it (`in_progress`), or the result."""

    state: ClaimState
    result: JsonValue = None


def fingerprint(payload: JsonValue) -> str:
    """The SHA-256 of `payload` in canonical JSON (sorted keys, no spaces): equal requests, equal prints."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyRecords:
    """The idempotency keys of every scope (e.g. "checkout:<customer id>"), with their results."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._retention = retention

    async def begin(self, scope: str, key: str, fingerprint: str) -> Claim:
        """Claim `key` for the request printed `fingerprint`; see the module's docstring.

        Raises `IdempotencyKeyReused` when the key names a request with another fingerprint.
        """
        with translate_errors():
            # A record deleted by `purge` between our insert and our read: claim it again.
            for _ in range(3):
                claim = await self._begin(scope, key, fingerprint)
                if claim is not None:
                    return claim
        raise NoSuchRecord(f"idempotency key {key!r} in {scope!r} vanished while claimed")

    async def _begin(self, scope: str, key: str, print_: str) -> Claim | None:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            values = {
                "scope": scope,
                "key": key,
                "fingerprint": print_,
                "state": "in_progress",
                "result": None,
                "created_at": now,
                "updated_at": now,
            }
            # ON CONFLICT DO NOTHING: the loser of a race waits for the winner's commit and
            # then inserts nothing, instead of failing with a constraint violation.
            statement = postgresql.insert(Row) if dialect == "postgresql" else sqlite.insert(Row)
            inserted = await session.execute(
                statement.values(values)
                .on_conflict_do_nothing(index_elements=["scope", "key"])
                .returning(Row.key)
            )
            if inserted.first() is not None:
                return Claim("new")
        async with self._sessions.begin() as session:
            # Take over a failed attempt of the same request, or an expired record: the
            # condition is in the UPDATE, so of two callers only one takes it over.
            retaken = await session.execute(
                update(Row)
                .where(
                    Row.scope == scope,
                    Row.key == key,
                    or_(
                        and_(Row.state == "failed", Row.fingerprint == print_),
                        Row.created_at <= now - self._retention,
                    ),
                )
                .values(
                    fingerprint=print_,
                    state="in_progress",
                    result=None,
                    created_at=now,
                    updated_at=now,
                )
                .returning(Row.key)
            )
            if retaken.first() is not None:
                return Claim("new")
            row = (
                await session.execute(
                    select(Row.fingerprint, Row.state, Row.result).where(
                        Row.scope == scope, Row.key == key
                    )
                )
            ).first()
        if row is None:
            return None
        if row.fingerprint != print_:
            raise IdempotencyKeyReused(scope, key)
        if row.state == "done":
            return Claim("done", row.result)
        # In progress; or failed, and taken over by a caller that came between.
        return Claim("in_progress")

    async def complete(self, scope: str, key: str, result: JsonValue) -> None:
        """Store the result of the claimed request; every repeat gets it from now on."""
        await self._finish(scope, key, state="done", result=result)

    async def fail(self, scope: str, key: str) -> None:
        """Release the claim of an attempt that changed nothing: a repeat may try again."""
        await self._finish(scope, key, state="failed", result=None)

    async def _finish(self, scope: str, key: str, *, state: str, result: Any) -> None:
        with translate_errors():
            async with self._sessions.begin() as session:
                changed = await session.execute(
                    update(Row)
                    .where(
                        Row.scope == scope,
                        Row.key == key,
                        Row.state == "in_progress",
                    )
                    .values(state=state, result=result, updated_at=self._clock.now())
                    .returning(Row.key)
                )
                if changed.first() is None:
                    raise NoSuchRecord(
                        f"no claim in progress for idempotency key {key!r} in {scope!r}"
                    )

    async def stale(self, scope_prefix: str, older_than: datetime) -> list[tuple[str, str]]:
        """(scope, key) of claims under `scope_prefix` still in progress since before `older_than`.

        A claim whose holder died before it recorded anything else stays in progress; the
        holder's recovery decides which of these are orphans and `fail`s them.
        """
        with translate_errors():
            async with self._sessions() as session:
                rows = await session.execute(
                    select(Row.scope, Row.key).where(
                        Row.scope.startswith(scope_prefix, autoescape=True),
                        Row.state == "in_progress",
                        Row.updated_at < older_than,
                    )
                )
                return [(row.scope, row.key) for row in rows]

    async def purge(self, before: datetime) -> int:
        """Delete the records created before `before` (e.g. now minus the retention); how many."""
        with translate_errors():
            async with self._sessions.begin() as session:
                deleted = await session.execute(
                    delete(Row).where(Row.created_at < before).returning(Row.key)
                )
                return len(deleted.all())


__all__ = ["DEFAULT_RETENTION", "Claim", "IdempotencyRecords", "fingerprint"]
