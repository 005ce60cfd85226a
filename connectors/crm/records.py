"""Canonical customer records as the CRM leads them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Literal

from connectors.pickling import pickle_by_fields
from connectors.record import record

IdentifierType = Literal["EMAIL", "LOYALTY_CARD", "PHONE", "SOCIAL", "EXTERNAL"]
Tier = Literal["STANDARD", "SILVER", "GOLD"]


@record
class Identifier:
    """An identifier linked to the customer, and the system it came from."""

    type: IdentifierType
    value: str
    source: str | None


@record
class Consent:
    """A consent the customer gave or withheld, e.g. "email_marketing"."""

    purpose: str
    granted: bool
    at: datetime


@record
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


@record
class Interaction:
    """A contact with the customer: a call, a complaint, a note from a store."""

    id: str
    customer_id: str
    at: datetime
    channel: str
    kind: str
    note: str
    by: str | None


@record
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
    #: After this moment it can no longer be redeemed; None: it does not expire.
    expires_at: datetime | None = None
    #: The order it paid towards, once redeemed.
    redeemed_order_id: str | None = None
    #: Who issued it (e.g. "service:agent-7"), for the associate who sees it redeemed.
    issued_by: str | None = None


@record
class NewVoucher:
    """A voucher to issue; the CRM chooses its code. Issuing the same `id` again answers the first."""

    id: str
    customer_id: str
    amount: Decimal
    currency: str
    reason: str
    expires_at: datetime | None
    issued_by: str | None


@record
class NewInteraction:
    """A contact to record (the CRM dates it); recording the same `id` again answers the first."""

    id: str
    customer_id: str
    channel: str
    kind: str
    note: str
    by: str | None


@record
class Notification:
    """A message sent to the customer (the reference CRM's stand-in for e-mail), once per `key`."""

    key: str
    customer_id: str
    template: str
    data: Mapping[str, str]
    sent_at: datetime


# Pickled in the shared cache as their fields (connectors.pickling).
pickle_by_fields(__name__)
