"""What a listing hands its products: the selection read as a `ListingAsk`, the answer as schema objects.

`resolvers.listing` decides and fetches; this module only translates both ways. Going in,
the `products` field's selection says whether the nodes ask for `price` and with which
arguments they ask for `availability`; coming back, each product's records become the
`Price` and `Availability` objects its plain fields return (`Listed`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.types.nodes import Selection

from connectors.pim.records import Variant
from resolvers.context import RequestContext
from resolvers.errors import GatewayError
from resolvers.listing import ListedProduct, ListingAsk, StockAsk
from schema.availability import Availability, GeoPointInput, Location
from schema.price import Price
from schema.selection import arguments_below


def availability_args(
    location_ids: Sequence[str] | None, near: GeoPointInput | Mapping[str, float] | None, live: Any
) -> StockAsk:
    """The arguments of an `availability` field, as a comparable key."""
    point = None
    if isinstance(near, GeoPointInput):
        point = (near.latitude, near.longitude)
    elif near is not None:
        point = (float(near["latitude"]), float(near["longitude"]))
    return StockAsk(tuple(location_ids) if location_ids is not None else None, point, bool(live))


def listing_ask(selected: Sequence[Selection]) -> ListingAsk:
    """What the nodes of a `products` selection ask for, for the resolvers to fetch at once."""
    wanted = arguments_below(selected, ("edges", "node"))
    asked = {
        availability_args(a.get("locationIds"), a.get("near"), a.get("live", False))
        for a in wanted.get("availability", [])
    }
    # Aliases asking different places fall back to a resolver each.
    return ListingAsk(
        price="price" in wanted,
        availability=asked.pop() if len(asked) == 1 else None,
        variants="variants" in wanted,
        total="totalCount" in arguments_below(selected, ()),
    )


@dataclass(slots=True)
class Listed:
    """What a listing fetched for one product: its price and its availability (or the error)."""

    has_price: bool = False
    price: Price | None = None
    availability_key: StockAsk | None = None
    availability: Availability | None = None
    #: The product's variants when the page carried them (None: the field loads them).
    variants: list[Any] | None = None
    error: Mapping[str, GatewayError] = field(default_factory=dict)

    def price_or_raise(self) -> Price | None:
        if "price" in self.error:
            raise self.error["price"]
        return self.price

    def availability_for(
        self,
        location_ids: list[strawberry.ID] | None,
        near: GeoPointInput | None,
        live: bool | None,
    ) -> bool:
        return self.availability_key is not None and self.availability_key == availability_args(
            location_ids, near, live
        )

    def availability_or_raise(self) -> Availability | None:
        if "availability" in self.error:
            raise self.error["availability"]
        return self.availability


def listed_of(
    ctx: RequestContext,
    ask: ListingAsk,
    fetched: Sequence[ListedProduct],
    variant: Callable[[Variant, RequestContext], Any],
) -> list[Listed]:
    """Each product's records as the schema objects its listed fields return.

    `variant` turns a variant record into its schema object (`schema.product` passes its
    own: it imports this module).
    """
    shown: dict[str, Location] = {}  # the page's rows show the same few locations
    return [
        Listed(
            has_price=ask.price,
            price=Price.from_record(item.price, ctx) if item.price else None,
            availability_key=ask.availability,
            availability=Availability.from_view(item.availability, list(item.located), shown)
            if item.availability
            else None,
            variants=None
            if item.variants is None
            else [variant(record, ctx) for record in item.variants],
            error=item.errors,
        )
        for item in fetched
    ]
