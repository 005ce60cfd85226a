"""Readers for the JSON documents the sources answer with, shared by every connector's mapping.

A mapping parses one document inside `contract(source, kind)` and reads each value with
the functions below. They raise plain `TypeError`/`ValueError` saying what they expected;
`contract` turns those, and the `KeyError` of a missing field, into the source's
`SourceContractViolation`:

    with contract("crm", "voucher"):
        amount = money(doc["amount"])  # "crm: voucher document lacks the field 'amount'"

They accept exactly what JSON gives: a bool is not a number, a float is not an amount.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from connectors.errors import SourceContractViolation

T = TypeVar("T")


class contract:  # lower case: used like a function, `with contract("crm", "voucher"):`
    """Raise `SourceContractViolation` if reading a `kind` document of `source` fails.

    A missing field is named (`… lacks the field 'sku'`); any other failure is reported
    as malformed with the reader's explanation. A class rather than a generator-based
    context manager: a search page enters one per product and variant, some 300.
    """

    __slots__ = ("kind", "source")

    def __init__(self, source: str, kind: str) -> None:
        self.source = source
        self.kind = kind

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: Any) -> None:
        if exc is None or isinstance(exc, SourceContractViolation):
            return
        if isinstance(exc, KeyError):
            raise SourceContractViolation(
                self.source, f"{self.kind} document lacks the field {exc}"
            ) from exc
        # decimal.InvalidOperation is an ArithmeticError, not a ValueError.
        if isinstance(exc, TypeError | ValueError | ArithmeticError):
            raise SourceContractViolation(
                self.source, f"{self.kind} document is malformed: {exc}"
            ) from exc


def optional(read: Callable[[Any], T], value: object) -> T | None:
    """`None` for a JSON null, else `read(value)`: `optional(string, doc["email"])`."""
    return None if value is None else read(value)


def string(value: object) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def boolean(value: object) -> bool:
    """A JSON `true` or `false`."""
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {value!r}")
    return value


def integer(value: object, *, expected: str = "a whole number", minimum: int | None = None) -> int:
    """A JSON integer, at least `minimum` if given; `expected` words the error message."""
    # bool is an int to Python, not to JSON.
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or (minimum is not None and value < minimum)
    ):
        raise TypeError(f"expected {expected}, got {value!r}")
    return value


def number(value: object) -> float:
    """A JSON number as a float."""
    # JSON has one number type: a whole-degree coordinate may arrive as an int.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def array(value: object) -> list[Any]:
    """A JSON array; its items are read by the caller."""
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {value!r}")
    return value


def localized(value: object) -> dict[str, str]:
    """Localised text: an object of locale to text, `{"nl": "Verf", "en": "Paint"}`."""
    if not isinstance(value, dict):
        raise TypeError(f"expected localised text {{locale: text}}, got {value!r}")
    for locale, text in value.items():
        if not isinstance(locale, str) or not isinstance(text, str):
            string(locale)
            string(text)  # says which was not a string
    return dict(value)


def money(value: object) -> Decimal:
    """A decimal string such as "19.99"; never a float, which cannot hold cents exactly."""
    amount = Decimal(string(value))
    if not amount.is_finite():
        raise ValueError(f"expected an amount, got {value!r}")
    return amount


def timestamp(value: object) -> datetime:
    """An ISO 8601 timestamp with a UTC offset, returned in UTC."""
    at = datetime.fromisoformat(string(value))
    if at.tzinfo is None:
        raise ValueError(f"expected a timestamp with a UTC offset, got {value!r}")
    return at.astimezone(UTC)


def one_of(value: object, choices: tuple[T, ...], what: str) -> T:
    """The member of `choices` (a `Literal`'s `get_args`) equal to `value`; `what` names it in errors."""
    for choice in choices:
        if value == choice:
            return choice
    raise ValueError(f"unknown {what} {value!r}")
