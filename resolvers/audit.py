"""The audit trail: every mutation says who did what, where, and on which data (DESIGN §6).

Writes go to the gateway's own append-only audit log (ledger/audit.py); service agents
read them back on `Order.history`. Checkout audits as a step of its saga, so a crash
cannot lose the event. Other changes are made in their source before they are audited:
when the log is away then, the change stands and the lost event is logged as an error,
rather than the caller being told a change failed that did not.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
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
