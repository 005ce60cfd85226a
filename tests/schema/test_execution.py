"""The fast path for plain attribute leaves answers exactly as graphql-core's own path does."""

from __future__ import annotations

import dataclasses
import enum
from decimal import Decimal
from typing import Any

import pytest
import strawberry

from schema.execution import PREFETCHED, FastAttributeExecutionContext

pytestmark = pytest.mark.anyio


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    nickname: str | None
    count: int
    colour: Colour
    price: Decimal
    tags: list[str]

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def repeat(self, times: int = 2) -> str:
        return self.name * times

    @strawberry.field
    async def later(self) -> str:
        if self.name is None:
            raise ValueError("no name")
        return self.name


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Pet(Named):
    legs: int


@strawberry.type
class Box:
    item: Item
    maybe: Item | None
    pet: Pet | None


GOOD = Item(name="a", nickname=None, count=3, colour=Colour.BLUE, price=Decimal("1.50"), tags=["x"])
# What a bug would hand the schema: None where the schema promises a value, a wrong type.
BAD: Any = Item(name=None, nickname=None, count="many", colour="green", price=Decimal(1), tags=[])  # type: ignore[arg-type]


@strawberry.type
class Query:
    @strawberry.field
    def item(self) -> Item:
        return GOOD

    @strawberry.field
    def bad(self) -> Item | None:
        return BAD

    @strawberry.field
    def items(self) -> list[Item | None]:
        return [GOOD, BAD, GOOD]

    @strawberry.field
    def box(self) -> Box | None:
        return Box(item=GOOD, maybe=BAD, pet=Pet(name="rex", legs=4))

    @strawberry.field
    def bad_box(self) -> Box | None:
        # A bad item where one is required, and something that is not a pet as the pet.
        return Box(item=BAD, maybe=None, pet=GOOD)  # type: ignore[arg-type]


QUERIES = [
    "{ item { name nickname count colour price tags shout repeat(times: 3) } }",
    "{ item { alias: name n: name __typename } }",
    "{ bad { name } }",
    "{ bad { nickname count } }",
    "{ bad { colour } }",
    "{ items { name count } }",
    "{ box { item { name later } maybe { name } pet { name legs } } }",
    "{ box { maybe { later } } }",
    "{ badBox { maybe { name } pet { name } } }",
    "{ badBox { item { name } } }",
    "{ badBox { item { later } } }",
    "{ item { ...F } } fragment F on Item { name @include(if: true) count @skip(if: true) }",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_the_fast_path_answers_as_graphql_core_does(query):
    plain = strawberry.Schema(query=Query)
    fast = strawberry.Schema(query=Query, execution_context_class=FastAttributeExecutionContext)

    expected = await plain.execute(query)
    got = await fast.execute(query)

    assert got.data == expected.data
    assert [(e.message, e.path) for e in got.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]


async def test_a_null_in_a_non_null_leaf_nulls_the_parent_with_the_error_at_the_leaf():
    fast = strawberry.Schema(query=Query, execution_context_class=FastAttributeExecutionContext)
    result = await fast.execute("{ bad { name } }")
    assert result.data == {"bad": None}
    assert result.errors is not None
    assert [e.path for e in result.errors] == [["bad", "name"]]


@strawberry.type
class Stock:
    count: int


@strawberry.type
class Shelf:
    ready: strawberry.Private[Stock | None] = None
    calls: strawberry.Private[list[str]] = dataclasses.field(default_factory=list)

    @strawberry.field(metadata={PREFETCHED: lambda shelf: shelf.ready})
    def stock(self, store: str = "s01") -> Stock:
        self.calls.append(store)
        return Stock(count=1)


async def test_a_prefetched_value_stands_in_for_its_resolver_and_none_asks_it():
    filled, empty = Shelf(ready=Stock(count=7)), Shelf()

    @strawberry.type
    class ShelfQuery:
        @strawberry.field
        def shelves(self) -> list[Shelf]:
            return [filled, empty]

    fast = strawberry.Schema(
        query=ShelfQuery, execution_context_class=FastAttributeExecutionContext
    )
    result = await fast.execute('{ shelves { stock(store: "s02") { count } } }')

    assert result.errors is None
    assert result.data == {"shelves": [{"stock": {"count": 7}}, {"stock": {"count": 1}}]}
    assert (filled.calls, empty.calls) == ([], ["s02"])
