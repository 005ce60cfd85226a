"""Turns the inventory system's JSON documents into canonical location and stock records.

The documents are those of `backoffice.inventory.service` (its docstring shows one of each
kind); the embedded and the HTTP adapter both parse them here. A document that lacks a
field or has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

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
from connectors.inventory.records import Address, Location, LocationType, StockLevel

SOURCE = "inventory"
_LOCATION_TYPES: tuple[LocationType, ...] = get_args(LocationType)


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


def to_stock_level(doc: Any) -> StockLevel:
    with contract(SOURCE, "stock level"):
        return StockLevel(
            variant_id=string(doc["variant_id"]),
            location_id=string(doc["location_id"]),
            quantity=integer(doc["quantity"]),
            as_of=timestamp(doc["as_of"]),
        )


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
