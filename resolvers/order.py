"""Orders and returns from the OMS, behind the access policy."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass

from connectors.errors import ConnectorError
from connectors.orders.records import HistoryEvent, Order, Refund, RefundComponent, Return
from ledger import RefundRecord
from resolvers.context import RequestContext
from resolvers.errors import (
    BadUserInput,
    Forbidden,
    Refused,
    Unauthenticated,
    from_connector_error,
)
from resolvers.ids import from_cursor, key_of
from resolvers.loaders import CustomerOrdersKey
from resolvers.policy import FULL_ACCESS_ROLES, ensure_is_staff, ensure_may_read_customer

MAX_ORDERS_PAGE = 100


@dataclass(frozen=True, slots=True)
class OrderPage:
    """A page of a customer's orders, newest first."""

    orders: Sequence[Order]
    offset: int
    has_next: bool


def ensure_may_read_order(ctx: RequestContext, order: Order) -> None:
    if order.customer_id is not None:
        ensure_may_read_customer(ctx.viewer, order.customer_id)
    else:
        ensure_is_staff(ctx.viewer, "guest orders")


async def order_to_change(ctx: RequestContext, order_key: str, *, fresh: bool = False) -> Order:
    """The order a mutation changes, if the viewer may read it; to anyone else it does not exist.

    `fresh` reads it from the OMS again rather than from this request's loader (a change
    that conflicted with another must see what that one did). ORDER_NOT_FOUND otherwise.
    """
    try:
        if fresh:
            order = (await ctx.sources.orders.get_orders_live([order_key])).get(order_key)
        else:
            order = await ctx.loaders.order_by_id.load(order_key)
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc
    try:
        if order is not None:
            ensure_may_read_order(ctx, order)
    except (Forbidden, Unauthenticated):
        order = None
    if order is None:
        raise Refused("ORDER_NOT_FOUND", "No such order.", ("orderId",))
    return order


async def get_order(ctx: RequestContext, *, id: str | None, number: str | None) -> Order | None:
    if (id is None) == (number is None):
        raise BadUserInput("Give exactly one of id, number.", arguments=["id", "number"])
    if id is not None:
        order = await ctx.loaders.order_by_id.load(key_of(id, "Order"))
    else:
        assert number is not None
        order = await ctx.loaders.order_by_number.load(number.strip())
    if order is not None:
        ensure_may_read_order(ctx, order)
    return order


async def orders_of(
    ctx: RequestContext, customer_id: str, *, first: int, after: str | None, channel: str | None
) -> OrderPage:
    ensure_may_read_customer(ctx.viewer, customer_id)
    if not 0 <= first <= MAX_ORDERS_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_ORDERS_PAGE}.", argument="first")
    offset = from_cursor(after)
    orders = await ctx.loaders.orders_by_customer.load(CustomerOrdersKey(customer_id, channel))
    page = orders[offset : offset + first]
    return OrderPage(orders=page, offset=offset, has_next=offset + first < len(orders))


def with_refund(returned: Return, refund: RefundRecord | None) -> Return:
    """The return as it stands: refunded once the gateway paid it, even before the OMS hears.

    The refund is committed in the gateway's database first and reaches the OMS through
    the outbox (resolvers/return_receipt.py); until it has, the OMS still says REGISTERED.
    """
    if refund is None or returned.status != "REGISTERED":
        return returned
    return dataclasses.replace(
        returned,
        status="REFUNDED",
        received_location_id=refund.location_id,
        received_at=refund.at,
        resellable=refund.resellable,
        refund=Refund(
            amount=refund.amount,
            currency=refund.currency,
            method=refund.method,
            breakdown=tuple(RefundComponent(kind, amount) for kind, amount in refund.breakdown),
            loyalty_points_reversed=refund.points_reversed,
        ),
    )


async def as_they_stand(ctx: RequestContext, returns: Sequence[Return]) -> list[Return]:
    """The returns with the refunds the gateway paid that the OMS has not heard of yet."""
    # Only a return still REGISTERED in the OMS can have a refund the OMS has not heard of.
    waiting = [r.id for r in returns if r.status == "REGISTERED"]
    refunds = await ctx.loaders.refund_by_return.load_many(waiting) if waiting else []
    paid = dict(zip(waiting, refunds, strict=True))
    return [with_refund(r, paid.get(r.id)) for r in returns]


async def returns_of(ctx: RequestContext, order: Order) -> Sequence[Return]:
    return await as_they_stand(ctx, await ctx.loaders.returns_by_order.load(order.id))


async def get_return(ctx: RequestContext, return_id: str) -> Return | None:
    found = await ctx.loaders.return_by_id.load(return_id)
    if found is None:
        return None
    order = await ctx.loaders.order_by_id.load(found.order_id)
    if order is not None:
        ensure_may_read_order(ctx, order)
    return (await as_they_stand(ctx, [found]))[0]


async def order_for_return(ctx: RequestContext, returned: Return) -> Order | None:
    return await ctx.loaders.order_by_id.load(returned.order_id)


async def history_of(ctx: RequestContext, order: Order) -> list[HistoryEvent]:
    """The order's life: the OMS's events and, for service agents, the gateway's audit trail.

    An audit event says which data a decision used (the quote, stock figures, routing
    scores): that is what a service agent needs to tell a customer why, and what the
    OMS cannot know.
    """
    events = list(order.history)
    if ctx.viewer.role in FULL_ACCESS_ROLES:
        for audited in await ctx.loaders.audit_trail_by_order.load(order.id):
            used = json.dumps(audited.sources, sort_keys=True) if audited.sources else None
            detail = "; ".join(part for part in (audited.detail, used and f"data: {used}") if part)
            events.append(
                HistoryEvent(
                    at=audited.at,
                    actor=f"{audited.actor} ({audited.role})",
                    channel=audited.channel,
                    action=audited.action.upper(),
                    detail=detail or None,
                )
            )
    return sorted(events, key=lambda event: event.at)
