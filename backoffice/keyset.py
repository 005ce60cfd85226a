"""Keyset pagination: a listing continues after the sort key of a row, not after a count of rows.

An offset page reads and drops every row before it, so a page deep into a million products
costs as much as reading them all; a keyset page starts where its index says the key is.
A listing's order is a list of `SortColumn`s whose values, together, are unique (end with
the primary key). Each row of a page gets a token encoding its values (`Keyset.token`);
`Keyset.after(token)` is the condition that keeps only the rows sorting after it.

The token is base64url of a JSON array of the values: opaque to clients, and checked on
the way back in (the number of values, each one's type, NUL bytes, integer range), so a
malformed or altered token is an `InvalidRequest`, never a database error. It is not
signed: a forged but well-formed token is just another place in the same listing.

Columns may sort in different directions (a relevance tier descending before the SKU
ascending), so "after" is written out as `(a > x) OR (a = x AND b > y) OR ...` with each
comparison's direction its column's, which SQLite and PostgreSQL both plan, rather than
the row value `(a, b) > (x, y)`, which can only compare in one direction. Sort columns
must not be null: NULL compares as neither before nor after anything.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import QueryableAttribute

from backoffice.errors import InvalidRequest

#: The longest token accepted; real ones are a few dozen characters.
MAX_TOKEN_LENGTH = 1024

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_INT_RANGE = range(-(2**63), 2**63)  # what a BIGINT holds on either database


@dataclass(frozen=True, slots=True)
class SortColumn:
    """One column of a listing's order: the expression, its values' type, and its direction.

    `kind` is the Python type of the expression's values (str, int or float): a token's
    values are checked against it before they reach the database; `domain`, when given,
    is the range an int column's values lie in (a relevance tier's), checked too.
    """

    expression: ColumnElement[Any] | QueryableAttribute[Any]
    kind: type[str] | type[int] | type[float]
    descending: bool = False
    domain: range | None = None


class Keyset:
    """A listing's order, and the tokens and conditions that page through it by key."""

    def __init__(self, columns: Sequence[SortColumn]) -> None:
        if not columns:
            raise ValueError("a keyset needs at least one sort column")
        self.columns = tuple(columns)

    @property
    def expressions(self) -> list[ColumnElement[Any] | QueryableAttribute[Any]]:
        """The sort columns' expressions, to select beside each row so its token can be made."""
        return [column.expression for column in self.columns]

    def order_by(self) -> list[ColumnElement[Any]]:
        """The ORDER BY clauses of the listing."""
        return [
            column.expression.desc() if column.descending else column.expression.asc()
            for column in self.columns
        ]

    def token(self, values: Sequence[Any]) -> str:
        """The token of a row whose sort columns hold `values`."""
        return base64.urlsafe_b64encode(orjson.dumps(list(values))).rstrip(b"=").decode("ascii")

    def after(self, token: str) -> ColumnElement[bool]:
        """The condition that keeps the rows sorting after the row `token` came from."""
        return self.following(self.values(token))

    def following(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """The condition that keeps the rows sorting after a row whose sort columns hold `values`.

        `values` must be checked ones (`values`), one per column.
        """
        either: list[ColumnElement[bool]] = []
        for index, column in enumerate(self.columns):
            earlier = zip(self.columns[:index], values[:index], strict=True)
            equal = [c.expression == v for c, v in earlier]
            either.append(and_(*equal, _beyond(column, values[index], strict=True)))
        # The first column's bound, implied by the OR, is stated on its own too: an index on
        # that column then starts the scan at the token instead of reading from the start.
        return and_(_beyond(self.columns[0], values[0], strict=False), or_(*either))

    def values(self, token: str) -> tuple[Any, ...]:
        """The sort values a token holds; InvalidRequest unless this keyset could have made it."""
        if len(token) > MAX_TOKEN_LENGTH or not _BASE64URL.fullmatch(token):
            raise _invalid(token)
        try:
            decoded = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (binascii.Error, ValueError):  # orjson.JSONDecodeError is a ValueError
            raise _invalid(token) from None
        if not isinstance(decoded, list) or len(decoded) != len(self.columns):
            raise _invalid(token)
        for column, value in zip(self.columns, decoded, strict=True):
            if not _fits(column.kind, value) or (
                column.domain is not None and value not in column.domain
            ):
                raise _invalid(token)
        return tuple(decoded)


def _beyond(column: SortColumn, value: Any, *, strict: bool) -> ColumnElement[bool]:
    expression = column.expression
    beyond: ColumnElement[bool]
    if column.descending:
        beyond = expression < value if strict else expression <= value
    else:
        beyond = expression > value if strict else expression >= value
    return beyond


def _fits(kind: type, value: Any) -> bool:
    if isinstance(value, bool):  # a JSON true is no number
        return False
    if kind is str:
        # PostgreSQL's text cannot hold NUL; the driver would fail on it.
        return isinstance(value, str) and "\x00" not in value
    if kind is int:
        return isinstance(value, int) and value in _INT_RANGE
    if kind is float:
        return isinstance(value, int | float) and (
            not isinstance(value, int) or value in _INT_RANGE
        )
    return False


def _invalid(token: str) -> InvalidRequest:
    shown = token if len(token) <= 64 else f"{token[:64]}..."
    return InvalidRequest(
        f"after: {shown!r} is not a cursor this listing gave out; start again without `after`"
    )
