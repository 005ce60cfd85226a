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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.errors import NoLoyaltyAccount
from connectors.inventory.records import ReservationLine
from connectors.orders.records import ReturnReceipt
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
    await _book(sources.loyalty.earn, message)


async def _loyalty_reverse(sources: Sources, message: OutboxMessage) -> None:
    await _book(sources.loyalty.reverse, message)


async def _book(book: Callable[..., Awaitable[Any]], message: OutboxMessage) -> None:
    booking = _read_booking(message.payload)
    try:
        await book(
            booking.customer_id,
            points=booking.points,
            reference=message.key,
            reason=booking.reason,
            order_number=booking.order_number,
        )
    except NoLoyaltyAccount:
        return  # no card: no points to book or to take back


# --- orders.receive_return -------------------------------------------------------------------

#: The OMS marks a return received and refunded (the refund was paid by the gateway).
ORDERS_RECEIVE_RETURN = "orders.receive_return"


def receive_return_message(return_id: str, receipt: ReturnReceipt, *, key: str) -> NewMessage:
    """A message telling the OMS that `return_id`'s goods arrived as `receipt` says."""
    payload = {
        "return_id": return_id,
        "location_id": receipt.location_id,
        "resellable": receipt.resellable,
        "actor": receipt.actor,
        "channel": receipt.channel,
    }
    _read_receipt(payload)
    return NewMessage(ORDERS_RECEIVE_RETURN, key, payload)


def _read_receipt(payload: Any) -> tuple[str, ReturnReceipt]:
    if not isinstance(payload, dict):
        raise MalformedMessage(f"a return receipt is a JSON object, got {payload!r}")
    return_id, location_id = payload.get("return_id"), payload.get("location_id")
    resellable, actor, channel = (
        payload.get("resellable"),
        payload.get("actor"),
        payload.get("channel"),
    )
    if not (isinstance(return_id, str) and isinstance(location_id, str) and isinstance(actor, str)):
        raise MalformedMessage(
            f"a receipt names the return, the location and the actor: {payload!r}"
        )
    if not isinstance(resellable, bool):
        raise MalformedMessage(f"resellable must be true or false, got {resellable!r}")
    if channel is not None and not isinstance(channel, str):
        raise MalformedMessage(f"channel must be text when given, got {channel!r}")
    return return_id, ReturnReceipt(location_id, resellable, actor, channel)


async def _orders_receive_return(sources: Sources, message: OutboxMessage) -> None:
    return_id, receipt = _read_receipt(message.payload)
    await sources.orders.receive_return(return_id, receipt)


# --- inventory.restock -------------------------------------------------------------------------

#: Units go (back) into a location's stock, e.g. a resellable returned item.
INVENTORY_RESTOCK = "inventory.restock"


def restock_message(lines: Sequence[ReservationLine], *, key: str) -> NewMessage:
    """A message putting `lines`' units into stock once, under `key` as the reference."""
    payload = {
        "lines": [
            {
                "variant_id": line.variant_id,
                "location_id": line.location_id,
                "quantity": line.quantity,
            }
            for line in lines
        ]
    }
    _read_restock(payload)
    return NewMessage(INVENTORY_RESTOCK, key, payload)


def _read_restock(payload: Any) -> list[ReservationLine]:
    lines = payload.get("lines") if isinstance(payload, dict) else None
    if not isinstance(lines, list) or not lines:
        raise MalformedMessage(f"a restock holds a list of lines, got {payload!r}")
    read = []
    for line in lines:
        if not isinstance(line, dict):
            raise MalformedMessage(f"a restock line is a JSON object, got {line!r}")
        variant_id, location_id = line.get("variant_id"), line.get("location_id")
        quantity = line.get("quantity")
        if not isinstance(variant_id, str) or not isinstance(location_id, str):
            raise MalformedMessage(f"a restock line names a variant and a location: {line!r}")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise MalformedMessage(f"quantity must be a whole number above 0, got {quantity!r}")
        read.append(ReservationLine(variant_id, location_id, quantity))
    return read


async def _inventory_restock(sources: Sources, message: OutboxMessage) -> None:
    await sources.inventory.restock(message.key, _read_restock(message.payload))


# --- crm.notify ------------------------------------------------------------------------------

#: The customer is told something (the reference CRM's stand-in for e-mail).
CRM_NOTIFY = "crm.notify"


def notify_message(
    customer_id: str, template: str, data: Mapping[str, str], *, key: str
) -> NewMessage:
    """A message sending the customer `template` filled with `data`, once per `key`."""
    payload = {"customer_id": customer_id, "template": template, "data": dict(data)}
    _read_notification(payload)
    return NewMessage(CRM_NOTIFY, key, payload)


def _read_notification(payload: Any) -> tuple[str, str, dict[str, str]]:
    if not isinstance(payload, dict):
        raise MalformedMessage(f"a notification is a JSON object, got {payload!r}")
    customer_id, template, data = (
        payload.get("customer_id"),
        payload.get("template"),
        payload.get("data"),
    )
    if not isinstance(customer_id, str) or not isinstance(template, str):
        raise MalformedMessage(f"a notification names the customer and the template: {payload!r}")
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise MalformedMessage(f"a notification's data maps names to text, got {data!r}")
    return customer_id, template, data


async def _crm_notify(sources: Sources, message: OutboxMessage) -> None:
    customer_id, template, data = _read_notification(message.payload)
    await sources.crm.send_notification(customer_id, key=message.key, template=template, data=data)


#: Every kind of message this release delivers, and its handler.
HANDLERS: Mapping[str, SourceHandler] = types.MappingProxyType(
    {
        LOYALTY_EARN: _loyalty_earn,
        LOYALTY_REVERSE: _loyalty_reverse,
        ORDERS_RECEIVE_RETURN: _orders_receive_return,
        INVENTORY_RESTOCK: _inventory_restock,
        CRM_NOTIFY: _crm_notify,
    }
)
