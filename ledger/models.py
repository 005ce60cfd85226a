"""The tables of the gateway's own database; the migrations in `ledger/migrations` build exactly these.

A test compares the migrated schema with these models (Alembic's autogenerate finds no
difference), on SQLite and on PostgreSQL, so a model changed without a migration fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.sql import UtcDateTime
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
