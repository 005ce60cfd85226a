"""A small schema built to hit the spec's corner cases: nulls, errors, lists, abstract types."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.compiled import CompiledExecutionContext
from schema.execution import DERIVED, FastAttributeExecutionContext


@strawberry.enum
class Colour(enum.Enum):
    """A colour."""

    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    """Anything with a name."""

    name: str


@strawberry.type
class Leaf(Named):
    """A thing whose fields go wrong on request."""

    count: int | None
    colour: Colour | None
    strict: int

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError(f"{self.name} fails")

    @strawberry.field
    def fails_strictly(self) -> str:
        raise ValueError(f"{self.name} fails strictly")

    @strawberry.field
    async def later(self, delay: float = 0) -> str | None:
        await asyncio.sleep(delay)
        if self.name.startswith("bad"):
            raise ValueError(f"{self.name} fails later")
        return self.name

    @strawberry.field
    async def later_strictly(self) -> str:
        await asyncio.sleep(0)
        if self.name.startswith("bad"):
            raise ValueError(f"{self.name} fails later, strictly")
        return self.name

    @strawberry.field
    def greet(self, greeting: str = "hello", times: int = 1) -> str:
        return " ".join([f"{greeting} {self.name}"] * times)

    @strawberry.field
    def seen(self, info: strawberry.Info, depth: int = 0) -> str:
        """What a resolver learns from its info: path, name, selection, variables."""
        selected = [(f.name, f.alias, f.arguments) for f in info.selected_fields]
        return repr((info.path.as_list(), info.field_name, selected, info.variable_values, depth))

    @strawberry.field
    def returned_error(self) -> str | None:
        return ValueError("returned, not raised")  # type: ignore[return-value]

    # Methods of the parent alone, which the compiled plan calls directly (`DERIVED`).
    @strawberry.field(metadata={DERIVED: True})
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field(metadata={DERIVED: True})
    def shout_strictly(self) -> int:
        if self.name.startswith("bad"):
            raise ValueError(f"{self.name} cannot shout")
        return len(self.name)

    @strawberry.field(metadata={DERIVED: True})
    def twins(self) -> list[Leaf]:
        return [Leaf(name=f"{self.name}-{n}", count=n, colour=None, strict=n) for n in (1, 2)]

    #: Marked, but it reads its info: not what `DERIVED` promises, so its resolver runs.
    @strawberry.field(metadata={DERIVED: True})
    def field_name(self, info: strawberry.Info) -> str:
        return info.field_name


class Deny(BasePermission):
    """Refuses everyone."""

    message = "not for you"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Pet(Named):
    """Another named thing."""

    legs: int
    #: A plain attribute with a permission: no resolver, yet not a plain read.
    secret: str | None = strawberry.field(default="hidden", permission_classes=[Deny])


Either = Annotated[Leaf | Pet, strawberry.union("Either")]


def good(name: str = "good") -> Leaf:
    return Leaf(name=name, count=1, colour=Colour.RED, strict=1)


def bad(name: str = "bad") -> Leaf:
    # What a bug hands the schema: wrong types and None where the schema promises a value.
    return Leaf(name=name, count="many", colour="green", strict=None)  # type: ignore[arg-type]


class Exploding(Leaf):
    """Not a type of the schema: a Leaf whose `count` raises when read."""

    @property  # type: ignore[override]
    def count(self) -> int | None:
        raise ValueError("count exploded")


def exploding() -> Leaf:
    leaf = object.__new__(Exploding)
    leaf.__dict__.update(name="boom", colour=Colour.RED, strict=1)
    return leaf


@strawberry.input
class Filter:
    """Names to keep."""

    prefix: str = ""
    limit: int | None = None


@strawberry.type
class Query:
    """Root of the corner cases."""

    @strawberry.field
    def leaf(self, name: str = "good") -> Leaf:
        return bad(name) if name.startswith("bad") else good(name)

    @strawberry.field
    def maybe(self) -> Leaf | None:
        return bad()

    @strawberry.field
    def leaves(self, filter: Filter | None = None) -> list[Leaf]:
        items = [good("a"), bad("bad1"), good("b"), bad("bad2")]
        if filter is not None:
            items = [i for i in items if i.name.startswith(filter.prefix)][: filter.limit]
        return items

    @strawberry.field
    def huge(self) -> Leaf:
        return Leaf(name="huge", count=2**31, colour=Colour.RED, strict=-(2**31))

    @strawberry.field
    def exploding(self) -> Leaf:
        return exploding()

    @strawberry.field
    def mixed_leaves(self) -> list[Leaf | None]:
        """A list the compiled plan completes item by item in one loop, where it can."""
        too_big = Leaf(name="huge", count=2**31, colour=Colour.BLUE, strict=1)
        return [good("m"), None, exploding(), too_big, bad("bad4"), Pet(name="x", legs=1)]  # type: ignore[list-item]

    @strawberry.field
    def strict_leaves(self) -> list[Leaf] | None:
        return [good("a"), bad("bad1")]

    @strawberry.field
    def nested(self) -> list[list[int | None] | None]:
        return [[1, None, 3], None, ["x", 2]]  # type: ignore[list-item]

    @strawberry.field
    def tuple_names(self) -> list[str]:
        return ("x", "y")  # type: ignore[return-value]

    @strawberry.field
    def generated(self) -> list[Leaf]:
        def items() -> Iterator[Leaf]:
            yield good("gen")
            yield bad("badgen")

        return items()  # type: ignore[return-value]

    @strawberry.field
    async def streamed(self) -> list[int]:
        async def items() -> AsyncIterator[int]:
            yield 1
            yield 2

        return items()  # type: ignore[return-value]

    @strawberry.field
    async def awaited_items(self) -> list[Leaf | None]:
        async def one(leaf: Leaf) -> Leaf:
            await asyncio.sleep(0)
            return leaf

        return [one(good("x")), one(bad("bad3"))]  # type: ignore[list-item]

    @strawberry.field
    def named(self) -> list[Named]:
        return [good("n"), Pet(name="rex", legs=4)]

    @strawberry.field
    def either(self) -> list[Either]:
        return [Pet(name="tom", legs=4), good("e")]

    @strawberry.field
    def wrong_type(self) -> Pet | None:
        return good("impostor")  # type: ignore[return-value]

    @strawberry.field
    def wrong_named(self) -> Named | None:
        return "not a thing"  # type: ignore[return-value]


LOG: list[str] = []


@strawberry.type
class Mutation:
    """Writes whose order shows they ran one after another."""

    @strawberry.mutation
    async def slow(self, tag: str) -> str:
        await asyncio.sleep(0.02)
        LOG.append(tag)
        return tag

    @strawberry.mutation
    def quick(self, tag: str) -> str:
        LOG.append(tag)
        return tag

    @strawberry.mutation
    async def broken(self, tag: str) -> str:
        LOG.append(tag)
        raise ValueError(f"{tag} broke")


def schemas() -> tuple[strawberry.Schema, strawberry.Schema, strawberry.Schema]:
    """The reference (graphql-core's plain execution), the compiled schema, and the one
    with only plain attribute fields read directly (`build_schema(compiled=False)`)."""
    args: dict[str, Any] = {"query": Query, "mutation": Mutation, "types": [Pet]}
    return (
        strawberry.Schema(**args, execution_context_class=StrawberryGraphQLCoreExecutionContext),
        strawberry.Schema(**args, execution_context_class=CompiledExecutionContext),
        strawberry.Schema(**args, execution_context_class=FastAttributeExecutionContext),
    )
