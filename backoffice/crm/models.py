"""Tables of the CRM: customers, linked identifiers, consents, interactions, vouchers, messages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base, Money, UtcDateTime


class Customer(Base):
    """A customer under the central customer number."""

    __tablename__ = "crm_customer"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(16), unique=True)
    first_name: Mapped[str] = mapped_column(String(64))
    last_name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(16), default="STANDARD")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Identifier(Base):
    """An identifier linked to a customer (e-mail, loyalty card, phone, social, external id)."""

    __tablename__ = "crm_identifier"
    __table_args__ = (UniqueConstraint("type", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("crm_customer.id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(128))
    source: Mapped[str | None] = mapped_column(String(32))


class Consent(Base):
    """A consent given or withheld for a purpose."""

    __tablename__ = "crm_consent"

    customer_id: Mapped[str] = mapped_column(ForeignKey("crm_customer.id"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Interaction(Base):
    """A contact with the customer."""

    __tablename__ = "crm_interaction"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("crm_customer.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    by: Mapped[str | None] = mapped_column(String(64))


class Voucher(Base):
    """A voucher issued to a customer, with its reason; spent once, on one order, before it expires.

    Codes are kept in upper case, so that a code typed in any case finds its voucher.
    """

    __tablename__ = "crm_voucher"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("crm_customer.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    reason: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    redeemed_order_id: Mapped[str | None] = mapped_column(String(32))
    issued_by: Mapped[str | None] = mapped_column(String(64))


class Notification(Base):
    """A message sent to a customer: the reference CRM's stand-in for e-mail, once per `key`."""

    __tablename__ = "crm_notification"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("crm_customer.id"), index=True)
    template: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
