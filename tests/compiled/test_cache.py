"""Plans are kept within their bounds, and what is not planned is left to graphql-core, whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import strawberry
from graphql import parse
from strawberry.extensions import SchemaExtension

from schema.compiled import CompiledExecutionContext, PlanCache, plan_cache
from tests.compiled import spec_schema
from tests.compiled.harness import Outcome

pytestmark = pytest.mark.anyio


def test_the_least_recently_used_operations_go_first_past_the_text_bound() -> None:
    cache = PlanCache(max_text_bytes=100)
    texts = [f"{{ leaf {{ name }} }} # {i:02d}" + " " * 20 for i in range(4)]  # 40 bytes each
    documents = [parse(text) for text in texts]
    operations = [doc.definitions[0] for doc in documents]
    first = cache.operation(operations[0], ())  # type: ignore[arg-type]
    cache.operation(operations[1], ())  # type: ignore[arg-type]
    assert cache.operation(operations[0], ()) is first  # used again: now the most recent
    cache.operation(operations[2], ())  # type: ignore[arg-type]
    assert len(cache) == 2
    assert cache.operation(operations[0], ()) is first  # kept; the second was dropped
    assert cache.operation(operations[1], ()) is not None  # made again, as new


def test_switch_variables_and_incremental_directives_are_found_in_fragments() -> None:
    document = parse(
        "query ($a: Boolean!, $b: Boolean!) { leaf { ...F name @skip(if: $a) } }"
        " fragment F on Leaf { count @include(if: $b) colour @skip(if: false) }"
    )
    operation, fragment = document.definitions
    entry = PlanCache().operation(operation, [fragment])  # type: ignore[arg-type,list-item]
    assert entry is not None
    assert (entry.switches, entry.incremental) == (("a", "b"), False)
    deferred = parse("{ leaf { ... @defer { name } } }").definitions[0]
    assert PlanCache().operation(deferred, ()).incremental  # type: ignore[arg-type,union-attr]


async def _compare(
    compiled: strawberry.Schema, document: str, variables: dict[str, Any] | None = None
) -> Outcome:
    reference = spec_schema.schemas()[0]
    expected = Outcome.of(await reference.execute(document, variable_values=variables))
    got = Outcome.of(await compiled.execute(document, variable_values=variables))
    assert got == expected
    return got


async def test_variants_past_the_bound_run_through_graphql_core() -> None:
    compiled = spec_schema.schemas()[1]
    cache = plan_cache(compiled._schema)
    cache.max_variants = 1
    document = "query ($s: Boolean!) { leaves { name @skip(if: $s) strict } }"
    await _compare(compiled, document, {"s": True})
    await _compare(compiled, document, {"s": False})
    assert (cache.stats.compiled, cache.stats.fallbacks) == (1, 1)


class CountResolves(SchemaExtension):
    """A per-field hook: Strawberry makes it graphql-core middleware around each resolver."""

    calls = 0

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        CountResolves.calls += 1
        return _next(root, info, *args, **kwargs)


async def test_per_field_hooks_are_left_to_graphql_core() -> None:
    compiled = strawberry.Schema(
        query=spec_schema.Query,
        types=[spec_schema.Pet],
        extensions=[CountResolves],
        execution_context_class=CompiledExecutionContext,
    )
    got = await _compare(compiled, "{ maybe { name strict } leaf { name } }")
    assert got.data == {"maybe": None, "leaf": {"name": "good"}}
    assert CountResolves.calls > 0
    stats = plan_cache(compiled._schema).stats
    assert (stats.compiled, stats.fallbacks) == (0, 1)
