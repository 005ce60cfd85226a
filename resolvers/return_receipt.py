"""Receiving a return: the goods arrived, the refund is paid, and every system learns of it.

`returnReceive` is the point where money moves. It writes ONE transaction to the gateway's
own database (ledger/refunds.py): the refund, as registered with the return, and the
messages that tell the other systems —

* `orders.receive_return`  the OMS marks the return REFUNDED (where, when, condition)
* `inventory.restock`      a resellable item goes back into the receiving store's stock
* `loyalty.reverse`        the points earned on the refunded goods are taken back
* `crm.notify`             the customer is told (the reference CRM's stand-in for e-mail)

— and the audit event. Either all of it is written or none (the database going away
mid-refund leaves nothing half-written). The messages are then delivered at once, and
whatever does not get through (the loyalty system is down) stays in the outbox, which a
worker retries with the same key until it lands once (resolvers/outbox.py). So the
refund completes now, whichever system is away.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from connectors.errors import ConnectorError
from connectors.inventory.records import ReservationLine
from connectors.orders.records import Order, Return, ReturnReceipt
from ledger import AlreadyRefunded, LedgerError, NewMessage, RefundRecord, fingerprint
from resolvers import audit
from resolvers.availability import request_store_id
from resolvers.context import RequestContext
from resolvers.errors import (
    Forbidden,
    Refused,
    Unauthenticated,
    from_connector_error,
    ledger_errors,
)
from resolvers.idempotent import checked_key, claim
from resolvers.ids import key_of
from resolvers.order import as_they_stand, with_refund
from resolvers.outbox_handlers import (
    loyalty_reverse_message,
    notify_message,
    receive_return_message,
    restock_message,
)

log = logging.getLogger(__name__)

SCOPE = "return-receipt:"
ROLES = frozenset({"associate", "service", "admin"})


@dataclass(frozen=True, slots=True)
class ReceiptRequest:
    """`returnReceive`'s input."""

    return_id: str
    location_id: str
    resellable: bool
    idempotency_key: str


async def receive_return(ctx: RequestContext, request: ReceiptRequest) -> Return:
    with ledger_errors():
        return await _receive(ctx, request)


async def _receive(ctx: RequestContext, request: ReceiptRequest) -> Return:
    viewer = ctx.viewer
    if not viewer.is_authenticated:
        raise Unauthenticated("Sign in to receive returns.")
    if viewer.role not in ROLES:
        raise Forbidden("Only store staff and service agents may receive returns.")
    key = checked_key(request.idempotency_key, ("idempotencyKey",))
    return_key = key_of(request.return_id, "Return", "returnId")
    location_key = key_of(request.location_id, "Location", "locationId")
    scope = f"{SCOPE}{return_key}"
    claimed = await claim(
        ctx,
        scope,
        key,
        fingerprint({"location": location_key, "resellable": request.resellable}),
        field=("idempotencyKey",),
        what="receipt",
    )
    if claimed.state == "done":
        return await _current(ctx, return_key)
    try:
        returned, messages = await _refund(ctx, return_key, location_key, request.resellable)
    except BaseException:
        await ctx.ledger.idempotency.fail(scope, key)
        raise
    await ctx.ledger.idempotency.complete(scope, key, {"return_id": return_key})
    await _deliver_now(ctx, messages)
    return returned


async def _current(ctx: RequestContext, return_key: str) -> Return:
    try:
        found = (await ctx.sources.orders.get_returns([return_key])).get(return_key)
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc
    if found is None:
        raise Refused("RETURN_NOT_FOUND", "No such return.", ("returnId",))
    return (await as_they_stand(ctx, [found]))[0]


