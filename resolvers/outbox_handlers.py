"""What each kind of outbox message does: one small function per kind, delivering it to its system.

A handler gets the sources and the message, and makes one call to the target system with
the message's `key` as that call's idempotency key (the loyalty system's `reference`), so
that a message delivered twice, by a worker that died before its ack and then by another,
is applied once. It returns once the target has applied the message, or has nothing to
apply (a customer without a loyalty account earns nothing); otherwise it raises, and the
dispatcher (`resolvers.outbox`) tells from the error whether to try again later
(`SourceUnavailable`, `SourceTimeout`) or to give up at once (`SourceRefused`,
`SourceRejected`, `SourceContractViolation`, `MalformedMessage`).

A new kind is one function here and one line in `HANDLERS`, plus a function that builds
its `NewMessage` for the code that writes it (as `loyalty_earn_message` does), so that the
payload is written and read in one module.
"""

from __future__ import annotations

import types
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.errors import NoLoyaltyAccount
from ledger import NewMessage, OutboxMessage
from resolvers.context import Sources

#: Points earned (e.g. by a purchase whose checkout could not book them at once).
LOYALTY_EARN = "loyalty.earn"
#: Points taken back (e.g. by a refunded return).
LOYALTY_REVERSE = "loyalty.reverse"

#: Delivers one message of its kind with the process's sources; see the module docstring.
SourceHandler = Callable[[Sources, OutboxMessage], Awaitable[None]]


class MalformedMessage(ValueError):
    """A payload that its kind's handler cannot read: sending it again would not help."""


# --- loyalty.earn and loyalty.reverse --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Booking:
    customer_id: str
    points: int
    order_number: str | None
    reason: str | None


def loyalty_earn_message(
    customer_id: str,
    points: int,
    *,
    key: str,
    order_number: str | None = None,
    reason: str | None = None,
) -> NewMessage:
    """A message booking `points` (> 0) for the customer once, under `key` as the reference.

    The reference loyalty system takes references of up to 64 characters.
    """
    return NewMessage(
        LOYALTY_EARN, key, _booking_payload(customer_id, points, order_number, reason)
    )


def loyalty_reverse_message(
    customer_id: str,
    points: int,
    *,
    key: str,
    order_number: str | None = None,
    reason: str | None = None,
) -> NewMessage:
    """A message taking `points` (> 0) back from the customer once (never below zero)."""
    payload = _booking_payload(customer_id, points, order_number, reason)
    return NewMessage(LOYALTY_REVERSE, key, payload)


def _booking_payload(
    customer_id: str, points: int, order_number: str | None, reason: str | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"customer_id": customer_id, "points": points}
    if order_number is not None:
        payload["order_number"] = order_number
    if reason is not None:
        payload["reason"] = reason
    _read_booking(payload)  # refuse now what a worker could never deliver
    return payload


def _read_booking(payload: Any) -> _Booking:
    if not isinstance(payload, dict):
        raise MalformedMessage(f"a points booking is a JSON object, got {payload!r}")
    customer_id, points = payload.get("customer_id"), payload.get("points")
    order_number, reason = payload.get("order_number"), payload.get("reason")
    if not isinstance(customer_id, str) or not customer_id:
        raise MalformedMessage(f"customer_id must be a customer id, got {customer_id!r}")
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise MalformedMessage(f"points must be a whole number above 0, got {points!r}")
    for name, value in (("order_number", order_number), ("reason", reason)):
        if value is not None and not isinstance(value, str):
            raise MalformedMessage(f"{name} must be text when given, got {value!r}")
    return _Booking(customer_id, points, order_number, reason)


async def _loyalty_earn(sources: Sources, message: OutboxMessage) -> None:
    booking = _read_booking(message.payload)
    try:
        await sources.loyalty.earn(
            booking.customer_id,
            points=booking.points,
            reference=message.key,
            reason=booking.reason,
            order_number=booking.order_number,
        )
    except NoLoyaltyAccount:
        return  # no card, no points: there is nothing to book


async def _loyalty_reverse(sources: Sources, message: OutboxMessage) -> None:
    booking = _read_booking(message.payload)
    try:
        await sources.loyalty.reverse(
            booking.customer_id,
            points=booking.points,
            reference=message.key,
            reason=booking.reason,
            order_number=booking.order_number,
        )
    except NoLoyaltyAccount:
        return  # no card: there are no points to take back


#: Every kind of message this release delivers, and its handler.
HANDLERS: Mapping[str, SourceHandler] = types.MappingProxyType(
    {
        LOYALTY_EARN: _loyalty_earn,
        LOYALTY_REVERSE: _loyalty_reverse,
    }
)
