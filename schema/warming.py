"""Start the loads a query's arguments already determine before its resolvers ask for them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
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
from resolvers import customer as customer_resolvers


class WarmLoads(SchemaExtension):
    """Starts, as execution begins, the loads whose keys the query itself already holds.

    - The locations named by `availability(locationIds: ...) { locations ... }`: rows show
      their locations, otherwise fetched after the stock levels, themselves fetched after
      the products (three levels of calls for a listing, four for a product page).
    - `me { loyalty orders }`: keyed by the customer id of the token, otherwise fetched
      after the CRM's customer.

    These then go out beside the query's first call. Only what the query selects is
    loaded, through the request's DataLoaders, so no source is called that would not have
    been, and no call is added to a level.
    """

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        context = execution.context
        if document is not None and getattr(context, "loaders", None) is not None:
            operation = get_operation_ast(document, execution.operation_name)
            if operation is not None and operation.operation == OperationType.QUERY:
                fragments = {
                    d.name.value: d
                    for d in document.definitions
                    if isinstance(d, FragmentDefinitionNode)
                }
                variables = dict(execution.variables or {})
                selection = operation.selection_set
                for location_ids in _named_locations(selection, fragments, variables):
                    availability_resolvers.warm_locations(context, location_ids)
                _warm_me(context, selection, fragments, variables)
        yield


def _warm_me(
    context: Any,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> None:
    for me in _fields(selection_set, fragments):
        if me.name.value != "me" or me.selection_set is None:
            continue
        below = list(_fields(me.selection_set, fragments))
        channels = set()
        for orders in (f for f in below if f.name.value == "orders"):
            channel = _argument(orders, "channel", variables)
            channels.add(channel if isinstance(channel, str) else None)
        customer_resolvers.warm_me(
            context,
            loyalty=any(f.name.value == "loyalty" for f in below),
            order_channels=channels,
        )


def _named_locations(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> Iterator[list[str]]:
    """Every `locationIds` list of an `availability` field that selects `locations`."""
    for field in _fields_below(selection_set, fragments):
        if field.name.value != "availability" or field.selection_set is None:
            continue
        if not any(f.name.value == "locations" for f in _fields(field.selection_set, fragments)):
            continue
        value = _argument(field, "locationIds", variables)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            yield value


def _argument(field: FieldNode, name: str, variables: dict[str, Any]) -> Any:
    """The value of a field's argument, variables filled in; None when it is not given."""
    for argument in field.arguments or ():
        if argument.name.value == name:
            return value_from_ast_untyped(argument.value, variables)
    return None


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
