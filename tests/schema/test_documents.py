"""Documents: measured once per fragment, held to the limits before validation, cached in bytes."""

from __future__ import annotations

import asyncio

import pytest
import strawberry
from graphql import GraphQLError, OperationDefinitionNode, get_introspection_query, parse

from schema import GatewaySchema, build_schema
from schema.complexity import SOURCE_QUERY, estimate_cost, measure
from schema.documents import (
    AST_BYTES_PER_TOKEN,
    DocumentCache,
    DocumentLimits,
    Documents,
    PreparedDocument,
    prepare,
)

pytestmark = pytest.mark.anyio

SCHEMA = build_schema()

LISTING = """
query($first: Int!, $stores: [ID!]) {
  products(first: $first) {
    edges { node {
      sku name
      price { amount { amount } }
      availability(locationIds: $stores) { available locations { quantity } }
    } }
  }
}
"""


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the one before twice: 2^levels fields from ~40 bytes a level."""
    fragments = ["fragment F0 on Query { __typename }"] + [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
    return f"query {{ ...F{levels} }} " + " ".join(fragments)


def operation(text: str) -> tuple[object, OperationDefinitionNode]:
    document = parse(text)
    found = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return document, found[0]


def cost(text: str, variables: dict[str, object] | None = None, *, default: int = 10) -> int:
    document, op = operation(text)
    return estimate_cost(
        SCHEMA._schema,
        document,  # type: ignore[arg-type]
        op,
        variables,
        default_list_size=default,
    ).fields


def test_a_fragment_bomb_is_measured_at_its_full_size_without_expanding_it():
    shape = measure(parse(fragment_bomb(24)))

    assert (shape.fields, shape.repeats, shape.depth) == (2**24, 2**24, 1)


def test_depth_aliases_and_fields_count_through_fragments_and_inline_fragments():
    shape = measure(
        parse(
            "{ a: products(first: 1) { edges { node { ...N ... on Product { b: sku } } } } }"
            " fragment N on Product { sku variants { gtin } }"
        )
    )

    assert (shape.depth, shape.aliases, shape.fields, shape.repeats) == (5, 2, 7, 1)


def test_every_operation_and_fragment_counts_not_only_the_one_a_request_runs():
    document = parse(
        "query Small { __typename } query Deep { products { edges { node { sku } } } }"
        " fragment Unused on Query { __typename __typename __typename }"
    )

    shape = measure(document)

    assert (shape.depth, shape.fields, shape.repeats) == (4, 4, 3)


async def test_a_bomb_in_an_operation_the_request_does_not_run_is_refused_all_the_same():
    text = "query Small { __typename } " + fragment_bomb(24).replace("query Bomb", "query Big")

    result = await SCHEMA.execute(text, operation_name="Small")

    assert result.data is None
    assert result.errors is not None
    assert result.errors[0].extensions["limit"] == "fields"  # type: ignore[index]


def test_a_fragment_cycle_is_left_to_validation():
    document = parse(
        "{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }"
    )

    assert measure(document).fields == 1


def test_the_cost_multiplies_by_page_size_and_by_the_length_of_list_arguments():
    # products (a search: SOURCE_QUERY) + 48 x (edges 1 + node 1 + sku, name 2 + price 1 + amount 1 + amount 1
    #   + availability 1 + available 1 + locations 3 x (1 + quantity 1))
    listing = cost(LISTING, {"first": 48, "stores": ["s01", "s02", "s03"]})

    assert listing == SOURCE_QUERY + 48 * (1 + 1 + 2 + 3 + 2 + 3 * 2)


def test_the_cost_falls_back_to_argument_defaults_and_the_default_list_size():
    # first defaults to 20 in the schema; no stores given: 10 locations assumed.
    assert cost(LISTING) == SOURCE_QUERY + 20 * (1 + 1 + 2 + 3 + 2 + 10 * 2)
    assert cost(LISTING, default=3) == SOURCE_QUERY + 20 * (1 + 1 + 2 + 3 + 2 + 3 * 2)


def test_the_standard_introspection_query_costs_about_what_it_resolves():
    # It resolves ~5,000 fields of this schema; the mean list lengths of the schema itself
    # stand for introspection's lists, so the estimate stays within a small factor.
    introspection = cost(get_introspection_query())

    assert 4_000 < introspection < 20_000


def test_a_cost_names_the_variables_that_sized_it():
    document, op = operation("{ products(first: 5) { edges { node { sku } } } }")
    with_variables, op2 = operation(LISTING)

    fixed = estimate_cost(SCHEMA._schema, document, op, {}, default_list_size=10)  # type: ignore[arg-type]
    varying = estimate_cost(SCHEMA._schema, with_variables, op2, {}, default_list_size=10)  # type: ignore[arg-type]

    assert (fixed.fields, fixed.variables) == (SOURCE_QUERY + 5 * 3, ())
    assert varying.variables == ("first", "stores")


async def test_a_kept_cost_is_kept_per_page_size_and_list_length():
    documents = Documents(DocumentLimits(cost_budgets={"": 100}))
    schema = build_schema(documents=documents)
    text = "query ($n: Int!) { products(first: $n) { edges { node { sku } } } }"

    answers = [await schema.execute(text, variable_values={"n": n}) for n in (5, 40, 5, 40, 3)]

    # No context here: what is not refused fails later, in the resolver, without a limit.
    refused = [(a.errors[0].extensions or {}).get("limit") == "cost" for a in answers]  # type: ignore[index]
    assert refused == [False, True, False, True, False]
    prepared = documents.cache.get(text)
    assert prepared is not None
    assert sorted(prepared.costs.values()) == [
        SOURCE_QUERY + 3 * 3,
        SOURCE_QUERY + 5 * 3,
        SOURCE_QUERY + 40 * 3,
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{ " + "__typename " * 20 + "}", "The document is 223 bytes; at most 200 are allowed."),
        ('{ products(search: "' + "x" * 60 + '") { totalCount } }', "A string literal of 60"),
        ("{ " + "a " * 60 + "}", "The document has more than 50 tokens"),
    ],
)
def test_size_limits_are_checked_while_parsing(text, message):
    limits = DocumentLimits(max_bytes=200, max_literal_bytes=50, max_tokens=50)

    with pytest.raises(GraphQLError) as raised:
        prepare(text, limits)

    assert raised.value.message.startswith(message)
    assert raised.value.extensions["code"] == "DOCUMENT_TOO_LARGE"


def test_the_document_cache_is_bounded_in_bytes_and_drops_the_least_recently_used():
    limits = DocumentLimits()
    texts = [f"{{ a{i}: __typename }}" for i in range(4)]
    entries = [prepare(text, limits) for text in texts]
    weight = entries[0].weight
    assert weight == 2 * len(texts[0]) + AST_BYTES_PER_TOKEN * 5  # { a0 : __typename }
    cache = DocumentCache(max_bytes=3 * weight)

    for text, entry in zip(texts[:3], entries[:3], strict=True):
        cache.put(text, entry)
    cache.get(texts[0])  # used again: now the most recent
    cache.put(texts[3], entries[3])

    assert (len(cache), cache.bytes) == (3, 3 * weight)
    assert cache.get(texts[1]) is None
    assert all(cache.get(text) is not None for text in (texts[0], texts[2], texts[3]))


def test_a_document_larger_than_the_whole_cache_is_not_kept():
    cache = DocumentCache(max_bytes=100)
    cache.put("{ __typename }", PreparedDocument(parse("{ __typename }"), weight=101))

    assert (len(cache), cache.bytes) == (0, 0)


async def test_each_limit_answers_with_its_figures():
    schema = build_schema(
        documents=Documents(
            DocumentLimits(
                max_depth=4, max_aliases=1, max_fields=10, max_repeats=2, cost_budgets={"": 50}
            )
        )
    )
    cases = {
        "depth": "{ products(first: 1) { edges { node { variants { sku } } } } }",
        "aliases": "{ a: __typename b: __typename }",
        "fields": "{ products(first: 1) { edges { node { sku name brand description } }"
        " totalCount pageInfo { hasNextPage endCursor } } }",
        "repeats": "{ __typename __typename __typename }",
        "cost": "{ products(first: 30) { edges { node { sku } } } }",
    }
    answers = {}
    for limit, text in cases.items():
        result = await schema.execute(text)
        assert result.data is None
        answers[limit] = result.errors[0].extensions  # type: ignore[index]

    assert answers == {
        "depth": {"code": "QUERY_TOO_COMPLEX", "limit": "depth", "maximum": 4, "actual": 5},
        "aliases": {"code": "QUERY_TOO_COMPLEX", "limit": "aliases", "maximum": 1, "actual": 2},
        "fields": {"code": "QUERY_TOO_COMPLEX", "limit": "fields", "maximum": 10, "actual": 11},
        "repeats": {"code": "QUERY_TOO_COMPLEX", "limit": "repeats", "maximum": 2, "actual": 3},
        "cost": {"code": "QUERY_TOO_COMPLEX", "limit": "cost", "maximum": 50, "actual": 110},
    }


async def test_a_document_is_parsed_and_validated_once():
    documents = Documents(DocumentLimits())
    schema = build_schema(documents=documents)
    text = "{ __typename }"

    first = await schema.execute(text)
    second = await schema.execute(text)

    assert first.data == second.data == {"__typename": "Query"}
    prepared = documents.cache.get(text)
    assert prepared is not None
    assert len(prepared.validation) == 1


async def test_a_request_past_its_deadline_gets_request_timeout():
    @strawberry.type
    class Query:
        @strawberry.field
        async def slow(self) -> int:
            await asyncio.sleep(5)
            return 1

    schema = GatewaySchema(query=Query, deadline_seconds=0.05)

    result = await schema.execute("{ slow }")

    assert result.data is None
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "REQUEST_TIMEOUT"}
    assert result.errors[0].message == "The request did not complete within 0.05 s."
