"""A faster path through graphql-core for the most common fields: plain attribute reads.

Most of a listing's fields are read straight off an object: scalars (`sku`, `name`,
`amount`) and objects (`price.amount`, a row's `location`). For each, graphql-core builds
a resolve-info object, calls Strawberry's default resolver, checks the result for
awaitability and dispatches on the return type: most of the cost of executing a listing
(PERFORMANCE.md: ≈ 4 µs a field at best; more here). For a field whose resolver is
Strawberry's own attribute read (no resolver, no arguments, no field extension or
permission), this execution context reads the attribute and coerces a scalar or enum
directly, or goes straight on to an object's own fields. Anything else, and a null, a
value that fails to coerce or an object of the wrong type, takes graphql-core's ordinary
path, so errors, nulls and their paths come out exactly as before.

The same goes for a resolver field whose value a list resolver fetched ahead for its
parent (`PREFETCHED`): a listing's prices and availability, fetched for the whole page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    ExecutionResult,
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    GraphQLScalarType,
    GraphQLSchema,
    get_nullable_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, Undefined, UndefinedType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

#: Metadata key of a resolver field whose value a list resolver may have fetched for every
#: item at once: `strawberry.field(metadata={PREFETCHED: ready})`, where `ready(parent)`
#: returns the value when it is there (an object, fetched for the arguments every
#: occurrence of the field asks with) and None to have the resolver called as usual.
PREFETCHED = "gateway.prefetched"

#: Metadata key of a resolver field whose value is a pure function of its parent alone: a
#: plain method taking only `self` (no arguments, no info, nothing awaited, no extension),
#: e.g. a global id worked out only when asked. `strawberry.field(metadata={DERIVED: True})`
#: lets the compiled plan call the method directly, as cheaply as reading an attribute,
#: where Strawberry's resolver wrapper would convert arguments and build an info first.
DERIVED = "gateway.derived"


@dataclass(frozen=True, slots=True)
class _Plan:
    """How a field can skip graphql-core's per-field machinery."""

    read: Callable[[Any], Any]  # the value off its parent; None means "take the usual path"
    target: GraphQLLeafType | GraphQLObjectType  # the field's type, non-null stripped
    field_type: GraphQLOutputType
    with_arguments: bool  # only prefetched values may stand for a field with arguments


#: Plans per schema, per (type name, field name), worked out on first use; None: no plan.
_plans: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], _Plan | None]] = WeakKeyDictionary()

#: Not worked out yet (None means worked out: no fast path).
_UNKNOWN: Any = object()


def _plan(field: GraphQLField | None) -> _Plan | None:
    if field is None:
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    target = get_nullable_type(field.type)
    if isinstance(target, GraphQLObjectType):
        # Strawberry's own type checks ignore the resolve info, which we do not build.
        check = target.is_type_of
        if check is not None and not check.__qualname__.startswith("GraphQLCoreConverter."):
            return None
    elif not isinstance(target, GraphQLScalarType | GraphQLEnumType):
        return None
    ready = (getattr(definition, "metadata", None) or {}).get(PREFETCHED)
    if ready is not None and isinstance(target, GraphQLObjectType):
        return _Plan(ready, target, field.type, with_arguments=True)
    python_name = getattr(definition, "python_name", None)
    if field.args or not getattr(field.resolve, "_is_default", False):
        return None
    if getattr(definition, "extensions", None):
        # Strawberry marks a field with extensions (a permission) but no resolver function
        # `_is_default` too; its resolver runs them, so it is no plain read.
        return None
    if not isinstance(python_name, str):
        return None
    return _Plan(partial(_attribute, python_name), target, field.type, with_arguments=False)


def _attribute(name: str, source: Any) -> Any:
    return getattr(source, name, None)  # absent: the usual path reports it


async def _gather(values: Sequence[Awaitable[Any]]) -> list[Any]:
    return list(await asyncio.gather(*values))


#: What a finished executor keeps instead of its helpers: nothing of its own.
_NO_HELPERS = GraphQLResolveInfoHelpers(gather=_gather, track=lambda values: None)


class FastAttributeExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain attribute fields read directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Strawberry passes an empty MiddlewareManager; middleware wraps every resolver.
        manager = self.middleware_manager
        self._middleware = bool(manager is not None and manager.middlewares)
        self._plans = _plans.setdefault(self.schema, {})

    def execute_operation(self, serially: bool | None = None) -> Any:
        """graphql-core's, then the executor lets go of itself (see `_release`)."""
        result = super().execute_operation(serially)
        if self.is_awaitable(result):
            return self._released_after(result)
        self._release(result)
        return result

    async def _released_after(self, pending: Awaitable[Any]) -> Any:
        result = await pending
        self._release(result)
        return result

    def _release(self, result: Any) -> None:
        """Break graphql-core's executor out of its own cycle once its result is whole.

        The executor keeps its resolve-info helpers, which are its own bound methods: a
        cycle only the cyclic garbage collector frees, and behind it the request context
        with every loader, future and record of the request. Without it they go as soon
        as the request does. Results still being delivered (`@defer`, `@stream`) keep it.
        """
        if isinstance(result, ExecutionResult):
            self.async_helpers = _NO_HELPERS

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
        plan: _Plan | None = plans.get(key, _UNKNOWN)
        if plan is _UNKNOWN:
            plan = plans[key] = _plan(self.schema.get_field(parent_type, node.name.value))
        if (
            plan is not None
            and (plan.with_arguments or not node.arguments)
            and not self._middleware
        ):
            try:
                value = plan.read(source)
            except Exception:  # a property that raises: the ordinary path reports it
                value = None
            target = plan.target
            if value is None:
                pass
            elif isinstance(target, GraphQLObjectType):
                if target.is_type_of is None or target.is_type_of(value, None):  # type: ignore[arg-type]
                    return self._object_fields(
                        target, plan.field_type, field_details_list, path, value, position_context
                    )
            else:
                try:
                    coerced = target.coerce_output_value(value)
                except Exception:  # the ordinary path reports it, located
                    coerced = None
                if coerced is not None and coerced is not Undefined:
                    return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _object_fields(
        self,
        object_type: GraphQLObjectType,
        field_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
        value: Any,
        position_context: Any | None,
    ) -> AwaitableOrValue[Any]:
        """An object's own fields, with the error handling graphql-core gives a field."""
        try:
            completed = self.collect_and_execute_subfields(
                object_type, field_details_list, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._awaited(completed, field_type, field_details_list, path)
        return completed

    async def _awaited(
        self,
        completed: Awaitable[Any],
        field_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            return None
