"""Start the loads a query's arguments already determine before its resolvers ask for them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    value_from_ast_untyped,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from resolvers import availability as availability_resolvers


class WarmLoads(SchemaExtension):
    """Loads the locations named by `availability(locationIds: ...) { locations ... }` early.

    Availability rows show their locations, which otherwise are fetched after the stock
    levels, themselves fetched after the products: three levels of source calls for a
    listing, four for a product page. The locations a query names do not depend on those
    answers, so they are fetched beside the query's first call. Only what the query
    selects is loaded, so no source is called that would not have been.
    """

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        context = execution.context
        if document is not None and getattr(context, "loaders", None) is not None:
            operation = get_operation_ast(document, execution.operation_name)
            if operation is not None and operation.operation == OperationType.QUERY:
                variables = execution.variables or {}
                for location_ids in _named_locations(document, operation.selection_set, variables):
                    availability_resolvers.warm_locations(context, location_ids)
        yield


def _named_locations(
    document: DocumentNode, selection_set: SelectionSetNode, variables: Mapping[str, Any]
) -> Iterator[list[str]]:
    """Every `locationIds` list of an `availability` field that selects `locations`."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    for field in _fields_below(selection_set, fragments):
        if field.name.value != "availability" or field.selection_set is None:
            continue
        if not any(f.name.value == "locations" for f in _fields(field.selection_set, fragments)):
            continue
        for argument in field.arguments or ():
            if argument.name.value == "locationIds":
                value = value_from_ast_untyped(argument.value, dict(variables))
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    yield value


def _fields(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    """The fields of one selection set, looking through fragments (validation ruled out cycles)."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)


def _fields_below(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    """Every field at any depth below a selection set."""
    for field in _fields(selection_set, fragments):
        yield field
        if field.selection_set is not None:
            yield from _fields_below(field.selection_set, fragments)
