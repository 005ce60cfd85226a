"""Turns the inventory system's JSON documents into canonical location and stock records.

The documents are those of `backoffice.inventory.service` and `.reservations` (their
docstrings show one of each kind); the embedded and the HTTP adapter both parse them here. A document that lacks a
field or has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, get_args

from connectors._documents import (
    array,
    boolean,
    contract,
    integer,
    number,
    one_of,
    optional,
    string,
    timestamp,
)
from connectors.common import GeoPoint
from connectors.inventory.records import (
    Address,
    Location,
    LocationType,
    Reservation,
    ReservationLine,
    ReservationStatus,
    Shortage,
    StockLevel,
)

SOURCE = "inventory"
_LOCATION_TYPES: tuple[LocationType, ...] = get_args(LocationType)
_RESERVATION_STATUSES: tuple[ReservationStatus, ...] = get_args(ReservationStatus)


def to_location(doc: Any) -> Location:
    with contract(SOURCE, "location"):
        address, geo = doc["address"], doc["geo"]
        return Location(
            id=string(doc["id"]),
            code=string(doc["code"]),
            name=string(doc["name"]),
            type=one_of(doc["type"], _LOCATION_TYPES, "location type"),
            address=optional(_address, address),
            geo=optional(_geo, geo),
            click_and_collect=boolean(doc["click_and_collect"]),
            ship_from_store=boolean(doc["ship_from_store"]),
            channels=tuple(string(channel) for channel in array(doc["channels"])),
            footfall=optional(integer, doc["footfall"]),
        )


def to_stock_levels(docs: Iterable[Any]) -> list[StockLevel]:
    """The stock rows of one answer, in its order.

    An answer holds hundreds (a listing's variants times its stores), which all carry
    the moment they were read: each distinct `as_of` is parsed once.
    """
    read_at: dict[str, datetime] = {}
    levels = []
    with contract(SOURCE, "stock level"):
        for doc in docs:
            as_of = doc["as_of"]
            at = read_at.get(as_of) if isinstance(as_of, str) else None
            if at is None:
                at = read_at[as_of] = timestamp(as_of)
            levels.append(
                StockLevel(
                    string(doc["variant_id"]),
                    string(doc["location_id"]),
                    integer(doc["quantity"]),
                    at,
                )
            )
    return levels


def to_reservation(doc: Any) -> Reservation:
    with contract(SOURCE, "reservation"):
        return Reservation(
            id=string(doc["id"]),
            status=one_of(doc["status"], _RESERVATION_STATUSES, "reservation status"),
            reference=optional(string, doc["reference"]),
            order_id=optional(string, doc["order_id"]),
            created_at=timestamp(doc["created_at"]),
            updated_at=timestamp(doc["updated_at"]),
            lines=tuple(
                ReservationLine(
                    variant_id=string(line["variant_id"]),
                    location_id=string(line["location_id"]),
                    quantity=integer(line["quantity"]),
                )
                for line in array(doc["lines"])
            ),
        )


def to_shortage(doc: Any) -> Shortage:
    with contract(SOURCE, "shortage"):
        return Shortage(
            variant_id=string(doc["variant_id"]),
            location_id=string(doc["location_id"]),
            requested=integer(doc["requested"]),
            available=integer(doc["available"]),
        )


def restock_reference(doc: Any) -> str:
    """The reference of a restock document (its answer to a restock; nothing else is kept)."""
    with contract(SOURCE, "restock"):
        array(doc["lines"])
        return string(doc["reference"])


def reservation_lines(lines: Sequence[ReservationLine]) -> list[dict[str, Any]]:
    """The lines of a reserve or restock request, as the inventory takes them."""
    return [
        {"variant_id": line.variant_id, "location_id": line.location_id, "quantity": line.quantity}
        for line in lines
    ]


def _address(doc: Any) -> Address:
    return Address(
        line1=string(doc["line1"]),
        line2=optional(string, doc["line2"]),
        postal_code=string(doc["postal_code"]),
        city=string(doc["city"]),
        country=string(doc["country"]),
    )


def _geo(doc: Any) -> GeoPoint:
    return GeoPoint(latitude=number(doc["latitude"]), longitude=number(doc["longitude"]))
