"""Relay global ids ("Type:key", base64) and opaque cursors.

Two kinds of cursor, both base64 so that clients treat them as opaque:

* `to_cursor(offset)`, "cursor:N": the position in a list the gateway pages by offset
  (orders, outbox messages);
* `to_keyset_cursor(token)`, "keyset:<token>": wraps the token a source gave a row of a
  listing it pages by key (the PIM's product search); the token encodes that row's sort
  key, so the next page starts right after the row, however deep, even when rows were
  added before it. The source checks its token when it comes back.
"""

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


#: The longest cursor accepted; a source's keyset token is a few dozen characters.
MAX_CURSOR_LENGTH = 2048


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


def to_keyset_cursor(token: str) -> str:
    """The cursor of a listed row whose source gave it `token`."""
    return base64.b64encode(f"keyset:{token}".encode()).decode("ascii")


def from_keyset_cursor(cursor: str | None, argument: str = "after") -> str | None:
    """The source's token inside a keyset cursor (None when `cursor` is None)."""
    if cursor is None:
        return None
    if len(cursor) <= MAX_CURSOR_LENGTH:
        try:
            text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeError, ValueError):
            text = ""
        prefix, _, token = text.partition(":")
        if prefix == "keyset" and token and token.isprintable():
            return token
    raise BadUserInput(f"{_shown(cursor)} is not a cursor this API gave out.", argument=argument)


def _shown(cursor: str) -> str:
    return repr(cursor if len(cursor) <= 64 else f"{cursor[:64]}...")
