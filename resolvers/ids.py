"""Relay global ids ("Type:key", base64) and opaque cursors."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from resolvers.errors import BadUserInput

NODE_TYPES = frozenset(
    {
        "Product",
        "ProductVariant",
        "Category",
        "Location",
        "Customer",
        "Order",
        "Return",
        "Voucher",
        "Cart",
        "OutboxMessage",
    }
)


def to_global_id(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


@lru_cache(maxsize=4096)
def from_global_id(global_id: str) -> tuple[str, str]:
    """Decode a global id into (type name, key); malformed ids are the caller's error.

    Cached: a listing passes the same store ids for every product on the page.
    """
    try:
        text = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput(f"{global_id!r} is not a valid global id.", argument="id") from None
    type_name, sep, key = text.partition(":")
    if not sep or not key or type_name not in NODE_TYPES:
        raise BadUserInput(f"{global_id!r} is not a valid global id.", argument="id")
    return type_name, key


def key_of(global_id: str, expected: str, argument: str = "id") -> str:
    """The key inside a global id that must name an `expected` node."""
    type_name, key = from_global_id(global_id)
    if type_name != expected:
        raise BadUserInput(
            f"{argument} must be the id of a {expected}, not of a {type_name}.", argument=argument
        )
    return key


def to_cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset}".encode()).decode("ascii")


def from_cursor(cursor: str | None) -> int:
    """The offset after `cursor` (0 when None)."""
    if cursor is None:
        return 0
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("utf-8")
        prefix, _, number = text.partition(":")
        if prefix == "cursor" and number.isdigit():
            return int(number) + 1
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise BadUserInput(f"{cursor!r} is not a cursor this API gave out.", argument="after")
