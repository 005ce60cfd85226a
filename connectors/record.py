"""`@record`: the class of a source's canonical record. Frozen to the type checker, quick to build.

Records are made by the thousand per request (a cold listing maps 48 products, some 240
variants, their prices and 700 stock rows) and rebuilt as often from the shared cache. A
frozen dataclass sets each field through `object.__setattr__`: 460 ns for a stock row's
four fields, against 130 ns for a slotted dataclass that assigns them. So a record is a
slotted dataclass, and its immutability the type checker's to enforce:
`dataclass_transform(frozen_default=True)` makes mypy refuse any assignment to a field
(and `dataclasses.replace` makes a changed copy). Records still hash by their fields, as
frozen ones do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, dataclass_transform

__all__ = ["record"]

T = TypeVar("T")


@dataclass_transform(frozen_default=True)
def record(cls: type[T]) -> type[T]:
    """Make `cls` a record: a slotted dataclass of its annotated fields, hashed by them."""
    return dataclass(slots=True, unsafe_hash=True)(cls)
