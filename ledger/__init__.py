"""The gateway's own database: idempotency records, the audit, checkout and refund logs, the outbox.

A layer beside `connectors`: resolvers use it through the `Ledger` that the composition
root (`gateway.bootstrap`) builds once per process; it imports nothing of the back office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.clock import Clock
from ledger.audit import AuditEvent, AuditLog
from ledger.checkout_log import CheckoutLog, CheckoutRecord, CheckoutStep
from ledger.db import JsonValue, sessionmaker
from ledger.errors import (
    AlreadyRefunded,
    CheckoutAlreadyStarted,
    IdempotencyKeyReused,
    LedgerBehind,
    LedgerError,
    LedgerUnavailable,
    NoSuchRecord,
    NotDeadLettered,
)
from ledger.idempotency import DEFAULT_RETENTION, Claim, IdempotencyRecords, fingerprint
from ledger.outbox import NewMessage, Outbox, OutboxMessage, OutboxPage, OutboxState
from ledger.refunds import RefundLog, RefundRecord


@dataclass(frozen=True, slots=True)
class Ledger:
    """The stores of the gateway's database, sharing one engine; one per process."""

    idempotency: IdempotencyRecords
    audit: AuditLog
    checkouts: CheckoutLog
    outbox: Outbox
    refunds: RefundLog

    @classmethod
    def on(
        cls, engine: AsyncEngine, clock: Clock, *, retention: timedelta = DEFAULT_RETENTION
    ) -> Ledger:
        """The stores over `engine` (which the caller owns and disposes)."""
        sessions = sessionmaker(engine)
        audit, outbox = AuditLog(sessions), Outbox(sessions, clock)
        return cls(
            idempotency=IdempotencyRecords(sessions, clock, retention=retention),
            audit=audit,
            checkouts=CheckoutLog(sessions, clock),
            outbox=outbox,
            refunds=RefundLog(sessions, clock, outbox=outbox, audit=audit),
        )


__all__ = [
    "AlreadyRefunded",
    "AuditEvent",
    "AuditLog",
    "CheckoutAlreadyStarted",
    "CheckoutLog",
    "CheckoutRecord",
    "CheckoutStep",
    "Claim",
    "IdempotencyKeyReused",
    "IdempotencyRecords",
    "JsonValue",
    "Ledger",
    "LedgerBehind",
    "LedgerError",
    "LedgerUnavailable",
    "NewMessage",
    "NoSuchRecord",
    "NotDeadLettered",
    "Outbox",
    "OutboxMessage",
    "OutboxPage",
    "OutboxState",
    "RefundLog",
    "RefundRecord",
    "fingerprint",
]
