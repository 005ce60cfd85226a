"""Canonical loyalty records as the loyalty system leads them."""

from __future__ import annotations

from datetime import datetime

from connectors.pickling import pickle_by_fields
from connectors.record import record


@record
class LoyaltyAccount:
    """A customer's loyalty card and real-time points balance."""

    customer_id: str
    card_number: str
    points: int


@record
class PointsEntry:
    """Points booked on a card under the caller's `reference`, which makes the booking unique.

    `points` is what the entry moved the balance by: positive for an earning, minus what
    was taken for a reversal, which never takes the balance below zero and records what
    it could not take as `shortfall`. `balance` is the balance right after the entry.
    """

    reference: str
    customer_id: str
    card_number: str
    points: int
    reason: str
    order_number: str | None
    at: datetime
    balance: int
    shortfall: int


# Pickled in the shared cache as their fields (connectors.pickling).
pickle_by_fields(__name__)
