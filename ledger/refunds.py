"""The refunds of returns: what was paid back, how, and what other systems must still be told.

A refund is recorded once per return, together with its outbox messages (points to take
back in loyalty, the return to close in the OMS...) and its audit event, in one
transaction: the refund completes now, whatever system is away, and the messages carry
the rest to those systems once they are back. Recording a return's refund again raises
`AlreadyRefunded` with the first refund and writes nothing, so a repeated request cannot
pay twice nor send its messages twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.clock import Clock
from ledger.audit import AuditEvent, AuditLog
from ledger.db import translate_errors
from ledger.errors import AlreadyRefunded
from ledger.models import RefundRow
from ledger.outbox import NewMessage, Outbox


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundRecord:
    """The refund of one return: `amount` paid back by `method`, made of `breakdown`.

    `breakdown` lists (kind, amount) pairs adding up to `amount`, e.g. (("goods", 39.95),
    ("shipping", 4.95)); `points_reversed` the loyalty points taken back; `location_id`
    the store that received the goods (None for one by mail that no store received),
    `resellable` whether they go back into stock; `actor` who refunded, at `at`.
    """

    return_id: str
    order_id: str
    amount: Decimal
    currency: str
    method: str
    breakdown: tuple[tuple[str, Decimal], ...]
    points_reversed: int
    location_id: str | None
    resellable: bool
    actor: str
    at: datetime


class RefundLog:
    """Records refunds with their outbox messages and audit event, and reads them back."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        outbox: Outbox | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox or Outbox(sessions, clock)
        self._audit = audit or AuditLog(sessions)

    async def record(
        self, refund: RefundRecord, messages: Sequence[NewMessage], audit: AuditEvent
    ) -> RefundRecord:
        """Record `refund`, its outbox `messages` and `audit` event in one transaction.

        Raises `AlreadyRefunded` (carrying the refund recorded first) when the return was
        refunded before; then nothing is written. The messages' ids: `Outbox.ids_of(keys)`.
        """
        with translate_errors():
            async with self._sessions.begin() as session:
                dialect = session.get_bind().dialect.name
                insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                # ON CONFLICT DO NOTHING: of two refunds of one return at the same moment,
                # the second waits for the first to commit, inserts nothing, and is told so.
                inserted = await session.execute(
                    insert(RefundRow)
                    .values(_to_row(refund))
                    .on_conflict_do_nothing(index_elements=["return_id"])
                    .returning(RefundRow.return_id)
                )
                if inserted.first() is None:
                    existing = await session.get(RefundRow, refund.return_id)
                    assert existing is not None  # a refund is never deleted
                    raise AlreadyRefunded(_to_record(existing))
                await self._outbox.add(session, messages)
                await self._audit.add(session, audit)
        if messages:
            self._outbox.committed()
        return refund

    async def get(self, return_ids: Sequence[str]) -> Mapping[str, RefundRecord]:
        """The refunds of these returns; a return never refunded is absent."""
        if not return_ids:
            return {}
        with translate_errors():
            async with self._sessions() as session:
                rows = await session.scalars(
                    select(RefundRow).where(RefundRow.return_id.in_(list(return_ids)))
                )
                found = {row.return_id: _to_record(row) for row in rows}
        return {key: found[key] for key in return_ids if key in found}


def _to_row(refund: RefundRecord) -> dict[str, object]:
    return {
        "return_id": refund.return_id,
        "order_id": refund.order_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "method": refund.method,
        # Amounts as text, as every amount in a JSON document of this database.
        "breakdown": [[kind, str(amount)] for kind, amount in refund.breakdown],
        "points_reversed": refund.points_reversed,
        "location_id": refund.location_id,
        "resellable": refund.resellable,
        "actor": refund.actor,
        "at": refund.at,
    }


def _to_record(row: RefundRow) -> RefundRecord:
    return RefundRecord(
        return_id=row.return_id,
        order_id=row.order_id,
        amount=row.amount,
        currency=row.currency,
        method=row.method,
        breakdown=tuple((str(kind), Decimal(amount)) for kind, amount in row.breakdown),
        points_reversed=row.points_reversed,
        location_id=row.location_id,
        resellable=row.resellable,
        actor=row.actor,
        at=row.at,
    )


__all__ = ["RefundLog", "RefundRecord"]
