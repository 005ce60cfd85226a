"""Every query document of the test suite, the benchmark and the GraphiQL samples answers the
same compiled as through graphql-core, for an anonymous caller, a customer and an admin."""

from __future__ import annotations

from collections import Counter

import pytest

from resolvers.viewer import ANONYMOUS
from tests.compiled.corpus import operations
from tests.compiled.harness import ADMIN, CUSTOMER, Pair, seeds

pytestmark = pytest.mark.anyio


async def test_every_known_query_answers_the_same(pair: Pair) -> None:
    seeded = await seeds(pair)
    skipped: Counter[str] = Counter()
    ran: Counter[str] = Counter()
    with_data = 0
    for operation in operations(pair.reference._schema, seeded.by_kind, skipped):
        for viewer in (ANONYMOUS, CUSTOMER, ADMIN):
            expected, got = await pair.both(
                operation.document,
                operation.variables,
                viewer=viewer,
                operation_name=operation.name,
            )
            assert got == expected, (
                f"{operation.where}, operation {operation.name}, as {viewer.role}, "
                f"variables {operation.variables}:\n{operation.document}"
            )
            with_data += expected.data is not None and not expected.errors
        ran[operation.where.split("/")[0]] += 1
    print(f"\ncompared: {dict(ran)}; skipped: {dict(skipped)}; error-free answers: {with_data}")
    print(f"plans: {pair.stats}")
    assert ran["bench"] >= 3, ran
    assert ran["gateway"] >= 1, ran
    assert ran["tests"] >= 50, ran
    assert pair.stats.fallbacks == 0