async def _refund(
    ctx: RequestContext, return_key: str, location_key: str, resellable: bool
) -> tuple[Return, list[str]]:
    returned = await _current(ctx, return_key)
    if returned.status != "REGISTERED":
        raise Refused(
            "RETURN_ALREADY_RECEIVED",
            f"This return is {returned.status.lower()} already.",
            ("returnId",),
        )
    if returned.refund is None:
        raise LookupError(f"return {return_key} was registered without its refund")
    viewer = ctx.viewer
    store = await request_store_id(ctx, viewer.store_id) if viewer.store_id else None
    if viewer.role == "associate" and store != location_key:
        raise Refused(
            "WRONG_LOCATION",
            "Associates receive returns at their own store.",
            ("locationId",),
        )
    if await ctx.loaders.location_by_id.load(location_key) is None:
        raise Refused("UNKNOWN_LOCATION", "No such location.", ("locationId",))
    order = await ctx.loaders.order_by_id.load(returned.order_id)
    if order is None:
        raise LookupError(f"return {return_key} of unknown order {returned.order_id}")

    refund = returned.refund
    actor = viewer.subject or viewer.role
    record = RefundRecord(
        return_id=returned.id,
        order_id=order.id,
        amount=refund.amount,
        currency=refund.currency,
        method=refund.method,
        breakdown=tuple((c.kind, c.amount) for c in refund.breakdown),
        points_reversed=refund.loyalty_points_reversed,
        location_id=location_key,
        resellable=resellable,
        actor=actor,
        at=ctx.clock.now(),
    )
    messages = _messages(ctx, returned, order, record)
    event = audit.event(
        ctx,
        "return_refunded",
        "Order",
        order.id,
        f"return {returned.id} received at {location_key} "
        f"({'resellable' if resellable else 'not resellable'}); "
        f"{refund.amount} {refund.currency} to {refund.method}; "
        f"{refund.loyalty_points_reversed} points to reverse",
        {
            "refund": [[c.kind, str(c.amount)] for c in refund.breakdown],
            "messages": [message.kind for message in messages],
        },
    )
    try:
        recorded = await ctx.ledger.refunds.record(record, messages, event)
    except AlreadyRefunded as exc:
        raise Refused(
            "RETURN_ALREADY_RECEIVED", "This return was received already.", ("returnId",)
        ) from exc
    return with_refund(returned, recorded), [message.key for message in messages]


def _messages(
    ctx: RequestContext, returned: Return, order: Order, record: RefundRecord
) -> list[NewMessage]:
    prefix = f"return:{returned.id}"
    location_id = record.location_id
    assert location_id is not None  # a receipt always names where the goods arrived
    receipt = ReturnReceipt(location_id, record.resellable, record.actor, ctx.channel)
    messages = [receive_return_message(returned.id, receipt, key=f"{prefix}:received")]
    variants = {line.id: line.variant_id for line in order.lines}
    restocked = [
        ReservationLine(variant_id, location_id, line.quantity)
        for line in returned.lines
        if (variant_id := variants.get(line.order_line_id)) is not None
    ]
    if record.resellable and restocked:
        messages.append(restock_message(restocked, key=f"{prefix}:restock"))
    if order.customer_id is not None and record.points_reversed > 0:
        messages.append(
            loyalty_reverse_message(
                order.customer_id,
                record.points_reversed,
                key=f"{prefix}:points",
                order_number=order.number,
                reason="RETURN",
            )
        )
    if order.customer_id is not None:
        messages.append(
            notify_message(
                order.customer_id,
                "return_refunded",
                {
                    "order_number": order.number,
                    "amount": f"{record.amount} {record.currency}",
                    "method": record.method,
                    "points_reversed": str(record.points_reversed),
                },
                key=f"{prefix}:refunded",
            )
        )
    return messages


async def _deliver_now(ctx: RequestContext, keys: list[str]) -> None:
    """Deliver the refund's messages now; what fails stays in the outbox for the worker."""
    try:
        ids = await ctx.ledger.outbox.ids_of(keys)
        # Through the request's sources: the deliveries show among its calls.
        outbox = ctx.outbox.bound(ctx.sources)
        await outbox.deliver(f"request-{ctx.request_id}", ids=list(ids.values()))
    except LedgerError as exc:
        log.warning("refund messages left to the outbox worker: %s", exc)
