"""The gateway's own database: idempotency records, the audit log and the checkout log.

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
    CheckoutAlreadyStarted,
    IdempotencyKeyReused,
    LedgerBehind,
    LedgerError,
    LedgerUnavailable,
    NoSuchRecord,
)
from ledger.idempotency import DEFAULT_RETENTION, Claim, IdempotencyRecords, fingerprint


@dataclass(frozen=True, slots=True)
class Ledger:
    """The three stores of the gateway's database, sharing one engine; one per process."""

    idempotency: IdempotencyRecords
    audit: AuditLog
    checkouts: CheckoutLog

    @classmethod
    def on(
        cls, engine: AsyncEngine, clock: Clock, *, retention: timedelta = DEFAULT_RETENTION
    ) -> Ledger:
        """The stores over `engine` (which the caller owns and disposes)."""
        sessions = sessionmaker(engine)
        return cls(
            idempotency=IdempotencyRecords(sessions, clock, retention=retention),
            audit=AuditLog(sessions),
            checkouts=CheckoutLog(sessions, clock),
        )


__all__ = [
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
    "NoSuchRecord",
    "fingerprint",
]
