"""One setting's value: environment text read as TOML, checked against its field, and shown in problems.

`gateway.config_loading` walks the settings; these turn one raw value (from the file, or
the text of an environment variable as `FromEnv`) into its field's type, raise `Invalid`
saying what is wrong, and word the "got" and "expected" parts of the problem.
"""

from __future__ import annotations

import json
import math
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class FromEnv:
    """A raw value read from an environment variable, parsed later by its field's type."""

    name: str
    text: str


class Invalid(Exception):
    """One value does not fit its field; `what` is the "what is wrong" part of the message."""

    def __init__(self, what: str, got: str | None = None, expected: str | None = None) -> None:
        self.what, self.got, self.expected = what, got, expected


def from_text(text: str, hint: Any) -> object:
    """Read an environment variable's text as the TOML value its field expects."""
    kind = typing.get_origin(hint)
    if hint is bool:
        words = {"true": True, "1": True, "yes": True, "on": True}
        words |= {"false": False, "0": False, "no": False, "off": False}
        if text.strip().lower() not in words:
            raise Invalid("not a boolean")
        return words[text.strip().lower()]
    if hint in (int, float):
        return _toml_value(text, "not a number")
    if kind is tuple:
        if text.lstrip().startswith("["):
            return _toml_value(text, "not a TOML list")
        return [item.strip() for item in text.split(",") if item.strip()]
    if kind is Mapping:
        return _toml_value(
            text, "not a TOML inline table, e.g. '{ Accept = \"application/json\" }'"
        )
    return text.strip() if kind is Literal else text


def parse_day(value: object) -> date:
    # A TOML date arrives as a date, an environment variable as text; a datetime is a date
    # too, but a time of day would be ignored, so it is refused.
    if type(value) is date:
        return value
    if not isinstance(value, str):
        raise Invalid("wrong type")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("not a date") from None


def _toml_value(text: str, what: str) -> object:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        raise Invalid(what) from None


def parse_decimal(value: object, meta: Mapping[str, Any]) -> Decimal:
    # Text keeps an amount exact ("4.95"); a TOML float is read through its shortest text.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid("wrong type")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid("not a decimal number") from None
    if not amount.is_finite():
        raise Invalid("not a decimal number")
    low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
    if (
        (low is not None and amount < low)
        or (high is not None and amount > high)
        or (above is not None and amount <= above)
    ):
        raise Invalid("out of range")
    return amount


def parse_number(value: object, hint: type[Any], meta: Mapping[str, Any]) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid("wrong type")
    if hint is int and not isinstance(value, int):
        raise Invalid("wrong type")
    low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
    if (
        (low is not None and value < low)
        or (high is not None and value > high)
        or (above is not None and value <= above)
    ):
        raise Invalid("out of range")
    return hint(value)  # type: ignore[no-any-return]


def got_text(value: object) -> str:
    if isinstance(value, FromEnv):
        return f"{value.text!r} from {value.name}"
    if isinstance(value, dict):
        names = ", ".join(env_names(value))
        return f"a table from {names}" if names else "a table"
    shown = repr(value) if isinstance(value, str) else toml_text(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def env_names(value: object) -> list[str]:
    if isinstance(value, FromEnv):
        return [value.name]
    if isinstance(value, dict):
        return [name for item in value.values() for name in env_names(item)]
    return []


def expected_of(hint: Any, meta: Mapping[str, Any]) -> str:
    kind = typing.get_origin(hint)
    if kind in (typing.Union, types.UnionType):
        (inner,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        return expected_of(inner, meta)
    if kind is Literal:
        return "one of " + ", ".join(repr(choice) for choice in typing.get_args(hint))
    if kind is tuple:
        item = typing.get_args(hint)[0]
        if typing.get_origin(item) is Literal:
            return "a list of any of " + ", ".join(repr(c) for c in typing.get_args(item))
        return "a list of strings"
    if kind is Mapping:
        return 'a table of strings, e.g. { Authorization = "Bearer ${TOKEN}" }'
    if hint is bool:
        return "true or false"
    if hint is date:
        return "a date, e.g. 2027-04-05"
    if hint is Decimal:
        low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
        if above is not None:
            return f'a decimal amount, e.g. "4.95", greater than {above}'
        bounds = f" from {low} to {high}" if high is not None else f" of at least {low}"
        return (
            'a decimal amount, e.g. "4.95",' + bounds
            if low is not None
            else 'a decimal amount, e.g. "4.95"'
        )
    noun = "an integer" if hint is int else "a number"
    low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
    if hint in (int, float):
        if low is not None and high is not None:
            return f"{noun} from {low} to {high}"
        if above is not None:
            return f"{noun} greater than {above}"
        return f"{noun} of at least {low}"
    return "a non-empty string"


def toml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_text(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{json.dumps(k)} = {toml_text(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    return json.dumps(str(value), ensure_ascii=False)
