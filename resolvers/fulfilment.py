"""Where an order's goods come from and how they reach the customer, read live.

| fulfilment        | where from                                   | refused when                      |
| ----------------- | -------------------------------------------- | --------------------------------- |
| CARRY_OUT         | the till's store, now                        | not a store sale, store lacks it  |
| CLICK_AND_COLLECT | the pick-up store, or routed there (held or  | the store offers no click &       |
|                   | received from other locations)               | collect; nobody holds the goods   |
| SHIP_FROM_STORE   | the given store, or the best shipping store  | no shipping store holds the goods |
| SHIP_TO_HOME      | the best location: distribution centres and  | nobody holds the goods            |
|                   | shipping stores (resolvers/routing.py)       |                                   |

An order placed in a store for goods it lacks (journey 3, the endless aisle) ships from
wherever routing scores best; the choice and its reasons go onto the order.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.common import GeoPoint
from connectors.inventory.records import Location, ReservationLine
from connectors.orders.records import Cart, NewFulfillment
from resolvers.availability import all_locations, live_stock, request_store_id
from resolvers.context import RequestContext
from resolvers.errors import Refused
from resolvers.ids import key_of
from resolvers.order_amounts import OrderAmounts
from resolvers.routing import route


@dataclass(frozen=True, slots=True)
class FulfilmentPlan:
    """The fulfilments of an order, the stock to reserve for them and why."""

    ordered_at: str | None
    fulfillments: tuple[NewFulfillment, ...]
    reservation: tuple[ReservationLine, ...]
    routing: dict[str, Any] | None = None
    summary: str | None = None
    stock: dict[str, int] = field(default_factory=dict)


def _fulfilment(kind: str, location_id: str | None, status: str) -> NewFulfillment:
    # Chosen here, not by the OMS, so that the plan in the checkout log names it.
    return NewFulfillment(
        id=f"f-{uuid.uuid4().hex[:16]}", type=kind, location_id=location_id, status=status
    )


def _holds_all(stock: dict[tuple[str, str], int], location_id: str, wanted: Counter[str]) -> bool:
    return all(stock.get((v, location_id), 0) >= q for v, q in wanted.items())


async def plan(
    ctx: RequestContext,
    cart: Cart,
    *,
    fulfillment: str,
    location_id: str | None,
    destination: GeoPoint | None,
    amounts: Awaitable[OrderAmounts],
) -> FulfilmentPlan:
    """Where the cart's goods come from; `amounts` is awaited only if routing needs it."""
    wanted: Counter[str] = Counter()
    for line in cart.lines:
        wanted[line.variant_id] += line.quantity
    origin = cart.location_id or (
        await request_store_id(ctx, ctx.store_id) if ctx.store_id is not None else None
    )
    chosen = key_of(location_id, "Location", "input.locationId") if location_id else None
    locations = {loc.id: loc for loc in await all_locations(ctx)}
    if chosen is not None and chosen not in locations:
        raise Refused("UNKNOWN_LOCATION", "No such location.", ("input", "locationId"))

    if fulfillment == "CARRY_OUT":
        store = chosen or origin
        if cart.channel != "STORE" or store is None:
            raise Refused(
                "CARRY_OUT_NOT_POSSIBLE",
                "Carry-out is for sales at a store's till.",
                ("input", "fulfillment"),
            )
        stock = await live_stock(ctx, list(wanted), [store])
        if not _holds_all(stock, store, wanted):
            raise _short(wanted, stock, [store])
        return FulfilmentPlan(
            ordered_at=store,
            fulfillments=(_fulfilment("CARRY_OUT", store, "COMPLETED"),),
            reservation=_reservation(wanted, store),
            stock=_figures(stock),
        )

    if fulfillment == "CLICK_AND_COLLECT":
        store = chosen or origin
        if store is None:
            raise Refused(
                "LOCATION_REQUIRED", "Name the store to collect from.", ("input", "locationId")
            )
        pick_up = locations[store]
        if pick_up.type != "STORE" or not pick_up.click_and_collect:
            raise Refused(
                "CLICK_AND_COLLECT_NOT_OFFERED",
                f"{pick_up.name} does not offer click & collect.",
                ("input", "locationId"),
            )
        stock = await live_stock(ctx, list(wanted), [store])
        if _holds_all(stock, store, wanted):
            return FulfilmentPlan(
                ordered_at=origin,
                fulfillments=(_fulfilment("CLICK_AND_COLLECT", store, "PENDING"),),
                reservation=_reservation(wanted, store),
                summary=f"{pick_up.name} holds every item for collection.",
                stock=_figures(stock),
            )
        # The store receives the goods from the best other location(s).
        return await _routed(
            ctx,
            wanted,
            candidates=_shipping_candidates(ctx, locations.values(), cart.channel),
            destination=pick_up.geo,
            origin=origin,
            amounts=amounts,
            kind="CLICK_AND_COLLECT",
            deliver_at=store,
        )

    if fulfillment == "SHIP_FROM_STORE":
        stores = [
            loc
            for loc in locations.values()
            if loc.type == "STORE" and loc.ship_from_store and (chosen is None or loc.id == chosen)
        ]
        if chosen is not None and not stores:
            raise Refused(
                "SHIP_FROM_STORE_NOT_OFFERED",
                f"{locations[chosen].name} does not ship orders.",
                ("input", "locationId"),
            )
        return await _routed(
            ctx,
            wanted,
            candidates=stores,
            destination=destination or _geo(locations, origin),
            origin=origin,
            amounts=amounts,
            kind="SHIP_FROM_STORE",
        )

    return await _routed(
        ctx,
        wanted,
        candidates=_shipping_candidates(ctx, locations.values(), cart.channel),
        destination=destination or _geo(locations, origin),
        origin=origin,
        amounts=amounts,
        kind="SHIP_TO_HOME",
    )


