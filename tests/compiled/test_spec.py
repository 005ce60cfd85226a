"""The spec's corner cases answer as graphql-core answers them, compiled: nulls, errors, order."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse
from graphql.execution.collect_fields import collect_fields

from schema.compiled import plan_cache
from schema.compiled.plan import Compiler
from tests.compiled import spec_schema
from tests.compiled.harness import Outcome

pytestmark = pytest.mark.anyio

REFERENCE, COMPILED, ATTRIBUTES = spec_schema.schemas()

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "non-null propagates to the nearest nullable field": (
        "{ maybe { name strict } leaf { name } }",
        {},
    ),
    "non-null propagates through a list to the root": ("{ leaves { name strict } }", {}),
    "a non-null list item nulls a nullable list": ("{ strictLeaves { name strict } }", {}),
    "a non-null error in a non-null field nulls the whole data": (
        '{ leaf(name: "bad") { strict } }',
        {},
    ),
    "resolver errors and serialisation errors": (
        "{ leaves { name count colour fails returnedError } }",
        {},
    ),
    "a strict resolver error nulls its object in a list": (
        "{ leaves { name failsStrictly } }",
        {},
    ),
    "async errors, and siblings of a nulled parent dropped": (
        "{ leaves { name later laterStrictly strict } }",
        {},
    ),
    "aliases of one field with different arguments": (
        '{ leaf { a: greet b: greet(greeting: "hi") c: greet(greeting: $g, times: 2) } }'.replace(
            "{ leaf", "query ($g: String!) { leaf"
        ),
        {"g": "hey"},
    ),
    "one response key merged from several selections": (
        "{ leaf { name ... on Leaf { name count } ...F } } fragment F on Named { name }",
        {},
    ),
    "fragments on an interface and a union, with __typename": (
        "{ named { __typename name ... on Pet { legs } ... on Leaf { count } }"
        " either { __typename ... on Pet { name } ...L } }"
        " fragment L on Leaf { name colour }",
        {},
    ),
    "@skip and @include with variables, false": (
        "query ($s: Boolean!, $i: Boolean!) { leaf { name @skip(if: $s) count @include(if: $i)"
        " ... on Leaf @include(if: $i) { colour } } }",
        {"s": False, "i": False},
    ),
    "@skip and @include with variables, true": (
        "query ($s: Boolean!, $i: Boolean!) { leaf { name @skip(if: $s) count @include(if: $i)"
        " ... on Leaf @include(if: $i) { colour } } }",
        {"s": True, "i": True},
    ),
    "@skip and @include with literals": (
        "{ leaf { name @skip(if: true) count @include(if: true) } }",
        {},
    ),
    "an attribute field guarded by a permission": ("{ named { ... on Pet { legs secret } } }", {}),
    "ints past 32 bits and at the edge": ("{ huge { count strict } }", {}),
    "an attribute that raises when read": ("{ exploding { name count strict } }", {}),
    "what resolvers see in their info": (
        "query ($d: Int!) { leaves { a: seen(depth: $d) b: seen } named { ... on Leaf { seen } } }",
        {"d": 2},
    ),
    "lists of lists with bad items": ("{ nested tupleNames }", {}),
    "a lazy iterable left to graphql-core": ("{ generated { name strict } }", {}),
    "an async iterable left to graphql-core": ("{ streamed }", {}),
    "awaitable list items": ("{ awaitedItems { name strict later } }", {}),
    "methods of the parent alone (DERIVED), failing or not": (
        "{ leaves { shout shoutStrictly twins { shout name } fieldName } }",
        {},
    ),
    "lists of objects of leaves (one loop per item), going wrong in every way": (
        "{ mixedLeaves { __typename name count colour shout } }",
        {},
    ),
    "lists of objects of leaves, a null where one is refused": (
        "{ mixedLeaves { name strict } }",
        {},
    ),
    "an object of the wrong type": ("{ wrongType { name } }", {}),
    "an abstract value of no known type": ("{ wrongNamed { name } }", {}),
    "input objects from literals and variables": (
        'query ($f: Filter) { a: leaves(filter: {prefix: "b", limit: 1}) { name }'
        " b: leaves(filter: $f) { name } }",
        {"f": {"prefix": "a"}},
    ),
    "introspection": (
        '{ __schema { queryType { name } } __type(name: "Leaf") { name fields { name } } }',
        {},
    ),
}


async def _both(document: str, variables: dict[str, Any]) -> tuple[Outcome, Outcome]:
    expected = Outcome.of(await REFERENCE.execute(document, variable_values=variables))
    got = Outcome.of(await COMPILED.execute(document, variable_values=variables))
    return expected, got


@pytest.mark.parametrize(("document", "variables"), CASES.values(), ids=list(CASES))
async def test_compiled_answers_as_graphql_core(document: str, variables: dict[str, Any]) -> None:
    stats = plan_cache(COMPILED._schema).stats
    before = stats.fallbacks
    expected, got = await _both(document, variables)
    assert got == expected
    assert stats.fallbacks == before, "the compiled path did not run"
    attributes = Outcome.of(await ATTRIBUTES.execute(document, variable_values=variables))
    assert attributes == expected, "FastAttributeExecutionContext (compiled=False) differs"


async def test_nulls_and_errors_are_where_the_spec_puts_them() -> None:
    _expected, got = await _both("{ maybe { name strict } leaves { name strict } }", {})
    assert got.data is None  # `leaves: [Leaf!]!` nulls the root
    paths = [e["path"] for e in got.errors]
    assert paths == [["leaves", 1, "strict"], ["maybe", "strict"]]
    assert got.errors[1]["message"] == "Cannot return null for non-nullable field Leaf.strict."
    assert got.errors[1]["locations"] == [[1, 16]]


async def test_aliases_keep_their_own_arguments() -> None:
    _expected, got = await _both(*CASES["aliases of one field with different arguments"])
    assert got.data == {"leaf": {"a": "hello good", "b": "hi good", "c": "hey good hey good"}}


async def test_skip_and_include_follow_each_requests_variables() -> None:
    document, _ = CASES["@skip and @include with variables, true"]
    _e, shown = await _both(document, {"s": False, "i": True})
    _e, hidden = await _both(document, {"s": True, "i": False})
    assert shown.data == {"leaf": {"name": "good", "count": 1, "colour": "RED"}}
    assert hidden.data == {"leaf": {}}


async def test_typename_and_fragments_on_abstract_types() -> None:
    _e, got = await _both(*CASES["fragments on an interface and a union, with __typename"])
    assert got.data == {
        "named": [
            {"__typename": "Leaf", "name": "n", "count": 1},
            {"__typename": "Pet", "name": "rex", "legs": 4},
        ],
        "either": [
            {"__typename": "Pet", "name": "tom"},
            {"__typename": "Leaf", "name": "e", "colour": "RED"},
        ],
    }


async def test_a_mutations_fields_run_one_after_another() -> None:
    document = (
        'mutation { a: slow(tag: "a") b: quick(tag: "b") c: broken(tag: "c")'
        ' d: slow(tag: "d") e: quick(tag: "e") }'
    )
    spec_schema.LOG.clear()
    expected = Outcome.of(await REFERENCE.execute(document))
    reference_order = list(spec_schema.LOG)
    spec_schema.LOG.clear()
    got = Outcome.of(await COMPILED.execute(document))
    # `broken: String!` failed: graphql-core runs no field after it, nor may we.
    assert spec_schema.LOG == reference_order == ["a", "b", "c"]
    assert got == expected
    assert got.data is None  # `broken: String!` failed: the whole data is null
    assert [e["message"] for e in got.errors] == ["c broke"]


async def test_each_variant_of_an_operation_is_compiled_once() -> None:
    stats = plan_cache(COMPILED._schema).stats
    document = "query ($s: Boolean!) { leaf { name @skip(if: $s) } }"
    compiled, reused = stats.compiled, stats.reused
    for skip in (True, False, True, False):
        await COMPILED.execute(document, variable_values={"s": skip})
    assert (stats.compiled - compiled, stats.reused - reused) == (2, 2)


def test_derived_methods_are_read_like_attributes() -> None:
    document = parse("{ leaf { shout twins { name } fieldName } }")
    schema = COMPILED._schema
    operation = document.definitions[0]
    compiler = Compiler(schema, {}, {}, operation, False)  # type: ignore[arg-type]
    grouped = collect_fields(schema, {}, {}, schema.query_type, operation, False)[0]  # type: ignore[arg-type]
    root = compiler.root(schema.query_type, grouped)  # type: ignore[arg-type]
    leaf = root.fields[0].completion.object
    reads = {field.key: field.read is not None for field in leaf.fields}  # type: ignore[union-attr]
    assert reads == {"shout": True, "twins": True, "fieldName": False}
