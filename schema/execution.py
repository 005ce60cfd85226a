"""A faster path through graphql-core for the most common field: a plain attribute leaf.

Two thirds of a listing's fields are scalars read straight off an object (`sku`, `name`,
`amount`...). For each, graphql-core builds a resolve-info object, calls Strawberry's
default resolver, checks the result for awaitability and dispatches on the return type:
about half the cost of executing a listing (PERFORMANCE.md: ≈ 4 µs a field at best; more
here). For a field whose resolver is Strawberry's own attribute read (no resolver, no
arguments, no field extension or permission) and whose type is a scalar or enum, this
execution context reads the attribute and coerces it directly. Anything else, and a null
or a value that fails to coerce, takes graphql-core's ordinary path, so errors, nulls and
their paths come out exactly as before.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_nullable_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, Undefined, UndefinedType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

#: (attribute name, leaf type) of a field that can take the fast path; None if it cannot.
_Plan = tuple[str, GraphQLLeafType] | None

#: Plans per schema, per (type name, field name), worked out on first use.
_plans: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], _Plan]] = WeakKeyDictionary()

#: Not worked out yet (None means worked out: no fast path).
_UNKNOWN: Any = object()


def _plan(field: GraphQLField | None) -> _Plan:
    if field is None or field.args or not getattr(field.resolve, "_is_default", False):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    python_name = getattr(definition, "python_name", None)
    leaf = get_nullable_type(field.type)
    if not isinstance(python_name, str) or not isinstance(
        leaf, GraphQLScalarType | GraphQLEnumType
    ):
        return None
    return python_name, leaf


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain attribute leaves read directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Strawberry passes an empty MiddlewareManager; middleware wraps every resolver.
        manager = self.middleware_manager
        self._middleware = bool(manager is not None and manager.middlewares)
        self._plans = _plans.setdefault(self.schema, {})

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any | None,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        node = field_details_list[0].node
        plans = self._plans
        key = (parent_type.name, node.name.value)
        plan: _Plan = plans.get(key, _UNKNOWN)
        if plan is _UNKNOWN:
            plan = plans[key] = _plan(self.schema.get_field(parent_type, node.name.value))
        if plan is not None and not node.arguments and not self._middleware:
            python_name, leaf = plan
            value = getattr(source, python_name, None)
            if value is not None:
                try:
                    coerced = leaf.coerce_output_value(value)
                except Exception:  # the ordinary path reports it, located
                    coerced = None
                if coerced is not None and coerced is not Undefined:
                    return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
