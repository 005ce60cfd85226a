"""Tables of the loyalty system: accounts (cards) and their points ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base, UtcDateTime


class Account(Base):
    """A loyalty card and its points balance (the sum of its ledger)."""

    __tablename__ = "loy_account"

    card_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(32), unique=True)
    points: Mapped[int] = mapped_column(Integer, default=0)


class PointsEntry(Base):
    """Points earned (positive) or reversed/redeemed (negative), with why.

    Entries written through the service's `earn`/`reverse` carry the caller's `reference`,
    unique so that a retried write finds its first entry instead of booking again (the
    seed's historical entries have none: NULLs do not collide), the `balance` right after
    the entry, and the `shortfall` of a reversal that asked for more than the balance held.
    """

    __tablename__ = "loy_points_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_number: Mapped[str] = mapped_column(ForeignKey("loy_account.card_number"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    order_number: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    balance: Mapped[int | None] = mapped_column(Integer, default=None)
    shortfall: Mapped[int] = mapped_column(Integer, default=0)
