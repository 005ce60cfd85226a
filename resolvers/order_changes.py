"""Changes to placed orders: delivery dates under concurrent agents, stores confirming.

The OMS applies each change only if the order is still at the version the caller saw
(`VERSION_CONFLICT` otherwise, nothing overwritten), so two agents editing at once
cannot silently undo each other. Every change is written to the audit log.
"""

from __future__ import annotations

from datetime import date

from connectors.orders.records import Order
from resolvers import audit
from resolvers.availability import request_store_id
from resolvers.context import RequestContext
from resolvers.errors import Refused, refusals
from resolvers.ids import key_of
from resolvers.order import order_to_change


def _fulfilment_location(order: Order, fulfillment_id: str) -> str | None:
    for fulfilment in order.fulfillments:
        if fulfilment.id == fulfillment_id:
            return fulfilment.location_id
    raise Refused("FULFILLMENT_NOT_FOUND", "The order has no such fulfilment.", ("fulfillmentId",))


async def _audit(ctx: RequestContext, order: Order, action: str, detail: str) -> None:
    # The change is made: a lost audit event is logged rather than reported as a failure
    # of a change the caller would then make again.
    await audit.record_quietly(
        ctx, audit.event(ctx, action, "Order", order.id, detail, {"version": order.version})
    )


async def change_delivery_date(
    ctx: RequestContext, order_id: str, fulfillment_id: str, day: date, expected_version: int
) -> Order:
    order = await order_to_change(ctx, key_of(order_id, "Order", "orderId"))
    _fulfilment_location(order, fulfillment_id)
    if day < ctx.clock.now().date():
        raise Refused("DATE_IN_PAST", "A delivery date cannot be in the past.", ("date",))
    with refusals(("expectedVersion",)):
        changed = await ctx.sources.orders.change_delivery_date(
            order.id,
            fulfillment_id,
            date=day,
            expected_version=expected_version,
            actor=ctx.viewer.subject or ctx.viewer.role,
            channel=ctx.channel,
        )
    await _audit(ctx, changed, "delivery_date_changed", f"{fulfillment_id} to {day.isoformat()}")
    return changed


async def confirm_fulfillment(ctx: RequestContext, order_id: str, fulfillment_id: str) -> Order:
    """The routed store confirms; only associates of that store (or admins) may."""
    order = await order_to_change(ctx, key_of(order_id, "Order", "orderId"))
    location_id = _fulfilment_location(order, fulfillment_id)
    if location_id is None:
        raise Refused("NOTHING_TO_CONFIRM", "This fulfilment has no location.", ("fulfillmentId",))
    viewer = ctx.viewer
    # A token names its store by id or code; the fulfilment by the inventory's id.
    store = await request_store_id(ctx, viewer.store_id) if viewer.store_id else None
    if viewer.role != "admin" and (viewer.role != "associate" or store != location_id):
        raise Refused(
            "WRONG_LOCATION",
            "Only associates of the store the fulfilment was routed to may confirm it.",
            ("fulfillmentId",),
        )
    with refusals(("fulfillmentId",)):
        changed = await ctx.sources.orders.confirm_fulfillment(
            order.id,
            fulfillment_id,
            location_id=location_id,
            actor=viewer.subject or viewer.role,
            channel=ctx.channel,
        )
    await _audit(ctx, changed, "fulfillment_confirmed", f"{fulfillment_id} at {location_id}")
    return changed
