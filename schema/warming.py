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
from schema.complexity import fragments_of


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
        # A result already there (a refused request) means nothing will execute.
        ready = execution.result is None
        if ready and document is not None and getattr(context, "loaders", None) is not None:
            operation = get_operation_ast(document, execution.operation_name)
            if operation is not None and operation.operation == OperationType.QUERY:
                fragments = fragments_of(document)
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
    for field in _fields(selection_set, fragments, deep=True):
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
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    *,
    deep: bool = False,
) -> Iterator[FieldNode]:
    """The distinct field nodes of a selection set (at any depth below it, if `deep`).

    Each fragment is walked once however often it is spread: its fields say the same
    there each time, and a fragment spread twice at each of 24 levels would otherwise be
    walked 2^24 times.
    """
    seen: set[str] = set()
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                yield selection
                if deep and selection.selection_set is not None:
                    pending.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in fragments:
                    seen.add(name)
                    pending.append(fragments[name].selection_set)
