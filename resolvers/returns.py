"""Registering a return: what may come back, where it goes, and what it will refund.

`returnRegister` works for every channel a customer returns through (DESIGN §7, journeys
4, 5, 6): a customer online (by mail, or announcing a return in a store), an associate at
the till (a STORE return at their store), a service agent (a return without a receipt,
linked to its order). It:

1. claims the idempotency key (scope: the order), so a retry answers the first return —
   the return's id derives from the key, so even a retry after a crash between the OMS
   write and the claim's completion registers nothing twice;
2. checks the viewer may act on the order and that every line is still returnable;
3. chooses the destination: a mail return goes where the item sells and that size is
   nearly gone (resolvers/return_routing.py), a store return stays where it is handed in;
4. computes the refund from what the order stored (resolvers/refunds.py);
5. registers it in the OMS only if the order is still at the version the refund was
   computed from (another return or change in between: read again and recompute).

Receiving the goods and paying the refund is `returnReceive` (resolvers/return_receipt.py).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from connectors.errors import ConnectorError, VersionConflict
from connectors.orders.records import NewReturn, Order, OrderEvent, Refund, Return, ReturnLine
from ledger import fingerprint
from resolvers import audit
from resolvers.availability import all_locations, request_store_id, units_by_location
from resolvers.context import RequestContext
from resolvers.errors import (
    Forbidden,
    Refused,
    Unauthenticated,
    from_connector_error,
    ledger_errors,
    refusals,
)
from resolvers.idempotent import checked_key, claim
from resolvers.ids import key_of
from resolvers.order import order_to_change
from resolvers.refunds import ReturnedUnits, refund_for
from resolvers.return_routing import ReturnDestination, choose_destination

#: Idempotency scopes of return registrations start so; the order id follows.
SCOPE = "return:"
#: Lines one return may hold: an order's worth, not a data load.
MAX_RETURN_LINES = 100
#: Times a registration is recomputed when the order changed under it; then VERSION_CONFLICT.
ATTEMPTS = 5
#: Roles that may register returns (customers their own orders only).
ROLES = frozenset({"customer", "associate", "service", "admin"})
#: Order statuses nothing can be returned from.
NOT_RETURNABLE_STATUSES = frozenset({"CANCELLED", "RETURNED"})


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    """`returnRegister`'s input."""

    order_id: str
    lines: tuple[ReturnLine, ...]
    channel: str
    idempotency_key: str

    def document(self, order_key: str) -> dict[str, object]:
        return {
            "order": order_key,
            "channel": self.channel,
            "lines": sorted(
                [line.order_line_id, line.quantity, line.reason or ""] for line in self.lines
            ),
        }


def return_id_for(scope: str, key: str) -> str:
    """The id a registration under (scope, key) gets: the same for every retry."""
    return "r-" + hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()[:24]


async def register_return(ctx: RequestContext, request: ReturnRequest) -> Return:
    with ledger_errors():
        return await _register(ctx, request)


async def _register(ctx: RequestContext, request: ReturnRequest) -> Return:
    if not ctx.viewer.is_authenticated:
        raise Unauthenticated("Sign in to register a return.")
    if ctx.viewer.role not in ROLES:
        raise Forbidden("Only customers and staff may register returns.")
    key = checked_key(request.idempotency_key, ("idempotencyKey",))
    order_key = key_of(request.order_id, "Order", "orderId")
    lines = _checked_lines(request.lines)
    scope = f"{SCOPE}{order_key}"
    printed = fingerprint(request.document(order_key))
    claimed = await claim(ctx, scope, key, printed, field=("idempotencyKey",), what="return")
    return_id = return_id_for(scope, key)
    if claimed.state == "done":
        return await _registered(ctx, return_id)
    try:
        registered = await _register_once_current(ctx, order_key, return_id, lines, request)
    except BaseException:
        await ctx.ledger.idempotency.fail(scope, key)
        raise
    await ctx.ledger.idempotency.complete(scope, key, {"return_id": registered.id})
    return registered


def _checked_lines(lines: Sequence[ReturnLine]) -> tuple[ReturnLine, ...]:
    if not lines:
        raise Refused("NO_LINES", "Name at least one order line to return.", ("lines",))
    if len(lines) > MAX_RETURN_LINES:
        raise Refused(
            "TOO_MANY_LINES", f"A return holds at most {MAX_RETURN_LINES} lines.", ("lines",)
        )
    merged: dict[str, ReturnLine] = {}
    for index, line in enumerate(lines):
        if line.quantity < 1:
            raise Refused(
                "INVALID_QUANTITY",
                "Return at least one unit of a line.",
                ("lines", str(index), "quantity"),
            )
        if line.order_line_id in merged:
            raise Refused(
                "DUPLICATE_LINE",
                "Name each order line once, with the units to return.",
                ("lines", str(index), "orderLineId"),
            )
        reason = (line.reason or "").strip() or None
        if reason is not None and len(reason) > 500:
            raise Refused(
                "REASON_TOO_LONG", "A reason has at most 500 characters.", ("lines", str(index))
            )
        merged[line.order_line_id] = ReturnLine(line.order_line_id, line.quantity, reason)
    return tuple(merged.values())


async def _registered(ctx: RequestContext, return_id: str) -> Return:
    try:
        found = await ctx.sources.orders.get_returns([return_id])
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc
    if return_id not in found:
        raise LookupError(f"return {return_id} of a settled registration is not in the OMS")
    return found[return_id]


