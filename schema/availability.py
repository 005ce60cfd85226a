"""Locations and availability: where a variant is in stock, how many, how fresh the figure is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types.nodes import Selection

from connectors.inventory import records
from resolvers import availability as availability_resolvers
from resolvers.context import RequestContext
from resolvers.ids import key_of, to_global_id
from schema.common import Node
from schema.execution import DERIVED
from schema.info import Info
from schema.selection import arguments_below


@strawberry.enum(description="What kind of place holds stock.")
class LocationType(Enum):
    STORE = strawberry.enum_value("STORE", description="A store customers visit.")
    DISTRIBUTION_CENTER = strawberry.enum_value(
        "DISTRIBUTION_CENTER", description="The retailer's distribution centre."
    )
    PARTNER = strawberry.enum_value("PARTNER", description="A partner's warehouse (drop-ship).")


@strawberry.enum(description="Stock in words: in stock, low (a few left) or out of stock.")
class StockStatus(Enum):
    IN_STOCK = strawberry.enum_value("IN_STOCK", description="More than a few units.")
    LOW_STOCK = strawberry.enum_value("LOW_STOCK", description="A few units left.")
    OUT_OF_STOCK = strawberry.enum_value("OUT_OF_STOCK", description="None to sell.")


@strawberry.input(description="A point on the map (WGS84).")
class GeoPointInput:
    latitude: float = strawberry.field(description="Degrees north, -90 to 90.")
    longitude: float = strawberry.field(description="Degrees east, -180 to 180.")


# The arguments every `availability` field takes (Product, ProductVariant).
LocationIdsArgument = Annotated[
    list[strawberry.ID] | None,
    strawberry.argument(description="These locations, in this order."),
]
NearArgument = Annotated[
    GeoPointInput | None,
    strawberry.argument(description="Else: the stores nearest to this point."),
]
LiveArgument = Annotated[
    bool | None,
    strawberry.argument(
        description="Read the inventory source now instead of the cache (basket, checkout)."
    ),
]


@strawberry.type(description="A point on the map (WGS84).")
class GeoPoint:
    latitude: float = strawberry.field(description="Degrees north.")
    longitude: float = strawberry.field(description="Degrees east.")


@strawberry.type(description="A postal address.")
class Address:
    line1: str = strawberry.field(description="Street and number.")
    line2: str | None = strawberry.field(description="Additional line, if any.")
    postal_code: str = strawberry.field(description="Postal code.")
    city: str = strawberry.field(description="City.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")


@strawberry.type(description="A store, distribution centre or partner warehouse.")
class Location(Node):
    code: str = strawberry.field(description="Short code used in stores and reports, e.g. AMS01.")
    name: str = strawberry.field(description="Name shown to customers.")
    type: LocationType = strawberry.field(description="What kind of place it is.")
    address: Address | None = strawberry.field(description="Postal address.")
    geo: GeoPoint | None = strawberry.field(description="Where it is on the map.")
    click_and_collect: bool = strawberry.field(description="Orders can be collected here.")
    ship_from_store: bool = strawberry.field(description="Orders can be shipped from here.")
    footfall: int | None = strawberry.field(
        description="Door-counter visitors per day (stores): how busy the store is."
    )

    @classmethod
    def from_record(cls, record: records.Location) -> Location:
        address = record.address
        return cls(
            id=strawberry.ID(to_global_id("Location", record.id)),
            code=record.code,
            name=record.name,
            type=LocationType(record.type),
            address=Address(
                line1=address.line1,
                line2=address.line2,
                postal_code=address.postal_code,
                city=address.city,
                country=address.country,
            )
            if address
            else None,
            geo=GeoPoint(latitude=record.geo.latitude, longitude=record.geo.longitude)
            if record.geo
            else None,
            click_and_collect=record.click_and_collect,
            ship_from_store=record.ship_from_store,
            footfall=record.footfall,
        )


@strawberry.type(description="Stock of the variant at one location.")
class LocationStock:
    location: Location = strawberry.field(description="Where the stock is.")
    quantity: int = strawberry.field(description="Units available to sell.")
    state: strawberry.Private[str]

    # Worked out when asked (`DERIVED`): a listing shows some 150 rows, mostly their quantity.
    @strawberry.field(description="The quantity in words.", metadata={DERIVED: True})
    def status(self) -> StockStatus:
        return StockStatus(self.state)


Located = list[tuple[availability_resolvers.StockRow, records.Location]]


@strawberry.type(description="Availability of a variant across locations.")
class Availability:
    # Plain fields, filled before the object is handed over: a listing builds 48 of them
    # from one fetch, and a resolver per product and field would cost more than the rest.
    as_of: datetime = strawberry.field(
        description="When the figures were read from the inventory source."
    )
    live: bool = strawberry.field(
        description="True when read live from the source for this request, false when served from cache."
    )
    locations: list[LocationStock] = strawberry.field(
        description="Stock per chosen location, in the order chosen (nearest first for `near`)."
    )
    available: bool = strawberry.field(
        description="True when some location that serves the request's channel can deliver."
    )

    @classmethod
    def from_view(
        cls,
        view: availability_resolvers.AvailabilityView,
        located: Located,
        shown: dict[str, Location] | None = None,
    ) -> Availability:
        """The view with its rows' locations; `shown` shares Location objects across views."""
        shown = {} if shown is None else shown
        return cls(
            as_of=view.as_of,
            live=view.live,
            locations=[
                LocationStock(
                    location=shown.get(loc.id)
                    or shown.setdefault(loc.id, Location.from_record(loc)),
                    quantity=row.quantity,
                    state=row.status,
                )
                for row, loc in located
            ],
            available=any(
                row.quantity > 0 and view.channel in loc.channels for row, loc in located
            ),
        )


async def resolve_availability(
    ctx: RequestContext,
    variant_id: str,
    location_ids: list[strawberry.ID] | None,
    near: GeoPointInput | None,
    live: bool | None,
    selected: Sequence[Selection],
) -> Availability:
    """Shared by Product.availability and ProductVariant.availability.

    The rows' locations are read only when the query shows them (`locations`, or
    `available`, which depends on the channels they serve).
    """
    view = await availability_resolvers.availability_of(
        ctx,
        variant_id,
        location_ids=location_ids,
        near=availability_resolvers.checked_point(near.latitude, near.longitude) if near else None,
        live=bool(live),
    )
    shown = arguments_below(selected, ())
    located: Located = []
    if "locations" in shown or "available" in shown:
        located = await availability_resolvers.located_rows(ctx, view)
    return Availability.from_view(view, located)


@strawberry.type
class LocationQuery:
    """Root fields of the inventory domain."""

    @strawberry.field(description="A location by its global id; null if there is none.")
    async def location(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The location's global id.")],
    ) -> Location | None:
        record = await availability_resolvers.get_location(info.context, key_of(id, "Location"))
        return Location.from_record(record) if record else None

    @strawberry.field(
        description="Locations of the given types (all when omitted), nearest first when `near` is given."
    )
    async def locations(
        self,
        info: Info,
        near: Annotated[
            GeoPointInput | None,
            strawberry.argument(description="Sort by distance from this point."),
        ] = None,
        types: Annotated[
            list[LocationType] | None,
            strawberry.argument(description="Only these kinds of location."),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="How many, 0 to 50.")] = 20,
    ) -> list[Location]:
        records_ = await availability_resolvers.find_locations(
            info.context,
            near=availability_resolvers.checked_point(near.latitude, near.longitude)
            if near
            else None,
            types=[t.name for t in types] if types is not None else None,
            first=20 if first is None else first,
        )
        return [Location.from_record(r) for r in records_]
