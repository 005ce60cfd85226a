"""The audit log: who decided what, when, in which channel, and on which source data.

Append-only: this module has no update or delete, and the database refuses both (a
trigger on `audit_events`), so an event once written is what happened. `sources` holds
the figures the decision was based on (the quote, the stock levels...), as the sources
answered them then, because those answers will have changed by the time anyone asks.
`for_subjects` reads the events of many subjects in one query, for a DataLoader
(`order.history`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.db import JsonValue, translate_errors
from ledger.models import AuditRow


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One decision: `actor` (a customer or staff id, or "system") acting as `role`."""

    at: datetime
    actor: str
    role: str
    channel: str | None
    action: str  # e.g. "checkout.completed", "order.cancelled", "price.overridden"
    subject_type: str  # e.g. "order", "cart", "customer"
    subject_id: str
    detail: str | None = None  # a sentence for people, e.g. the reason given
    sources: JsonValue = None  # the source data the decision used
    request_id: str | None = None


class AuditLog:
    """Appends audit events and reads them back by subject, oldest first."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def append(self, event: AuditEvent) -> None:
        """Write `event` (in its own transaction: an audit entry never waits for another write)."""
        with translate_errors():
            async with self._sessions.begin() as session:
                await self.add(session, event)

    async def add(self, session: AsyncSession, event: AuditEvent) -> None:
        """Write `event` inside the caller's transaction: it is recorded if the decision is."""
        await session.execute(
            insert(AuditRow).values(
                at=event.at,
                actor=event.actor,
                role=event.role,
                channel=event.channel,
                action=event.action,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                detail=event.detail,
                sources=event.sources,
                request_id=event.request_id,
            )
        )

    async def for_subjects(
        self, subject_type: str, ids: Sequence[str]
    ) -> Mapping[str, list[AuditEvent]]:
        """Each id's events in time order (ties in the order written); [] for an id without any."""
        found: dict[str, list[AuditEvent]] = {subject_id: [] for subject_id in ids}
        if not found:
            return found
        with translate_errors():
            async with self._sessions() as session:
                rows = await session.scalars(
                    select(AuditRow)
                    .where(AuditRow.subject_type == subject_type, AuditRow.subject_id.in_(found))
                    .order_by(AuditRow.at, AuditRow.id)
                )
                for row in rows:
                    found[row.subject_id].append(_to_event(row))
        return found


def _to_event(row: AuditRow) -> AuditEvent:
    return AuditEvent(
        at=row.at,
        actor=row.actor,
        role=row.role,
        channel=row.channel,
        action=row.action,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        detail=row.detail,
        sources=row.sources,
        request_id=row.request_id,
    )
