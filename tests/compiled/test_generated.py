"""Generated queries over the real schema answer the same compiled as through graphql-core.

hypothesis-graphql writes queries from the schema; arguments draw on ids, SKUs and GTINs
of the seeded demo retailer (and a few that exist nowhere), so that most queries reach
data instead of stopping at "not found". Examples are drawn with a fixed seed
(`derandomize`), then run in this test's event loop through both executions, each with a
fresh request context, for an anonymous caller, a customer and an admin in turn.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from hypothesis_graphql import strategies as gql

from resolvers.viewer import ANONYMOUS
from tests.compiled.harness import ADMIN, CUSTOMER, Pair, seeds

pytestmark = pytest.mark.anyio

#: Examples drawn: ~0.1 s each through both executions here, well under 60 s in all.
EXAMPLES = 200

#: Root fields generated from: reads only (no mutation writes to the shared seeded data).
FIELDS = (
    "node",
    "nodes",
    "product",
    "products",
    "variant",
    "location",
    "locations",
    "basketQuote",
    "cart",
    "me",
    "customer",
    "order",
    "return",
)


def _queries(ids: list[str], strings: list[str]) -> list[tuple[str, Any]]:
    """A fixed list of generated queries, each with the viewer to run it as."""
    scalars = {
        "ID": st.sampled_from([*ids, "bm9wZQ==", "UHJvZHVjdDpub3BlIQ=="]).map(nodes.String),
        "String": st.one_of(st.sampled_from(strings), st.text(max_size=4)).map(nodes.String),
        "Int": st.integers(min_value=-1, max_value=12).map(nodes.Int),
        "Decimal": st.sampled_from(["0", "1.50", "-3", "99999.99"]).map(nodes.String),
        "Date": st.sampled_from(["2026-01-01", "not a date"]).map(nodes.String),
        "DateTime": st.sampled_from(["2026-01-01T12:00:00Z"]).map(nodes.String),
    }
    strategy = gql.queries(pair_sdl(), fields=FIELDS, custom_scalars=scalars, allow_x00=False)
    drawn: list[tuple[str, Any]] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=strategy, viewer=st.sampled_from([ANONYMOUS, CUSTOMER, ADMIN]))
    def draw(query: str, viewer: Any) -> None:
        drawn.append((query, viewer))

    draw()
    return drawn


def pair_sdl() -> str:
    from schema import build_schema

    return build_schema().as_str()


async def test_generated_queries_answer_the_same(pair: Pair) -> None:
    seeded = await seeds(pair)
    drawn = _queries(seeded.ids, seeded.strings)
    assert len(drawn) >= EXAMPLES // 2
    with_data = 0
    for query, viewer in drawn:
        expected, got = await pair.both(query, viewer=viewer)
        assert got == expected, f"differs for {viewer.role}:\n{query}"
        with_data += bool(expected.data and any(v is not None for v in expected.data.values()))
    print(f"{len(drawn)} generated queries, {with_data} with data; plans: {pair.stats}")
    assert pair.stats.fallbacks == 0
    assert with_data >= len(drawn) // 4, "the generated queries hardly reach any data"
