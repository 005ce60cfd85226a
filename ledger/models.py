"""The tables of the gateway's own database; the migrations in `ledger/migrations` build exactly these.

A test compares the migrated schema with these models (Alembic's autogenerate finds no
difference), on SQLite and on PostgreSQL, so a model changed without a migration fails.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.sql import Money, UtcDateTime
from ledger.db import Base, BigId, Json

CLAIM_STATES = ("in_progress", "done", "failed")
STEP_STATES = ("started", "done", "failed", "compensated")
CHECKOUT_STATES = ("started", "completed", "compensated", "failed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class IdempotencyRow(Base):
    """One idempotency key of one scope: the request it names (by fingerprint) and its result."""

    __tablename__ = "idempotency_records"
    __table_args__ = (CheckConstraint(_one_of("state", CLAIM_STATES), name="state"),)

    # The primary key is the unique constraint that lets only one caller claim a key.
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16))
    result: Mapped[Any | None] = mapped_column(Json, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditRow(Base):
    """One audited decision; rows are only ever inserted (a trigger refuses updates and deletes)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "subject_type", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    sources: Mapped[Any] = mapped_column(Json)
    request_id: Mapped[str | None] = mapped_column(String(100), nullable=True)


class CheckoutRow(Base):
    """One checkout saga: its request, where it stands, and the order it made."""

    __tablename__ = "checkouts"
    __table_args__ = (
        CheckConstraint(_one_of("status", CHECKOUT_STATES), name="status"),
        Index(None, "status", "updated_at"),
    )

    checkout_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    payload: Mapped[Any] = mapped_column(Json)
    order_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class CheckoutStepRow(Base):
    """One step of a checkout as it happened; the id orders a checkout's steps."""

    __tablename__ = "checkout_steps"
    __table_args__ = (CheckConstraint(_one_of("state", STEP_STATES), name="state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    checkout_id: Mapped[str] = mapped_column(
        ForeignKey("checkouts.checkout_id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))
    data: Mapped[Any] = mapped_column(Json)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


OUTBOX_STATES = ("pending", "failed", "dead", "sent")


class OutboxRow(Base):
    """A message for another system, kept until delivered (`sent`) or given up on (`dead`).

    A message being delivered keeps its state: the claim sets `locked_by` and moves
    `next_attempt_at` to the end of the lease, so that a worker which dies holding it
    simply lets it fall due again (the claim query reads only state and next_attempt_at).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(_one_of("state", OUTBOX_STATES), name="state"),
        # The claim: due messages of the deliverable states, soonest first.
        Index(None, "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(100))
    # The idempotency key the target system receives: one message per key, ever.
    key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[Any] = mapped_column(Json)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RefundRow(Base):
    """The refund of one return, recorded once: the primary key refuses a second refund."""

    __tablename__ = "refunds"

    return_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(100), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(32))
    # [[kind, "12.50"], ...]: what the amount is made of (goods, shipping, return costs...).
    breakdown: Mapped[Any] = mapped_column(Json)
    points_reversed: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    resellable: Mapped[bool] = mapped_column(Boolean)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
