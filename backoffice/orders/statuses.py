"""The statuses the OMS gives orders, fulfilments and returns, and the groups its rules test."""

from __future__ import annotations

PLACED, CONFIRMED, CANCELLED = "PLACED", "CONFIRMED", "CANCELLED"
#: A fulfilment waiting for its location to confirm it.
PENDING = "PENDING"
#: Orders whose delivery can no longer move.
CLOSED = frozenset({CANCELLED, "COMPLETED", "RETURNED", "PARTIALLY_RETURNED"})
#: Fulfilments that reached the customer.
DELIVERED = frozenset({"DELIVERED", "COLLECTED", "COMPLETED"})

#: A return's life: registered with its planned refund, then received and refunded (or rejected).
REGISTERED, REFUNDED, REJECTED = "REGISTERED", "REFUNDED", "REJECTED"
