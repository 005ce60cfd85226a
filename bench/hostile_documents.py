"""Hostile documents: the half of the hostile catalogue the document limits must refuse.

Fragment, cost, alias and nesting bombs, oversized documents and literals, invalid and
introspecting documents, suggestions: each a `Hostile` request with the answer it must get
(a status and the first error's `extensions.code`). The other half, the HTTP edge, the
variables and the tokens, is in `bench.hostile_catalogue`, which joins both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: A role and its claims, for requests that carry a token.
Claims = Mapping[str, Any]


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the one before twice: 2^levels fields from ~1 KB."""
    fragments = ["fragment F0 on Query { __typename }"] + [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
    return f"query Bomb {{ ...F{levels} }} " + " ".join(fragments)


def nested_fragment_bomb(levels: int) -> str:
    """The same, each level one field deeper: 2^levels products from ~2 KB."""
    fragments = ["fragment V0 on Product { sku name }"] + [
        f"fragment V{i} on Product {{ ...V{i - 1} variants {{ product {{ ...V{i - 1} }} }} }}"
        for i in range(1, levels + 1)
    ]
    spread = f"...V{levels}"
    return f"{{ products(first: 100) {{ edges {{ node {{ {spread} }} }} }} }} {' '.join(fragments)}"


def wide_fragment_bomb(levels: int) -> str:
    """Fragments that double the fields at each level through aliases, within the depth limit."""
    fragments = ["fragment W0 on ProductVariant { sku }"] + [
        f"fragment W{i} on ProductVariant {{ a{i}: product {{ variants {{ ...W{i - 1} }} }}"
        f" b{i}: product {{ variants {{ ...W{i - 1} }} }} }}"
        for i in range(1, levels + 1)
    ]
    return f'{{ variant(sku: "x") {{ ...W{levels} }} }} {" ".join(fragments)}'


def nodes_query(count: int) -> str:
    """`nodes` asked for `count` ids (of one product)."""
    ids = ", ".join(['"UHJvZHVjdDpwMDAwMDE="'] * count)
    return f"{{ nodes(ids: [{ids}]) {{ id }} }}"


COST_BOMB = (
    "{ "
    + " ".join(
        f"p{i}: products(first: 100) {{ edges {{ node {{ sku name brand description "
        f"variants {{ sku gtin attributes {{ name value }} price {{ amount {{ amount }} }} "
        f"availability {{ available locations {{ quantity }} }} }} }} }} }}"
        for i in range(10)
    )
    + " }"
)

#: The heaviest listing the anonymous budget admits (cost ~16,800 of 20,000): it runs.
HEAVIEST_ADMITTED = (
    "{ products(first: 60) { edges { node { sku name brand description variants {"
    " sku gtin price { amount { amount } } availability { available locations { quantity } } }"
    " } } } }"
)

PRODUCT = "query Product($first: Int) { products(first: $first) { edges { node { sku } } } }"


@dataclass(frozen=True, slots=True)
class Hostile:
    """One hostile request and the answer it must get."""

    name: str
    why: str
    status: int | tuple[int, ...]  # acceptable HTTP statuses
    code: str | None  # the first error's extensions.code; None: no error expected
    method: str = "POST"
    json: Any = None
    content: bytes | None = None
    params: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    token: Claims | None = None  # mint a token with these claims (role, customer_id, ...)
    raw_token: str | None = None  # send this Authorization header as it is
    #: A further check of the body (e.g. no suggestion leaked); returns a problem or None.
    check: Callable[[Any], str | None] | None = None
    #: The loose bound the suite holds the answer to ("not frozen"): a refusal comes back
    #: within a second on a loaded machine; a request that runs may take its time, as long
    #: as /healthz keeps answering meanwhile.
    answer_seconds: float = 1.0


def no_suggestion(body: Any) -> str | None:
    text = str(body)
    return "a suggestion leaked: " + text if "Did you mean" in text else None


def data_is(expected: Any) -> Callable[[Any], str | None]:
    def check(body: Any) -> str | None:
        data = body.get("data") if isinstance(body, dict) else None
        return None if data == expected else f"data {data!r} != {expected!r}"

    return check


def gql(query: str, **extra: Any) -> dict[str, Any]:
    return {"query": query, **extra}


DOCUMENTS: tuple[Hostile, ...] = (
    Hostile(
        "fragment_bomb_2_to_the_24",
        "24 fragments each spreading the previous twice: 2^24 fields from 1 KB",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(fragment_bomb(24)),
    ),
    Hostile(
        "nested_fragment_bomb",
        "the bomb one level deeper at each step",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(nested_fragment_bomb(24)),
    ),
    Hostile(
        "wide_fragment_bomb_within_depth",
        "aliased fragments doubling the fields at each of 6 levels",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(wide_fragment_bomb(12)),
    ),
    Hostile(
        "bomb_in_an_operation_not_run",
        "operationName picks a small operation; the bomb beside it is validated all the same",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(
            "query Small { __typename } " + fragment_bomb(24).replace("query Bomb", "query Big"),
            operationName="Small",
        ),
    ),
    Hostile(
        "cost_bomb",
        "10 aliases x products(first: 100) with variants, prices and stock",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(COST_BOMB),
    ),
    Hostile(
        "cost_bomb_through_a_variable",
        "a page size of a million passed as a variable",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(PRODUCT, variables={"first": 1_000_000}),
    ),
    Hostile(
        "heaviest_admitted_listing",
        "the most the anonymous budget admits: it runs, cold, without stalling anyone",
        200,
        None,
        json=gql(HEAVIEST_ADMITTED),
        check=lambda body: (
            None
            if len(body.get("data", {}).get("products", {}).get("edges", [])) > 0
            else f"no products: {str(body)[:300]}"
        ),
        # 277 variants priced and 4,432 stock figures read from a cold start: 0.3 s on an
        # idle machine some days, 1.2 s on others; what must hold is /healthz meanwhile.
        answer_seconds=3.0,
    ),
    Hostile(
        "alias_flood",
        "200 aliases of one cheap field",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql("{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"),
    ),
    Hostile(
        "repeated_field_flood",
        "one field 600 times: validation would compare every pair",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql("{" + " __typename" * 600 + " }"),
    ),
    Hostile(
        "overlapping_fragments",
        "two fragments of 50 identical fields each, spread side by side",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(
            "query { ...A ...B } "
            "fragment A on Query {" + " products(first: 1) { totalCount }" * 50 + " } "
            "fragment B on Query {" + " products(first: 1) { totalCount }" * 50 + " }"
        ),
    ),
    Hostile(
        "deep_nesting",
        "variants { product { ... } } 40 levels deep",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(
            "{ products(first: 1) { edges { node { "
            + "variants { product { " * 40
            + "sku"
            + " } }" * 40
            + " } } } }"
        ),
    ),
    Hostile(
        "brace_nesting_past_the_parser",
        "3,000 nested selection sets: the parser's recursion",
        422,
        "DOCUMENT_TOO_LARGE",
        json=gql("{ a " * 3000 + "}" * 3000),
    ),
    Hostile(
        "token_flood",
        "6,000 tokens",
        422,
        "DOCUMENT_TOO_LARGE",
        json=gql("{ " + "__typename " * 6000 + "}"),
    ),
    Hostile(
        "oversized_document",
        "a 40 KB document of comments",
        422,
        "DOCUMENT_TOO_LARGE",
        json=gql("#" + "x" * 40_000 + "\n{ __typename }"),
    ),
    Hostile(
        "string_literal_of_900_kb",
        "one 900 KB string literal, under the body limit",
        422,
        "DOCUMENT_TOO_LARGE",
        json=gql('{ products(search: "' + "x" * 900_000 + '") { totalCount } }'),
    ),
    Hostile(
        "string_literal_of_5_kb",
        "a 5 KB literal inside a document under the byte limit",
        422,
        "DOCUMENT_TOO_LARGE",
        json=gql('{ products(search: "' + "x" * 5_000 + '") { totalCount } }'),
    ),
    Hostile(
        "fragment_cycle",
        "two fragments spreading each other",
        422,
        "GRAPHQL_VALIDATION_FAILED",
        json=gql("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
    ),
    Hostile(
        "directive_flood",
        "120 @skip directives on one field",
        422,
        "GRAPHQL_VALIDATION_FAILED",
        json=gql("{ __typename" + " @skip(if: false)" * 120 + " }"),
    ),
    Hostile(
        "introspection_in_production",
        "the schema is not published in production",
        422,
        "GRAPHQL_VALIDATION_FAILED",
        json=gql("{ __schema { types { name } } }"),
    ),
    Hostile(
        "field_suggestion_in_production",
        "a misspelt field must not reveal the right one",
        422,
        "GRAPHQL_VALIDATION_FAILED",
        json=gql("{ produts(first: 1) { totalCount } }"),
        check=no_suggestion,
    ),
    Hostile(
        "argument_suggestion_in_production",
        "a misspelt argument must not reveal the right one",
        422,
        "GRAPHQL_VALIDATION_FAILED",
        json=gql("{ products(frist: 1) { totalCount } }"),
        check=no_suggestion,
    ),
    Hostile(
        "enum_suggestion_in_production",
        "a misspelt enum value must not reveal the right ones",
        422,
        "GRAPHQL_VALIDATION_FAILED",
        json=gql("{ locations(types: [STOR]) { id } }"),
        check=no_suggestion,
    ),
)
