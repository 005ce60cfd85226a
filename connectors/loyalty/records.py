"""Canonical loyalty records as the loyalty system leads them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoyaltyAccount:
    """A customer's loyalty card and real-time points balance."""

    customer_id: str
    card_number: str
    points: int
