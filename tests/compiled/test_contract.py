"""The graphql-core and Strawberry internals compiled execution relies on are still there.

`schema.compiled` overrides one method of graphql-core's executor and calls a few others
(all public names of a public class, but documented as internal); it reads Strawberry's
marks on its resolvers. An upgrade that renames or reshapes any of them fails here, with
the name, rather than quietly falling back or answering wrong.
"""

from __future__ import annotations

import inspect

import graphql
import pytest
import strawberry
from graphql.execution import Executor, collect_fields, get_argument_values
from graphql.execution import executor as executor_module
from graphql.execution.incremental import IncrementalExecutor
from strawberry.schema import _graphql_core
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from schema import build_schema
from schema.compiled import CompiledExecutionContext, plan_cache

pytestmark = pytest.mark.anyio

#: The executor methods used, with the parameters (after self) they are called with.
METHODS = {
    "execute_collected_root_fields": [
        "root_type",
        "root_value",
        "grouped_field_set",
        "serially",
        "new_defer_usages",
    ],
    "handle_field_error": ["raw_error", "return_type", "field_details_list", "path"],
    "complete_value": [
        "return_type",
        "field_details_list",
        "info",
        "path",
        "result",
        "position_context",
    ],
    "complete_object_value": [
        "return_type",
        "field_details_list",
        "info",
        "path",
        "result",
        "position_context",
    ],
    "ensure_valid_runtime_type": [
        "runtime_type_name",
        "return_type",
        "field_details_list",
        "info",
        "result",
    ],
    "settle_in_background": ["awaitables"],
    "build_resolve_info": ["field_def", "field_nodes", "parent_type", "path"],
}


def _parameters(function: object) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]  # type: ignore[arg-type]


def test_graphql_core_is_the_version_compiled_execution_was_written_against() -> None:
    assert graphql.__version__.startswith("3.3."), (
        f"graphql-core {graphql.__version__}: re-read Executor.execute_operation and the "
        "methods in METHODS, then update schema/compiled and this test"
    )


@pytest.mark.parametrize(("name", "parameters"), METHODS.items())
def test_executor_methods_keep_their_signatures(name: str, parameters: list[str]) -> None:
    method = getattr(CompiledExecutionContext, name, None)
    assert method is not None, f"graphql-core's executor has no {name}() any more"
    assert _parameters(method) == parameters, (
        f"{name}{inspect.signature(method)} changed; schema/compiled calls it with {parameters}"
    )


def test_execute_operation_still_calls_the_overridden_method() -> None:
    source = inspect.getsource(Executor.execute_operation)
    assert "self.execute_collected_root_fields(" in source, (
        "Executor.execute_operation no longer calls execute_collected_root_fields: "
        "CompiledExecutionContext would never run"
    )


def test_strawberry_executes_with_graphql_cores_incremental_executor() -> None:
    assert issubclass(StrawberryGraphQLCoreExecutionContext, IncrementalExecutor)
    assert _graphql_core.execution_context_class_kwargs(CompiledExecutionContext) == {
        "executor_class": CompiledExecutionContext
    }, "Strawberry hands the execution context class to graphql-core differently"


def test_executor_state_read_by_the_plans() -> None:
    attributes = set(inspect.signature(Executor.__init__).parameters)
    for name in (
        "fragment_definitions",
        "fragments",
        "variable_values",
        "field_resolver",
        "type_resolver",
        "middleware_manager",
        "hide_suggestions",
        "abort_signal",
    ):
        assert name in attributes, f"Executor.__init__ has no {name} any more"
    source = inspect.getsource(Executor.__init__)
    for name in ("collected_errors", "error_propagation"):
        assert f"self.{name} =" in source, f"Executor no longer sets {name}"
    assert _parameters(get_argument_values)[:5] == [
        "type_def",
        "node",
        "variable_values",
        "fragment_variable_values",
        "hide_suggestions",
    ]
    assert _parameters(collect_fields.collect_subfields) == [
        "schema",
        "fragments",
        "variable_values",
        "operation",
        "return_type",
        "field_details_list",
        "hide_suggestions",
    ]
    assert collect_fields.FieldDetails._fields == (
        "node",
        "defer_usage",
        "fragment_variable_values",
    )
    assert callable(executor_module.invalid_return_type_error)
    assert "coerced" in graphql.execution.values.VariableValues._fields


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Pet(Named):
    legs: int

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Query:
    pet: Pet | None = None


def test_strawberry_marks_its_attribute_fields_and_type_checks() -> None:
    core = strawberry.Schema(query=Query, types=[Pet])._schema
    pet_type = core.get_type("Pet")
    legs = pet_type.fields["legs"]  # type: ignore[union-attr]
    shout = pet_type.fields["shout"]  # type: ignore[union-attr]
    definition = legs.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    assert isinstance(definition, StrawberryField)
    assert legs.resolve.__name__ == "_get_basic_result"  # type: ignore[union-attr]
    assert legs.resolve._is_default is True  # type: ignore[union-attr]
    assert definition.default_resolver is getattr
    assert (definition.base_resolver, definition.extensions, definition.python_name) == (
        None,
        [],
        "legs",
    )
    assert shout.resolve.__name__ != "_get_basic_result"  # type: ignore[union-attr]
    check = pet_type.is_type_of  # type: ignore[union-attr]
    assert check is not None
    assert check.__qualname__.startswith("GraphQLCoreConverter."), (
        "Strawberry's own is_type_of moved: plans would build a resolve info for each check"
    )


async def test_a_query_runs_compiled_and_is_compiled_once() -> None:
    schema = build_schema()
    stats = plan_cache(schema._schema).stats
    for _ in range(3):
        result = await schema.execute("{ __typename }")
        assert result.data == {"__typename": "Query"}
    assert (stats.compiled, stats.reused, stats.fallbacks) == (1, 2, 0)
