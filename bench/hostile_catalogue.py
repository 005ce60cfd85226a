"""The hostile catalogue: requests a production gateway must refuse (or run) without faltering.

Each `Hostile` names a request and the answer it must get: a status and the first error's
`extensions.code`. `bench.hostile` sends them to a running gateway and times them;
`tests/gateway/test_hostile.py` makes each a test of its own. The documents the limits
refuse are in `bench.hostile_documents`; here: the HTTP edge (bodies, batches, methods,
headers), variables and inputs, tokens and other customers' records, and the floods.
"""

from __future__ import annotations

from bench.hostile_documents import (
    DOCUMENTS,
    PRODUCT,
    Claims,
    Hostile,
    data_is,
    gql,
    no_suggestion,
    nodes_query,
)

__all__ = ["CATALOGUE", "Claims", "Hostile", "document_flood_body", "literal_flood_body"]

EDGE: tuple[Hostile, ...] = (
    Hostile(
        "string_for_an_int_variable",
        "a variable of the wrong type is the client's mistake",
        422,
        "BAD_USER_INPUT",
        json=gql(PRODUCT, variables={"first": "ten"}),
        check=no_suggestion,
    ),
    Hostile(
        "huge_variables_object",
        "900 KB of variables no operation declares",
        200,
        None,
        json=gql("{ __typename }", variables={"junk": "x" * 900_000}),
        check=data_is({"__typename": "Query"}),
    ),
    Hostile(
        "body_over_the_limit",
        "a 2 MB body",
        413,
        "PAYLOAD_TOO_LARGE",
        json=gql("{ __typename }", variables={"junk": "x" * 2_000_000}),
    ),
    Hostile(
        "malformed_json",
        "a body that is not JSON",
        400,
        "BAD_REQUEST",
        content=b'{"query": "{ __typename }"',
        headers={"content-type": "application/json"},
    ),
    Hostile(
        "batch_of_a_thousand",
        "a JSON array of 1,000 operations: batches are refused",
        422,
        "BAD_REQUEST",
        json=[gql("{ __typename }")] * 1000,
    ),
    Hostile(
        "two_operations_without_a_name",
        "the spec says this is an error, not 'run the first'",
        422,
        "OPERATION_RESOLUTION_FAILURE",
        json=gql("query A { __typename } query B { __typename }"),
    ),
    Hostile(
        "unknown_operation_name",
        "operationName names no operation",
        422,
        "OPERATION_RESOLUTION_FAILURE",
        json=gql("query A { __typename }", operationName="Nope"),
    ),
    Hostile(
        "mutation_over_get",
        "GET may not change anything",
        405,
        "BAD_REQUEST",
        method="GET",
        params={"query": "mutation { __typename }"},
    ),
    Hostile(
        "unsigned_token",
        'a token with alg "none" claiming admin',
        401,
        "UNAUTHENTICATED",
        json=gql("{ __typename }"),
        raw_token="eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.",
    ),
    Hostile(
        "another_customers_record",
        "customer cu00001 asks for cu00002",
        (200,),
        "FORBIDDEN",
        json=gql('{ customer(id: "Q3VzdG9tZXI6Y3UwMDAwMg==") { name email } }'),
        token={"role": "customer", "customer_id": "cu00001"},
    ),
    Hostile(
        "kiosk_reading_customers",
        "a kiosk sees no customer data",
        (200,),
        "FORBIDDEN",
        json=gql('{ customer(id: "Q3VzdG9tZXI6Y3UwMDAwMg==") { name } }'),
        token={"role": "kiosk", "store_id": "s01", "channel": "KIOSK"},
    ),
    Hostile(
        "malformed_global_id",
        "an id that is not base64 of Type:key",
        (200,),
        "BAD_USER_INPUT",
        json=gql('{ node(id: "%%%not-an-id") { id } }'),
    ),
    Hostile(
        "negative_page_size",
        "first: -5",
        (200,),
        "BAD_USER_INPUT",
        json=gql("{ products(first: -5) { totalCount } }"),
    ),
    Hostile(
        "thousand_ids_in_nodes",
        "nodes(ids:) with 2,500 ids: more tokens than allowed",
        422,
        "DOCUMENT_TOO_LARGE",
        json=gql(nodes_query(2500)),
    ),
    Hostile(
        "hundred_and_fifty_ids_in_nodes",
        "nodes(ids:) with more ids than it takes",
        (200,),
        "BAD_USER_INPUT",
        json=gql(nodes_query(150)),
    ),
    Hostile(
        "thirty_thousand_ids_in_a_variable",
        "a list variable whose length the cost estimate counts",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(
            "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            variables={"ids": ["UHJvZHVjdDpwMDAwMDE="] * 30_000},
        ),
    ),
    Hostile(
        "basket_of_ten_thousand_lines",
        "a basket quote whose lines come as a variable",
        422,
        "QUERY_TOO_COMPLEX",
        json=gql(
            "query Quote($lines: [BasketLineInput!]!) { basketQuote(lines: $lines) {"
            " lines { quantity total { amount } discounts { name amount { amount } } }"
            " total { amount } } }",
            variables={
                "lines": [{"variantId": "UHJvZHVjdFZhcmlhbnQ6djAwMDAwMQ==", "quantity": 1}] * 10_000
            },
        ),
    ),
    Hostile(
        "variables_nested_ten_thousand_deep",
        "JSON nested past any decoder's recursion limit",
        400,
        "BAD_REQUEST",
        content=b'{"query": "{ __typename }", "variables": {"x": '
        + b"[" * 10_000
        + b"]" * 10_000
        + b"}}",
        headers={"content-type": "application/json"},
    ),
    Hostile(
        "variables_nested_a_thousand_deep",
        "JSON a decoder takes, nested deeper than anything we encode",
        422,
        "BAD_USER_INPUT",
        content=b'{"query": "query Product($first: Int) { products(first: $first) { totalCount } }",'
        b' "variables": {"first": ' + b"[" * 1000 + b"]" * 1000 + b"}}",
        headers={"content-type": "application/json"},
    ),
    Hostile(
        "huge_query_string_over_get",
        "a 40 KB document in a GET's query string",
        422,
        "DOCUMENT_TOO_LARGE",
        method="GET",
        params={"query": "{ __typename }" + " " * 40_000},
        headers={"accept": "application/json"},
    ),
    Hostile(
        "oversized_authorization_header",
        "a 60 KB bearer token",
        (400, 401, 431),
        None,
        json=gql("{ __typename }"),
        raw_token="x" * 60_000,
    ),
    Hostile(
        "lone_surrogate_in_json",
        "a string with half a UTF-16 pair",
        400,
        "BAD_REQUEST",
        content=b'{"query": "{ products(search: \\"\\ud800\\") { totalCount } }"}',
        headers={"content-type": "application/json"},
    ),
    Hostile(
        "persisted_query_hash_alone",
        "a hash the gateway has never seen, and no document",
        422,
        "PERSISTED_QUERY_NOT_SUPPORTED",
        json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
    ),
    Hostile(
        "gtin_with_a_wrong_check_digit",
        "a GTIN that fails GS1's check digit",
        (200,),
        "BAD_USER_INPUT",
        json=gql('{ variant(gtin: "8712345678907") { sku } }'),
    ),
    Hostile(
        "unknown_channel_header",
        "X-Channel: TELEPATHY",
        400,
        "BAD_USER_INPUT",
        json=gql("{ __typename }"),
        headers={"x-channel": "TELEPATHY"},
    ),
)

CATALOGUE: tuple[Hostile, ...] = DOCUMENTS + EDGE


def literal_flood_body(i: int) -> bytes:
    """A distinct document with one 900 KB string literal (under the 1 MB body limit)."""
    return b'{"query": "{ products(search: \\"%d%s\\") { totalCount } }"}' % (i, b"x" * 900_000)


def document_flood_body(i: int) -> bytes:
    """A distinct ~28 KB document within every limit: seven 4 KB literals (it fails validation)."""
    literals = " ".join(f'a{j}: __typename(x: \\"{i}{"y" * 4_000}\\")' for j in range(7))
    return b'{"query": "{ %s }"}' % literals.encode()
