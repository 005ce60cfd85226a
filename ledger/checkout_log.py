"""The checkout log: each checkout saga's request and its steps, written as they happen.

A checkout is a saga over several systems (reserve stock, place the order, redeem points,
...). Before each step the saga records it as `started`, after it `done` or `failed`, and
a step it undoes `compensated`; at the end it calls `finish` with `completed`,
`compensated` or `failed`. Should the process die half-way, the log says what was done:
on restart, `unfinished(older_than)` lists the checkouts still `started` that nothing has
been recorded for since `older_than`, with their steps, for the saga to compensate or
complete. Steps are never changed, only added: the log is the history.

Statuses: a checkout is `started` until finished. Step states: started, done, failed,
compensated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.clock import Clock
from ledger.db import JsonValue, translate_errors
from ledger.errors import CheckoutAlreadyStarted, NoSuchRecord
from ledger.models import CheckoutRow, CheckoutStepRow

StepState = Literal["started", "done", "failed", "compensated"]
CheckoutStatus = Literal["started", "completed", "compensated", "failed"]
FinalStatus = Literal["completed", "compensated", "failed"]


@dataclass(frozen=True, slots=True)
class CheckoutStep:
    """One recorded step: its name (e.g. "reserve_stock"), state, data and when."""

    step: str
    state: StepState
    data: JsonValue
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutRecord:
    """A checkout as logged: its request (`payload`), status, steps in order, and its order."""

    checkout_id: str
    status: CheckoutStatus
    payload: JsonValue
    steps: tuple[CheckoutStep, ...]
    order_id: str | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class CheckoutLog:
    """Writes and reads the checkout log; every call is one short transaction of its own."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def start(self, checkout_id: str, payload: JsonValue) -> None:
        """Log a new checkout with its request; raises `CheckoutAlreadyStarted` for a known id."""
        now = self._clock.now()
        try:
            with translate_errors():
                async with self._sessions.begin() as session:
                    await session.execute(
                        insert(CheckoutRow).values(
                            checkout_id=checkout_id,
                            status="started",
                            payload=payload,
                            started_at=now,
                            updated_at=now,
                        )
                    )
        except IntegrityError as exc:
            raise CheckoutAlreadyStarted(f"checkout {checkout_id!r} is already logged") from exc

    async def record(
        self, checkout_id: str, step: str, state: StepState, data: JsonValue = None
    ) -> None:
        """Add a step; raises `NoSuchRecord` for an unknown checkout or a finished one."""
        now = self._clock.now()
        with translate_errors():
            async with self._sessions.begin() as session:
                await self._touch(session, checkout_id, now)
                await session.execute(
                    insert(CheckoutStepRow).values(
                        checkout_id=checkout_id, step=step, state=state, data=data, at=now
                    )
                )

    async def finish(
        self, checkout_id: str, status: FinalStatus, order_id: str | None = None
    ) -> None:
        """Close a started checkout with its outcome (and the order it placed, if any)."""
        now = self._clock.now()
        with translate_errors():
            async with self._sessions.begin() as session:
                await self._touch(
                    session, checkout_id, now, status=status, order_id=order_id, finished_at=now
                )

    async def _touch(
        self, session: AsyncSession, checkout_id: str, now: datetime, **values: object
    ) -> None:
        # Updating the checkout first also locks it (PostgreSQL), so its steps stay in order.
        changed = await session.execute(
            update(CheckoutRow)
            .where(CheckoutRow.checkout_id == checkout_id, CheckoutRow.status == "started")
            .values(updated_at=now, **values)
            .returning(CheckoutRow.checkout_id)
        )
        if changed.first() is None:
            raise NoSuchRecord(f"no started checkout {checkout_id!r} in the checkout log")

    async def get(self, checkout_id: str) -> CheckoutRecord | None:
        """The checkout with its steps in order; None when it was never started."""
        found = await self._read(CheckoutRow.checkout_id == checkout_id)
        return found[0] if found else None

    async def unfinished(self, older_than: datetime) -> list[CheckoutRecord]:
        """Checkouts still started with nothing recorded since `older_than`, oldest first."""
        return await self._read(
            CheckoutRow.status == "started", CheckoutRow.updated_at < older_than
        )

    async def _read(self, *where: ColumnElement[bool]) -> list[CheckoutRecord]:
        with translate_errors():
            async with self._sessions() as session:
                checkouts = list(
                    await session.scalars(
                        select(CheckoutRow)
                        .where(*where)
                        .order_by(CheckoutRow.started_at, CheckoutRow.checkout_id)
                    )
                )
                steps: dict[str, list[CheckoutStep]] = {c.checkout_id: [] for c in checkouts}
                if steps:
                    for row in await session.scalars(
                        select(CheckoutStepRow)
                        .where(CheckoutStepRow.checkout_id.in_(steps))
                        .order_by(CheckoutStepRow.id)
                    ):
                        steps[row.checkout_id].append(
                            CheckoutStep(row.step, cast(StepState, row.state), row.data, row.at)
                        )
        return [_to_record(row, steps[row.checkout_id]) for row in checkouts]


def _to_record(row: CheckoutRow, steps: Sequence[CheckoutStep]) -> CheckoutRecord:
    return CheckoutRecord(
        checkout_id=row.checkout_id,
        status=cast(CheckoutStatus, row.status),  # the CHECK constraint holds it to these
        payload=row.payload,
        steps=tuple(steps),
        order_id=row.order_id,
        started_at=row.started_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )
