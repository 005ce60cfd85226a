"""Turns the inventory system's JSON documents into canonical location and stock records.

The documents are those of `backoffice.inventory.service` (its docstring shows one of each
kind); the embedded and the HTTP adapter both parse them here. A document that lacks a
field or has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, get_args

from connectors.common import GeoPoint
from connectors.errors import SourceContractViolation
from connectors.inventory.records import Address, Location, LocationType, StockLevel

SOURCE = "inventory"
_LOCATION_TYPES: tuple[LocationType, ...] = get_args(LocationType)


def to_location(doc: Any) -> Location:
    with _contract("location"):
        address, geo = doc["address"], doc["geo"]
        return Location(
            id=_str(doc["id"]),
            code=_str(doc["code"]),
            name=_str(doc["name"]),
            type=_location_type(doc["type"]),
            address=None if address is None else _address(address),
            geo=None if geo is None else _geo(geo),
            click_and_collect=_bool(doc["click_and_collect"]),
            ship_from_store=_bool(doc["ship_from_store"]),
            channels=tuple(_str(channel) for channel in _list(doc["channels"])),
            footfall=_opt_int(doc["footfall"]),
        )


def to_stock_level(doc: Any) -> StockLevel:
    with _contract("stock level"):
        return StockLevel(
            variant_id=_str(doc["variant_id"]),
            location_id=_str(doc["location_id"]),
            quantity=_int(doc["quantity"]),
            as_of=_timestamp(doc["as_of"]),
        )


def _address(doc: Any) -> Address:
    return Address(
        line1=_str(doc["line1"]),
        line2=_opt_str(doc["line2"]),
        postal_code=_str(doc["postal_code"]),
        city=_str(doc["city"]),
        country=_str(doc["country"]),
    )


def _geo(doc: Any) -> GeoPoint:
    return GeoPoint(latitude=_float(doc["latitude"]), longitude=_float(doc["longitude"]))


@contextmanager
def _contract(kind: str) -> Iterator[None]:
    try:
        yield
    except KeyError as exc:
        raise SourceContractViolation(SOURCE, f"{kind} document lacks the field {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise SourceContractViolation(SOURCE, f"{kind} document is malformed: {exc}") from exc


def _location_type(value: object) -> LocationType:
    for type_ in _LOCATION_TYPES:
        if value == type_:
            return type_
    raise ValueError(f"unknown location type {value!r}")


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {value!r}")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _opt_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _float(value: object) -> float:
    # JSON has one number type: a whole-degree coordinate may arrive as an int.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {value!r}")
    return value


def _timestamp(value: object) -> datetime:
    at = datetime.fromisoformat(_str(value))
    if at.tzinfo is None:
        raise ValueError(f"expected a timestamp with a UTC offset, got {value!r}")
    return at.astimezone(UTC)
