"""Execute a compiled plan: graphql-core's field execution, with its per-field decisions made.

Each step mirrors the graphql-core method named beside it (`Executor.execute_fields`,
`execute_field`, `complete_value`...), so that values, nulls, errors, their paths and
locations, and non-null propagation come out as the reference executor's. Errors go
through the executor's own `handle_field_error` into its collected errors. A value the
plan does not specialise (an async iterable, a lazy iterable, an awaitable type check or
type resolution) is completed by graphql-core's own `complete_value`, on the same executor.

Paths are built where graphql-core would hand them on: to a resolver, an object's fields
or a list's items; a leaf read as an attribute builds its path only to report an error.
"""

from __future__ import annotations

from collections.abc import Awaitable
from functools import partial
from typing import TYPE_CHECKING, Any

from graphql import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT, GraphQLAbstractType, GraphQLResolveInfo
from graphql.execution import get_argument_values
from graphql.execution.executor import invalid_return_type_error
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect

from schema.compiled.plan import Completion, FieldPlan, Kind, ObjectPlan
from schema.compiled.walk import walker

if TYPE_CHECKING:
    from schema.compiled.context import CompiledExecutionContext

#: The resolve info of a field; built only for what reads it (a resolver, a type check).
Info = GraphQLResolveInfo[Any]

_MIN, _MAX = GRAPHQL_MIN_INT, GRAPHQL_MAX_INT

#: What completed values mostly are: never awaitable, so not worth a call to find out.
_SYNC = frozenset({dict, list, str, int, float, bool, type(None)})

#: `Path(prev, key, typename)` without the named tuple's Python-level `__new__`.
_path = partial(tuple.__new__, Path)


