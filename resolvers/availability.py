"""Stock and locations from the inventory system: which locations, how many, how fresh."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from connectors.common import GeoPoint
from connectors.errors import ConnectorError
from connectors.inventory.records import Location, LocationType, StockLevel
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, from_connector_error
from resolvers.ids import key_of
from resolvers.loaders import StockKey, started_early

MAX_LOCATIONS = 50
_LOCATION_TYPES: dict[str, LocationType] = {name: name for name in get_args(LocationType)}


@dataclass(frozen=True, slots=True)
class StockRow:
    """Stock of a variant at one location, with its status in words."""

    location_id: str
    quantity: int
    status: str


@dataclass(frozen=True, slots=True)
class AvailabilityView:
    """A variant's stock across the chosen locations, and how fresh the figures are.

    `channel` is the one whose locations may sell the stock (`Rules.stock_channel`).
    """

    channel: str
    rows: tuple[StockRow, ...]
    as_of: datetime
    live: bool


def stock_status(quantity: int, low_threshold: int) -> str:
    if quantity <= 0:
        return "OUT_OF_STOCK"
    return "LOW_STOCK" if quantity <= low_threshold else "IN_STOCK"


def checked_point(latitude: float, longitude: float) -> GeoPoint:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise BadUserInput("near must be a latitude in [-90, 90] and a longitude in [-180, 180].")
    return GeoPoint(latitude, longitude)


async def all_locations(
    ctx: RequestContext, types: Sequence[LocationType] | None = None
) -> Sequence[Location]:
    try:
        return await ctx.sources.inventory.list_locations(types)
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc


async def find_locations(
    ctx: RequestContext,
    *,
    near: GeoPoint | None,
    types: Sequence[str] | None,
    first: int,
) -> list[Location]:
    """Locations of the given types, nearest first when `near` is given, else by code."""
    if not 0 <= first <= MAX_LOCATIONS:
        raise BadUserInput(f"first must be between 0 and {MAX_LOCATIONS}.", argument="first")
    if types is not None and any(name not in _LOCATION_TYPES for name in types):
        raise BadUserInput(f"types must be among {sorted(_LOCATION_TYPES)}.", argument="types")
    wanted = [_LOCATION_TYPES[name] for name in types] if types is not None else None
    locations = list(await all_locations(ctx, wanted))
    if near is not None:
        far = float("inf")
        locations.sort(key=lambda loc: near.km_to(loc.geo) if loc.geo else far)
    return locations[:first]


def _named_location_ids(location_ids: Sequence[str]) -> tuple[str, ...]:
    if len(location_ids) > MAX_LOCATIONS:
        raise BadUserInput(f"At most {MAX_LOCATIONS} locations at once.", argument="locationIds")
    return tuple(dict.fromkeys(key_of(i, "Location", "locationIds") for i in location_ids))


def warm_locations(ctx: RequestContext, location_ids: Sequence[str]) -> None:
    """Start loading the named locations now, so the rows that show them need not wait.

    Called as execution starts, for the `locationIds` a query names: the locations are
    then fetched beside the query's first source call instead of after the stock levels,
    one level less on the critical path. Bad ids are left for the resolver to report.
    """
    try:
        chosen = _named_location_ids(location_ids)
    except BadUserInput:
        return
    started_early(ctx.loaders.locations_by_ids.load(chosen))


async def request_store_id(ctx: RequestContext, reference: str) -> str:
    """The inventory's id of the request's store (X-Store or the token's), given by id or code.

    A Location's global id arrives decoded (gateway.auth); the store's code (NL001), which
    is what staff and devices are configured with, is looked up among the locations. A
    reference that matches nothing is the client's error, not an empty availability.
    """
    # The key the rows' locations are read with later: one fetch serves both.
    if (await ctx.loaders.locations_by_ids.load((reference,)))[0] is not None:
        return reference
    wanted = reference.casefold()
    for location in await all_locations(ctx):
        if location.code.casefold() == wanted:
            return location.id
    raise BadUserInput(
        f"X-Store {reference!r} names no location; send a store's id (s01), its code (NL001) "
        "or its Location id.",
        header="X-Store",
    )


async def _chosen_location_ids(
    ctx: RequestContext, location_ids: Sequence[str] | None, near: GeoPoint | None
) -> tuple[str, ...]:
    if location_ids is not None:
        return _named_location_ids(location_ids)
    if near is not None:
        nearest = await find_locations(
            ctx, near=near, types=["STORE"], first=ctx.rules.nearby_locations
        )
        return tuple(location.id for location in nearest)
    if ctx.store_id is not None:
        return (await request_store_id(ctx, ctx.store_id),)
    channel = ctx.rules.stock_channel(ctx.channel)
    serving = [loc for loc in await all_locations(ctx) if channel in loc.channels]
    return tuple(location.id for location in serving)


def _view(
    ctx: RequestContext, chosen: tuple[str, ...], levels: Sequence[StockLevel]
) -> AvailabilityView:
    by_location = {level.location_id: level.quantity for level in levels}
    threshold = ctx.rules.low_stock_threshold
    rows = tuple(
        StockRow(loc, by_location.get(loc, 0), stock_status(by_location.get(loc, 0), threshold))
        for loc in chosen
    )
    # Without a figure nothing was read from a cache: the answer is as of the request.
    as_of = min((level.as_of for level in levels), default=ctx.started_at)
    return AvailabilityView(
        channel=ctx.rules.stock_channel(ctx.channel),
        rows=rows,
        as_of=as_of,
        live=as_of >= ctx.started_at,
    )


async def availability_of(
    ctx: RequestContext,
    variant_id: str,
    *,
    location_ids: Sequence[str] | None,
    near: GeoPoint | None,
    live: bool,
) -> AvailabilityView:
    chosen = await _chosen_location_ids(ctx, location_ids, near)
    levels = await ctx.loaders.stock_levels_by_key.load(StockKey(variant_id, chosen, live))
    return _view(ctx, chosen, levels)


async def availability_views(
    ctx: RequestContext,
    variant_ids: Sequence[str],
    *,
    location_ids: Sequence[str] | None,
    near: GeoPoint | None,
    live: bool,
) -> list[tuple[AvailabilityView, list[tuple[StockRow, Location]]]]:
    """Availability of many variants in the same locations, with the rows' locations.

    For a listing: one stock call, then one locations call, instead of several resolvers
    per product.
    """
    chosen = await _chosen_location_ids(ctx, location_ids, near)
    all_levels = await ctx.loaders.stock_levels_by_key.load_many(
        [StockKey(variant_id, chosen, live) for variant_id in variant_ids]
    )
    locations = await ctx.loaders.locations_by_ids.load(chosen)
    views = [_view(ctx, chosen, levels) for levels in all_levels]
    return [
        (view, [(row, loc) for row, loc in zip(view.rows, locations, strict=True) if loc])
        for view in views
    ]


async def located_rows(
    ctx: RequestContext, view: AvailabilityView
) -> list[tuple[StockRow, Location]]:
    """The view's rows with their locations; ids that name no location are left out."""
    locations = await ctx.loaders.locations_by_ids.load(tuple(row.location_id for row in view.rows))
    return [(row, loc) for row, loc in zip(view.rows, locations, strict=True) if loc is not None]


async def live_stock(
    ctx: RequestContext, variant_ids: Sequence[str], location_ids: Sequence[str]
) -> dict[tuple[str, str], int]:
    """Units per (variant, location), read from the inventory now: for carts and checkout."""
    try:
        return units_by_location(
            await ctx.sources.inventory.get_stock_live(variant_ids, location_ids)
        )
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc


def units_by_location(
    levels: Mapping[str, Sequence[StockLevel]],
) -> dict[tuple[str, str], int]:
    """The inventory's stock levels per variant as units per (variant, location)."""
    return {
        (level.variant_id, level.location_id): level.quantity
        for variant_levels in levels.values()
        for level in variant_levels
    }


async def get_location(ctx: RequestContext, location_id: str) -> Location | None:
    return await ctx.loaders.location_by_id.load(location_id)