def _geo(locations: dict[str, Location], location_id: str | None) -> GeoPoint | None:
    return locations[location_id].geo if location_id in locations else None


def _shipping_candidates(
    ctx: RequestContext, locations: Iterable[Location], channel: str
) -> list[Location]:
    """Distribution centres and shipping stores that fulfil for the channel's stock."""
    stock_channel = ctx.rules.stock_channel(channel)
    return [
        loc
        for loc in locations
        if loc.type != "STORE" or loc.ship_from_store
        if stock_channel in loc.channels or channel == "STORE"
    ]


async def _routed(
    ctx: RequestContext,
    wanted: Counter[str],
    *,
    candidates: Sequence[Location],
    destination: GeoPoint | None,
    origin: str | None,
    amounts: Awaitable[OrderAmounts],
    kind: str,
    deliver_at: str | None = None,
) -> FulfilmentPlan:
    stock = await live_stock(ctx, list(wanted), [loc.id for loc in candidates])
    decision = route(
        sorted(wanted.items()),
        candidates=candidates,
        stock=stock,
        destination=destination,
        origin_location_id=origin,
        order_total=(await amounts).total,
        weights=ctx.rules.routing,
    )
    if not decision.shipments:
        raise _short(wanted, stock, [loc.id for loc in candidates])
    fulfillments = tuple(
        _fulfilment(kind, deliver_at or shipment.location_id, "PENDING")
        for shipment in decision.shipments
    )
    reservation = tuple(
        ReservationLine(variant_id, shipment.location_id, quantity)
        for shipment in decision.shipments
        for variant_id, quantity in shipment.lines
    )
    return FulfilmentPlan(
        ordered_at=origin,
        fulfillments=fulfillments,
        reservation=reservation,
        routing=decision.to_document(),
        summary="; ".join(decision.reasons),
        stock=_figures(stock),
    )


def _reservation(wanted: Counter[str], location_id: str) -> tuple[ReservationLine, ...]:
    return tuple(ReservationLine(v, location_id, q) for v, q in sorted(wanted.items()))


def _figures(stock: dict[tuple[str, str], int]) -> dict[str, int]:
    return {f"{v}@{loc}": q for (v, loc), q in sorted(stock.items())}


def _short(
    wanted: Counter[str], stock: dict[tuple[str, str], int], location_ids: Sequence[str]
) -> Refused:
    short = [
        v
        for v, q in sorted(wanted.items())
        if sum(stock.get((v, loc), 0) for loc in location_ids) < q
    ]
    what = ", ".join(short) if short else "the order as a whole (no split allowed)"
    return Refused(
        "INSUFFICIENT_STOCK",
        f"Not enough stock to fulfil {what} this way.",
        ("input", "fulfillment"),
    )