async def _register_once_current(
    ctx: RequestContext,
    order_key: str,
    return_id: str,
    lines: tuple[ReturnLine, ...],
    request: ReturnRequest,
) -> Return:
    order = await order_to_change(ctx, order_key)
    _check_returnable(order, lines)
    # Who the customer is and where the goods go do not depend on the order's version:
    # decided once. What is left to return, and so the refund, is decided per attempt.
    tier, has_loyalty, destination = await asyncio.gather(
        _tier(ctx, order),
        _has_loyalty(ctx, order),
        _destination(ctx, order, lines, request.channel),
    )
    for attempt in range(ATTEMPTS):
        if attempt:
            order = await order_to_change(ctx, order_key, fresh=True)
            _check_returnable(order, lines)
        refund = refund_for(
            order,
            [ReturnedUnits(line.order_line_id, line.quantity) for line in lines],
            channel=request.channel,
            tier=tier,
            rules=ctx.rules.refunds,
            points=ctx.rules.checkout,
            has_loyalty=has_loyalty,
        )
        new = _new_return(ctx, order, return_id, lines, request.channel, refund, destination)
        try:
            with refusals(("lines",)):
                registered = await ctx.sources.orders.register_return(new)
        except Refused as refused:
            if refused.code == VersionConflict.code and attempt + 1 < ATTEMPTS:
                continue  # another return or change in between: recompute from the order now
            raise
        await audit.record_quietly(
            ctx,
            audit.event(
                ctx,
                "return_registered",
                "Order",
                order.id,
                f"return {registered.id} by {request.channel}: "
                f"refund {refund.amount} {refund.currency} to {refund.method}",
                {
                    "refund": [[c.kind, str(c.amount)] for c in refund.breakdown],
                    "routing": destination.to_document(),
                    "order_version": order.version,
                },
            ),
        )
        return registered
    raise AssertionError("unreachable: the last attempt returns or raises")


def _check_returnable(order: Order, lines: tuple[ReturnLine, ...]) -> None:
    if order.status in NOT_RETURNABLE_STATUSES:
        raise Refused(
            "NOT_RETURNABLE",
            f"Nothing of a {order.status.lower()} order can be returned.",
            ("orderId",),
        )
    by_id = {line.id: line for line in order.lines}
    for index, line in enumerate(lines):
        ordered = by_id.get(line.order_line_id)
        if ordered is None:
            raise Refused(
                "UNKNOWN_ORDER_LINE",
                "The order has no such line.",
                ("lines", str(index), "orderLineId"),
            )
        left = ordered.quantity - ordered.returned_quantity
        if line.quantity > left:
            raise Refused(
                "NOT_RETURNABLE",
                f"Only {left} of {ordered.quantity} units of {ordered.sku} can still be returned.",
                ("lines", str(index), "quantity"),
            )


def _new_return(
    ctx: RequestContext,
    order: Order,
    return_id: str,
    lines: tuple[ReturnLine, ...],
    channel: str,
    refund: Refund,
    destination: ReturnDestination,
) -> NewReturn:
    actor = ctx.viewer.subject or ctx.viewer.customer_id or ctx.viewer.role
    detail = f"return {return_id} by {channel.lower()}"
    if destination.location_id:
        detail += f" to {destination.location_id}"
    return NewReturn(
        id=return_id,
        order_id=order.id,
        expected_order_version=order.version,
        channel=channel,
        lines=lines,
        destination_location_id=destination.location_id,
        refund=refund,
        routing=destination.to_document(),
        history=(
            OrderEvent(actor=actor, action="RETURN_REGISTERED", channel=ctx.channel, detail=detail),
        ),
    )


async def _tier(ctx: RequestContext, order: Order) -> str | None:
    if order.customer_id is None:
        return None
    customer = await ctx.loaders.customer_by_id.load(order.customer_id)
    return customer.tier if customer else None


async def _has_loyalty(ctx: RequestContext, order: Order) -> bool:
    """Whether points were earned to take back; with the loyalty system away, assume so.

    The reversal is an outbox message: a customer without an account turns it into
    nothing once the loyalty system answers, so assuming too much costs nothing.
    """
    if order.customer_id is None:
        return False
    try:
        return await ctx.loaders.loyalty_account_by_customer.load(order.customer_id) is not None
    except ConnectorError:
        return True


async def _destination(
    ctx: RequestContext, order: Order, lines: tuple[ReturnLine, ...], channel: str
) -> ReturnDestination:
    viewer = ctx.viewer
    if channel == "STORE":
        if viewer.role == "associate" and viewer.store_id:
            store = await request_store_id(ctx, viewer.store_id)
            return ReturnDestination(store, 0.0, ("handed in at the store",))
        return ReturnDestination(None, 0.0, ("to be handed in at any store",))
    by_line = {line.id: line for line in order.lines}
    variants = {
        ordered.variant_id: ordered.sku
        for line in lines
        if (ordered := by_line[line.order_line_id]).variant_id is not None
    }
    weights = ctx.rules.return_routing
    locations = await all_locations(ctx, ["STORE", "DISTRIBUTION_CENTER"])
    stores = [location for location in locations if location.type == "STORE"]
    centres = [location for location in locations if location.type == "DISTRIBUTION_CENTER"]
    since = ctx.clock.now() - timedelta(days=weights.sales_days)
    try:
        sold, levels = await asyncio.gather(
            ctx.sources.orders.get_sales(list(variants), since=since),
            ctx.sources.inventory.get_stock(list(variants), [store.id for store in stores]),
        )
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc
    stock = units_by_location(levels)
    return choose_destination(variants, stores, centres, sold=sold, stock=stock, weights=weights)
