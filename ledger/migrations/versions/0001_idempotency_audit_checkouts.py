"""Idempotency records, the audit log (append-only) and the checkout log.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
AT = sa.DateTime(timezone=True)

# The audit log is append-only in the database too, so that no code path (nor a hand-run
# UPDATE) can rewrite what a decision was based on.
POSTGRES_APPEND_ONLY = (
    """
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
    """,
)
SQLITE_APPEND_ONLY = tuple(
    f"""
    CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: {verb} refused'); END
    """
    for verb in ("UPDATE", "DELETE")
)


def upgrade() -> None:
    op.create_table(
        "idempotency_records",
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.CheckConstraint(
            "state IN ('in_progress', 'done', 'failed')", name=op.f("ck_idempotency_records_state")
        ),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_records")),
    )
    op.create_index(
        op.f("ix_idempotency_records_created_at"), "idempotency_records", ["created_at"]
    )

    op.create_table(
        "audit_events",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("subject_type", sa.String(50), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("sources", JSON, nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        op.f("ix_audit_events_subject_type_subject_id_at"),
        "audit_events",
        ["subject_type", "subject_id", "at"],
    )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_APPEND_ONLY if dialect == "postgresql" else SQLITE_APPEND_ONLY:
        op.execute(statement)

    op.create_table(
        "checkouts",
        sa.Column("checkout_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("order_id", sa.String(100), nullable=True),
        sa.Column("started_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("finished_at", AT, nullable=True),
        sa.CheckConstraint(
            "status IN ('started', 'completed', 'compensated', 'failed')",
            name=op.f("ck_checkouts_status"),
        ),
        sa.PrimaryKeyConstraint("checkout_id", name=op.f("pk_checkouts")),
    )
    op.create_index(op.f("ix_checkouts_status_updated_at"), "checkouts", ["status", "updated_at"])

    op.create_table(
        "checkout_steps",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("checkout_id", sa.String(100), nullable=False),
        sa.Column("step", sa.String(100), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.CheckConstraint(
            "state IN ('started', 'done', 'failed', 'compensated')",
            name=op.f("ck_checkout_steps_state"),
        ),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["checkouts.checkout_id"],
            name=op.f("fk_checkout_steps_checkout_id_checkouts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_steps")),
    )
    op.create_index(op.f("ix_checkout_steps_checkout_id"), "checkout_steps", ["checkout_id"])


def downgrade() -> None:
    op.drop_table("checkout_steps")
    op.drop_table("checkouts")
    op.drop_table("audit_events")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("idempotency_records")