class Runner:
    """Runs plans on one executor: its errors, variables, resolve infos and awaitable check."""

    __slots__ = ("executor", "is_awaitable")

    def __init__(self, executor: CompiledExecutionContext) -> None:
        self.executor = executor
        self.is_awaitable = executor.is_awaitable

    def execute_fields(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        """`Executor.execute_fields`: the fields of one object, awaitables gathered."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        pending: list[str] = []
        typename = plan.type.name
        try:
            for field in plan.fields:
                key = field.key
                if field.typename:
                    results[key] = typename
                    continue
                leaf = field.leaf
                if leaf is not None:
                    try:
                        value: Any = field.read(source)  # type: ignore[misc]
                        same = type(value)
                        if same is field.same and (same is not int or _MIN <= value <= _MAX):
                            results[key] = value
                            continue
                        # None, and an exception the general path raises, go that way.
                        coerced = (
                            None if value is None or isinstance(value, Exception) else leaf(value)
                        )
                    except Exception:  # the general path below reports it, located
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        results[key] = coerced
                        continue
                result = self.execute_field(field, source, _path((path, key, typename)))
                results[key] = result
                if type(result) not in _SYNC and is_awaitable(result):
                    pending.append(key)
        except Exception:
            if pending:
                self.executor.settle_in_background([results[key] for key in pending])
            raise
        if not pending:
            return results
        return self._gather_fields(results, pending)

    async def _gather_fields(self, results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
        if len(pending) == 1:
            key = pending[0]
            results[key] = await results[key]
        else:
            values = await gather_with_cancel(*(results[key] for key in pending))
            results.update(zip(pending, values, strict=True))
        return results

    def execute_fields_serially(self, plan: ObjectPlan, source: Any) -> Any:
        """`Executor.execute_fields_serially`: a mutation's fields, one after another."""
        results: dict[str, Any] = {}
        fields = iter(plan.fields)
        for field in fields:
            result = self._root_field(plan, field, source)
            if self.is_awaitable(result):
                return self._serially(plan, source, results, field.key, result, fields)
            results[field.key] = result
        return results

    async def _serially(
        self,
        plan: ObjectPlan,
        source: Any,
        results: dict[str, Any],
        key: str,
        pending: Awaitable[Any],
        fields: Any,
    ) -> dict[str, Any]:
        results[key] = await pending
        for field in fields:
            result = self._root_field(plan, field, source)
            if self.is_awaitable(result):
                result = await result
            results[field.key] = result
        return results

    def _root_field(self, plan: ObjectPlan, field: FieldPlan, source: Any) -> Any:
        if field.typename:
            return plan.type.name
        return self.execute_field(field, source, Path(None, field.key, plan.type.name))

    def execute_field(self, field: FieldPlan, source: Any, path: Path) -> Any:
        """`Executor.execute_field`: the field's value, completed; its error handled."""
        info: Info | None = None
        try:
            if field.read is not None:
                value = field.read(source)
            else:
                value = None
                if field.prefetched is not None:
                    try:
                        value = field.prefetched(source)
                    except Exception:  # the resolver answers (or fails) as it always does
                        value = None
                if value is None:
                    executor = self.executor
                    info = self.info(field, path)
                    arguments = field.arguments
                    if arguments is None:
                        arguments = get_argument_values(
                            field.definition,
                            field.nodes[0],
                            executor.variable_values,
                            None,
                            executor.hide_suggestions,
                        )
                    resolve = field.resolve or executor.field_resolver
                    value = resolve(source, info, **arguments)
                    if self.is_awaitable(value):
                        return self._complete_awaitable(field, field.completion, info, path, value)
            completed = self.complete(field, field.completion, info, path, value)
            if type(completed) not in _SYNC and self.is_awaitable(completed):
                return self._await_completed(field, field.completion, path, completed)
        except Exception as raw_error:
            self.executor.handle_field_error(
                raw_error, field.definition.type, field.field_details, path
            )
            return None
        return completed

    def info(self, field: FieldPlan, path: Path) -> Info:
        """The resolve info graphql-core (through Strawberry's executor) gives this field."""
        return self.executor.build_resolve_info(
            field.definition, field.nodes, field.parent_type, path
        )

    async def _complete_awaitable(
        self,
        field: FieldPlan,
        completion: Completion,
        info: Info | None,
        path: Path,
        value: Awaitable[Any],
    ) -> Any:
        """`Executor.complete_awaitable_value` (and `complete_awaitable_list_item_value`)."""
        try:
            completed = self.complete(field, completion, info, path, await value)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.executor.handle_field_error(raw_error, completion.type, field.field_details, path)
            return None
        return completed

    async def _await_completed(
        self, field: FieldPlan, completion: Completion, path: Path, completed: Awaitable[Any]
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.executor.handle_field_error(raw_error, completion.type, field.field_details, path)
            return None

    def complete(
        self,
        field: FieldPlan,
        completion: Completion,
        info: Info | None,
        path: Path,
        value: Any,
    ) -> Any:
        """`Executor.complete_value`, dispatching on the kind worked out at compile time."""
        if isinstance(value, Exception):
            raise value
        if value is None or value is Undefined:
            if completion.non_null:
                raise TypeError(
                    "Cannot return null for non-nullable field"
                    f" {field.parent_type.name}.{field.name}."
                )
            return None
        kind = completion.kind
        if kind is Kind.LEAF:
            coerced = completion.coerce(value)  # type: ignore[misc]
            if coerced is Undefined or coerced is None:
                raise TypeError(
                    f"Expected `{inspect(completion.inner)}.coerce_output_value("
                    f"{inspect(value)})` to return non-nullable value, returned:"
                    f" {inspect(coerced)}"
                )
            return coerced
        if kind is Kind.OBJECT:
            return self._object(field, completion.object, info, path, value)  # type: ignore[arg-type]
        if kind is Kind.LIST:
            if isinstance(value, list | tuple):
                return self._list(field, completion, info, path, value)
        elif kind is Kind.ABSTRACT:
            info = info or self.info(field, path)
            abstract: GraphQLAbstractType = completion.inner  # type: ignore[assignment]
            resolve_type = abstract.resolve_type or self.executor.type_resolver
            name = resolve_type(value, info, abstract)
            if not self.is_awaitable(name):
                runtime = self.executor.ensure_valid_runtime_type(
                    name,
                    abstract,
                    field.field_details,
                    info,
                    value,
                )
                plan = completion.objects[runtime.name]  # type: ignore[index]
                return self._object(field, plan, info, path, value)
            close = getattr(name, "close", None)
            if close is not None:  # graphql-core resolves the type again below
                close()
        # Anything else (a lazy or async iterable, an awaitable type resolution) takes
        # graphql-core's own completion (of the whole type, so it checks non-null too).
        return self.executor.complete_value(
            completion.type,
            field.field_details,
            info or self.info(field, path),
            path,
            value,
            None,
        )

    def _object(
        self,
        field: FieldPlan,
        plan: ObjectPlan,
        info: Info | None,
        path: Path,
        value: Any,
    ) -> Any:
        """`Executor.complete_object_value`: the type's check, then its fields."""
        check = plan.is_type_of
        if check is not None:
            if plan.check_needs_info:
                info = info or self.info(field, path)
            verdict = check(value, info)
            if self.is_awaitable(verdict):
                if hasattr(verdict, "close"):  # graphql-core checks again
                    verdict.close()
                return self.executor.complete_object_value(
                    plan.type,
                    field.field_details,
                    info or self.info(field, path),
                    path,
                    value,
                    None,
                )
            if not verdict:
                raise invalid_return_type_error(plan.type, value, field.field_details)
        return self.execute_fields(plan, value, path)

    def _list(
        self,
        field: FieldPlan,
        completion: Completion,
        info: Info | None,
        path: Path,
        items: list[Any] | tuple[Any, ...],
    ) -> Any:
        """`Executor.complete_iterable_value` over a list or tuple."""
        item_completion: Completion = completion.of  # type: ignore[assignment]
        walk = None if item_completion.flat is None else walker(item_completion.flat)
        if info is None and _reads_info(item_completion):
            # graphql-core's items share their field's resolve info, path included.
            info = self.info(field, path)
        is_awaitable = self.is_awaitable
        complete = self.complete
        results: list[Any] = []
        append = results.append
        pending: list[int] = []
        try:
            for index, item in enumerate(items):
                if walk is not None:
                    row = walk(item)
                    if row is not None:
                        append(row)
                        continue
                item_path = _path((path, index, None))
                if is_awaitable(item):
                    append(self._complete_awaitable(field, item_completion, info, item_path, item))
                    pending.append(index)
                    continue
                try:
                    completed = complete(field, item_completion, info, item_path, item)
                    if type(completed) not in _SYNC and is_awaitable(completed):
                        completed = self._await_completed(
                            field, item_completion, item_path, completed
                        )
                        pending.append(index)
                except Exception as raw_error:
                    self.executor.handle_field_error(
                        raw_error, item_completion.type, field.field_details, item_path
                    )
                    completed = None
                append(completed)
        except Exception:
            awaitables = [results[index] for index in pending]
            awaitables.extend(item for item in items[len(results) :] if is_awaitable(item))
            if awaitables:
                self.executor.settle_in_background(awaitables)
            raise
        if not pending:
            return results
        return self._gather_items(results, pending)

    async def _gather_items(self, results: list[Any], pending: list[int]) -> list[Any]:
        if len(pending) == 1:
            index = pending[0]
            results[index] = await results[index]
        else:
            values = await gather_with_cancel(*(results[index] for index in pending))
            for index, value in zip(pending, values, strict=True):
                results[index] = value
        return results


def _reads_info(completion: Completion) -> bool:
    """Whether completing a value may hand the field's resolve info to something."""
    if completion.kind is Kind.LEAF:
        return False
    if completion.kind is Kind.OBJECT:
        return completion.object.check_needs_info  # type: ignore[union-attr]
    if completion.kind is Kind.LIST:
        return _reads_info(completion.of)  # type: ignore[arg-type]
    return True  # an abstract type's resolver
