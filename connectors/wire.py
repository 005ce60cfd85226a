"""Decoding a source's answer straight into typed shapes (msgspec), for its heaviest answers.

A PIM search page is some 120 KB of JSON: whole descriptions, media and every variant's
name and attributes in two locales. Decoded into dicts (orjson), it was the largest single
cost of a listing request (1.2–1.4 ms of its 7.4 ms of CPU), although a listing reads a
few fields of it. msgspec decodes into `Struct` types instead, checking every value's type
as it goes, and leaves a field typed `msgspec.Raw` as the bytes it was: a part that is
mostly not read is kept, not parsed (0.58 ms for the page).

`decoder(kind, source, type_)` wraps such a decode: an answer that does not fit the type is
the source's `SourceContractViolation`, with msgspec's message naming the place
(`Expected 'str', got 'int' - at '$.items[3].sku'`).

A source's `mapping` (`{"title": "name"}`: their `title` is our `name`) renames the
top-level fields of its documents. `renamed(type_, mapping, documents)` is the same
decoding type with each of `documents` reading its fields under the source's names, and
nested parts (a product's media) under ours, as `RestSource.rename` does for dicts.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Collection, Mapping
from typing import Annotated, Any, TypeVar, cast, get_args, get_origin

import msgspec

from connectors.errors import SourceContractViolation

__all__ = ["decoder", "renamed"]

S = TypeVar("S")


def decoder(kind: str, source: str, type_: type[S]) -> Callable[[bytes], S]:
    """A function decoding one `kind` answer of `source` into `type_`, or raising its contract violation."""
    decode = msgspec.json.Decoder(type_).decode

    def read(content: bytes) -> S:
        try:
            return decode(content)
        except msgspec.DecodeError as exc:  # ValidationError is one too
            raise SourceContractViolation(source, f"{kind} answer is malformed: {exc}") from exc

    return read


def renamed(type_: type[S], mapping: Mapping[str, str], documents: Collection[type]) -> type[S]:
    """`type_` with each Struct of `documents` reading its fields under the source's names.

    `mapping` is the source's `{their name: our name}`. Every Struct reachable from
    `type_` is copied (a copy must hold copies of the Structs under it); only those in
    `documents` are renamed. Without a mapping, `type_` itself.
    """
    if not mapping:
        return type_
    theirs = {ours: their for their, ours in mapping.items()}
    copies: dict[type, Any] = {}

    def copy(tp: Any) -> Any:
        if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
            if tp not in copies:
                fields = msgspec.structs.fields(tp)
                rename = {f.name: theirs[f.name] for f in fields if f.name in theirs}
                copies[tp] = msgspec.defstruct(
                    tp.__name__,
                    [_field(f, copy(f.type)) for f in fields],
                    rename=rename if tp in documents else None,
                )
            return copies[tp]
        origin, args = get_origin(tp), get_args(tp)
        if not args or origin is Annotated:
            return tp
        copied = tuple(copy(arg) for arg in args)
        if origin is tuple or origin is list or origin is dict:
            return origin[copied]
        return functools.reduce(operator.or_, copied)  # X | None

    return cast(type[S], copy(type_))


def _field(info: msgspec.structs.FieldInfo, type_: Any) -> tuple[Any, ...]:
    if info.default is not msgspec.NODEFAULT:
        return (info.name, type_, info.default)
    if info.default_factory is not msgspec.NODEFAULT:
        return (info.name, type_, msgspec.field(default_factory=info.default_factory))
    return (info.name, type_)
