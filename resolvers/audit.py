"""The audit trail: every mutation says who did what, where, and on which data (DESIGN §6).

Writes go to the gateway's own append-only audit log (ledger/audit.py); service agents
read them back on `Order.history`. A decision that moves money or stock (checkout, a
delivery date) is audited as part of it and fails with it; a cart change is audited
on a best-effort basis, since refusing a shopper's cart because the log is away would
punish the wrong party — the miss is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from ledger import AuditEvent, LedgerError
from resolvers.context import RequestContext

log = logging.getLogger(__name__)


def event(
    ctx: RequestContext,
    action: str,
    subject_type: str,
    subject_id: str,
    detail: str | None = None,
    sources: Mapping[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent(
        at=ctx.clock.now(),
        actor=ctx.viewer.subject or ctx.viewer.customer_id or ctx.viewer.role,
        role=ctx.viewer.role,
        channel=ctx.channel,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
        sources=dict(sources or {}),
        request_id=ctx.request_id,
    )


async def record(ctx: RequestContext, audited: AuditEvent) -> None:
    """Append an event that is part of a decision: failing to, fails the decision."""
    await ctx.ledger.audit.append(audited)


async def record_quietly(ctx: RequestContext, audited: AuditEvent) -> None:
    """Append an event whose loss must not undo what it records (see the module docstring)."""
    try:
        await ctx.ledger.audit.append(audited)
    except LedgerError as exc:
        log.error(
            "audit event %s on %s %s lost: %s",
            audited.action,
            audited.subject_type,
            audited.subject_id,
            exc,
        )


async def trail(
    ctx: RequestContext, subject_type: str, ids: Sequence[str]
) -> Mapping[str, list[AuditEvent]]:
    return await ctx.ledger.audit.for_subjects(subject_type, ids)
