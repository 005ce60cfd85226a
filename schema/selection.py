"""What a query asks for below a field: lets a list resolver fetch for all its items at once.

Strawberry's `info.selected_fields` expands a fragment again at every spread of it; the
document limits (`limits.max_fields`, fields counted once fragments are expanded) bound
that expansion before execution starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from strawberry.types.nodes import SelectedField, Selection


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    """The fields of a selection set, looking through fragments."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def arguments_below(
    selected: Sequence[Selection], path: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """For each field at `path` below `selected`, the argument sets it is asked with.

    `arguments_below(info.selected_fields, ("edges", "node"))["price"]` lists one dict of
    arguments per occurrence (aliases make several) of `price` on the nodes.
    """
    level: list[Selection] = list(selected)
    for name in ("", *path):
        level = [
            child
            for field in _fields(level)
            if not name or field.name == name
            for child in field.selections
        ]
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for field in _fields(level):
        found[field.name].append(field.arguments)
    return found
