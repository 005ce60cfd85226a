"""Canonical customer records as the CRM leads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

IdentifierType = Literal["EMAIL", "LOYALTY_CARD", "PHONE", "SOCIAL", "EXTERNAL"]
Tier = Literal["STANDARD", "SILVER", "GOLD"]


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier linked to the customer, and the system it came from."""

    type: IdentifierType
    value: str
    source: str | None


@dataclass(frozen=True, slots=True)
class Consent:
    """A consent the customer gave or withheld, e.g. "email_marketing"."""

    purpose: str
    granted: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer under the central customer number."""

    id: str
    customer_number: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    tier: Tier
    identifiers: tuple[Identifier, ...]
    consents: tuple[Consent, ...]


@dataclass(frozen=True, slots=True)
class Interaction:
    """A contact with the customer: a call, a complaint, a note from a store."""

    id: str
    customer_id: str
    at: datetime
    channel: str
    kind: str
    note: str
    by: str | None


@dataclass(frozen=True, slots=True)
class Voucher:
    """A voucher issued to a customer, with the reason it was issued."""

    id: str
    customer_id: str
    code: str
    amount: Decimal
    currency: str
    reason: str
    issued_at: datetime
    redeemed_at: datetime | None
