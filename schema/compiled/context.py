"""The execution context that runs an operation's compiled plan instead of walking its document.

graphql-core's `Executor.execute_operation` picks the root type, collects the root fields,
and then calls `execute_collected_root_fields`; around that call it handles an aborted
execution, a request error and builds the `ExecutionResult` from the errors collected.
This context overrides that one method: the root fields run from the operation's plan,
compiled on first use (`schema.compiled.plan`) and cached per schema
(`schema.compiled.cache`), and everything around it stays graphql-core's and Strawberry's.

What the plan does not cover goes to graphql-core's own execution, whole: subscriptions,
`@defer`/`@stream`, middleware, an abort signal, disabled error propagation, a document
without locations, or an operation whose plan could not be built.
`tests/compiled/test_contract.py` checks the graphql-core members this relies on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from graphql import GraphQLObjectType, GraphQLSchema, OperationType
from graphql.execution.collect_fields import DeferUsage, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue

from schema.compiled.cache import PlanCache
from schema.compiled.plan import Compiler, ObjectPlan, Unsupported
from schema.compiled.run import Runner
from schema.execution import FastAttributeExecutionContext

logger = logging.getLogger("gateway.compiled")

#: One plan cache per schema, made on its first execution.
_caches: WeakKeyDictionary[GraphQLSchema, PlanCache] = WeakKeyDictionary()

_COMPILED = (OperationType.QUERY, OperationType.MUTATION)


def plan_cache(schema: GraphQLSchema) -> PlanCache:
    """The plan cache of a (graphql-core) schema."""
    cache = _caches.get(schema)
    if cache is None:
        cache = _caches[schema] = PlanCache()
    return cache


class CompiledExecutionContext(FastAttributeExecutionContext):
    """Strawberry's execution context, running each known operation from its compiled plan."""

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = None if new_defer_usages else self._plan(root_type, grouped_field_set)
        if plan is None:
            return super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
        runner = Runner(self)
        data: AwaitableOrValue[dict[str, Any]] = (
            runner.execute_fields_serially(plan, root_value)
            if serially
            else runner.execute_fields(plan, root_value, None)
        )
        return data

    def _plan(self, root_type: GraphQLObjectType, grouped: GroupedFieldSet) -> ObjectPlan | None:
        cache = plan_cache(self.schema)
        operation = self.operation
        if (
            operation.operation not in _COMPILED
            or self._middleware
            or self.abort_signal is not None
            or not self.error_propagation
        ):
            cache.stats.fallbacks += 1
            return None
        entry = cache.operation(operation, self.fragment_definitions.values())
        if entry is None or entry.incremental:
            cache.stats.fallbacks += 1
            return None
        coerced = self.variable_values.coerced
        values = tuple(coerced.get(name) for name in entry.switches)
        if values in entry.plans:
            plan = entry.plans[values]
            if plan is None:
                cache.stats.fallbacks += 1
            else:
                cache.stats.reused += 1
            return plan
        if len(entry.plans) >= cache.max_variants:
            cache.stats.fallbacks += 1
            return None
        compiler = Compiler(
            self.schema, self.fragments, self.variable_values, operation, self.hide_suggestions
        )
        try:
            plan = compiler.root(root_type, grouped)
        except Unsupported:
            plan = None
        except Exception:  # graphql-core runs it, and reports what it finds
            logger.exception("could not compile an operation; graphql-core executes it")
            plan = None
        entry.plans[values] = plan
        if plan is None:
            cache.stats.fallbacks += 1
        else:
            cache.stats.compiled += 1
        return plan
