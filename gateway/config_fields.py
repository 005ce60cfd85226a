"""How a settings field declares what `gateway.config_loading` does with it, and how its type is read.

The settings are dataclasses: a dataclass-typed field is a table, `Mapping[str, Table]` a
table of tables, `Mapping[str, str]` a free-form table. Each helper below is a field's `metadata`: `bounds` limits a number, `SECRET` keeps a
value out of the file (environment only), `ENV_REFERENCES` expands `${NAME}`, `CREDENTIAL`
expands it and never shows the result, `INTERNAL` is set by the loader, not by the user.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any


def bounds(
    minimum: float | None = None, maximum: float | None = None, *, above: float | None = None
) -> dict[str, Any]:
    """The bounds of a number: from `minimum` to `maximum`, or strictly `above`."""
    return {"minimum": minimum, "maximum": maximum, "above": above}


# Secrets are read from the environment only; the file may not contain them.
SECRET = {"secret": True}
# `${NAME}` in a value is replaced by the environment variable NAME.
ENV_REFERENCES = {"env_references": True}
# A credential the file refers to as `${NAME}`: expanded, and never shown.
CREDENTIAL = {"env_references": True, "redacted": True}
INTERNAL = {"internal": True}


def type_hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def is_table(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def optional_table(hint: Any) -> type[Any] | None:
    """The dataclass of a `Table | None` field: a table that is absent unless written."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return None
    tables = [arg for arg in typing.get_args(hint) if is_table(arg)]
    return tables[0] if len(tables) == 1 else None


def is_table_of_tables(hint: Any) -> bool:
    return typing.get_origin(hint) is Mapping and is_table(typing.get_args(hint)[1])


def is_free_table(hint: Any) -> bool:
    return typing.get_origin(hint) is Mapping and typing.get_args(hint)[1] is str


def default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
