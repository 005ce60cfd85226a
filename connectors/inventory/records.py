"""Canonical location, stock and reservation records as the inventory system leads them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from connectors.common import GeoPoint
from connectors.errors import Shortage
from connectors.pickling import pickle_by_fields
from connectors.record import record

__all__ = [
    "Address",
    "Location",
    "LocationType",
    "Reservation",
    "ReservationLine",
    "ReservationStatus",
    "Shortage",
    "StockLevel",
]

LocationType = Literal["STORE", "DISTRIBUTION_CENTER", "PARTNER"]

ReservationStatus = Literal["RESERVED", "RELEASED", "COMMITTED"]


@record
class Address:
    """A postal address."""

    line1: str
    line2: str | None
    postal_code: str
    city: str
    country: str


@record
class Location:
    """A store, distribution centre or partner warehouse that holds stock.

    `channels` lists the sales channels the location fulfils for; `footfall` is the
    door counter's visitors per day (stores only), used to route work to quiet stores.
    """

    id: str
    code: str
    name: str
    type: LocationType
    address: Address | None
    geo: GeoPoint | None
    click_and_collect: bool
    ship_from_store: bool
    channels: tuple[str, ...]
    footfall: int | None


@record
class StockLevel:
    """Units of one variant available to sell at one location.

    `as_of` is when the figure was read from the inventory source (not when stock last
    moved): a cached figure keeps its original `as_of`, so clients can tell its age.
    """

    variant_id: str
    location_id: str
    quantity: int
    as_of: datetime


@record
class ReservationLine:
    """Units of one variant to take, or taken, at one location."""

    variant_id: str
    location_id: str
    quantity: int


@record
class Reservation:
    """Units taken from stock for a checkout, under an id the checkout chose.

    RESERVED until the order exists (COMMITTED, `order_id` set) or the checkout fails
    (RELEASED, the units back in stock). A RELEASED reservation without lines is the
    release of an id that was never reserved: it makes a late reserve of that id fail.
    `lines` are in variant and location order, one per pair.
    """

    id: str
    status: ReservationStatus
    reference: str | None
    order_id: str | None
    created_at: datetime
    updated_at: datetime
    lines: tuple[ReservationLine, ...]


# Pickled in the shared cache as their fields (connectors.pickling).
pickle_by_fields(__name__)
