"""How big an operation is once its fragments are expanded, in time linear in its text.

A fragment that spreads the previous one twice, nested 24 deep, is 2^24 fields from 1 KB
of text. Walking such a document spread by spread (as Strawberry's depth and alias rules
and its selected-fields conversion do) takes as long as executing it would. Here each
fragment is measured once, and its figures are reused at every spread of it: the walk
visits every node of the document once, whatever the spreads multiply it into.

* `measure()` gives a document's `Shape`: the depth, aliases and fields of its largest
  operation after expansion, and how often one response name repeats in any selection
  set. It depends on the document alone, so it is cached with the document.
* `estimate_cost()` estimates how many fields executing it resolves: each field counts
  its weight (1 unless the schema says otherwise), times the size of every list it sits
  in. A list's size is its `first`/`last` argument, else the length of a list argument
  (`nodes(ids: [...])`), else the page size its connection was asked for, else a default.
  Arguments may come from variables, so the estimate is made per request (still one
  visit per node), and cached with the document when no variable is involved.

The document need not be valid: unknown fields and fragments count what they can, and a
fragment cycle counts nothing on its second visit. Validation reports all of those, after
these figures have shown that validating it is affordable.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef
from strawberry.schema.schema_converter import GraphQLCoreConverter

#: Metadata key of a field whose resolution costs more than one plain field:
#: `strawberry.field(metadata={COST: SOURCE_QUERY})`.
COST = "gateway.cost"
#: The weight of a field that is a source query of its own: a search, a basket's price
#: calculation. Aliases of it are not batched into one call as keyed loads are.
SOURCE_QUERY = 20

#: Nesting (fields and spreads) past which a document is not walked further: deeper than
#: any depth limit may be set, and shallow enough for Python's recursion limit.
MAX_WALK_DEPTH = 128


@dataclass(frozen=True, slots=True)
class Shape:
    """An operation's size after fragment expansion."""

    depth: int  # levels of fields: `{ a { b } }` is 2; MAX_WALK_DEPTH + 1 when deeper still
    aliases: int  # fields with an alias
    fields: int  # field selections
    #: The most times one response name is selected in one selection set. Validation
    #: compares every such pair (OverlappingFieldsCanBeMerged): 450 repeats take ~0.8 s.
    repeats: int


@dataclass(frozen=True, slots=True)
class _Level:
    """A selection set's figures, and how often it selects each response name itself."""

    depth: int
    aliases: int
    fields: int
    names: Counter[str]


_NOTHING = _Level(0, 0, 0, Counter())


class _TooDeep(Exception):
    """The document nests deeper than MAX_WALK_DEPTH."""


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The document's fragment definitions by name (the first of each name)."""
    found: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            found.setdefault(definition.name.value, definition)
    return found


def measure(document: DocumentNode) -> Shape:
    """The largest depth, aliases and fields of the document's operations, and its repeats.

    Every operation counts, not only the one a request runs, and every fragment's
    selection sets count for the repeats, used or not: validation covers all of them.
    """
    fragments = fragments_of(document)
    walk = _ShapeWalk(fragments)
    depth = aliases = fields = 0
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                level = walk.selection_set(definition.selection_set, 0)
                depth = max(depth, level.depth)
                aliases = max(aliases, level.aliases)
                fields = max(fields, level.fields)
        for definition in fragments.values():
            walk.fragment_definition(definition, 0)
    except _TooDeep:
        return Shape(MAX_WALK_DEPTH + 1, 0, 0, 0)
    return Shape(depth, aliases, fields, walk.repeats)


class _ShapeWalk:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.memo: dict[str, _Level] = {}
        self.visiting: set[str] = set()
        self.repeats = 0

    def selection_set(self, selection_set: SelectionSetNode, nesting: int) -> _Level:
        if nesting > MAX_WALK_DEPTH:
            raise _TooDeep
        depth = aliases = fields = 0
        names: Counter[str] = Counter()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                below = (
                    self.selection_set(selection.selection_set, nesting + 1)
                    if selection.selection_set is not None
                    else _NOTHING
                )
                depth = max(depth, 1 + below.depth)
                aliases += below.aliases + (selection.alias is not None)
                fields += below.fields + 1
                names[(selection.alias or selection.name).value] += 1
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set, nesting + 1)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection, nesting + 1)
            else:
                continue
            depth = max(depth, inner.depth)
            aliases += inner.aliases
            fields += inner.fields
            names.update(inner.names)
        if names:
            self.repeats = max(self.repeats, max(names.values()))
        return _Level(depth, aliases, fields, names)

    def fragment(self, spread: FragmentSpreadNode, nesting: int) -> _Level:
        definition = self.fragments.get(spread.name.value)
        if definition is None:
            return _NOTHING  # unknown: validation reports it
        return self.fragment_definition(definition, nesting)

    def fragment_definition(self, definition: FragmentDefinitionNode, nesting: int) -> _Level:
        name = definition.name.value
        known = self.memo.get(name)
        if known is not None:
            return known
        if name in self.visiting:
            return _NOTHING  # a cycle: validation reports it
        self.visiting.add(name)
        level = self.selection_set(definition.selection_set, nesting)
        self.visiting.discard(name)
        self.memo[name] = level
        return level


@dataclass(slots=True)
class Cost:
    """An estimate of the fields an operation resolves, and the variables that sized it.

    Of a variable's value, the estimate reads only whether it is an int (a page size)
    and a list's length (`_CostWalk._size`): a cache may key on those.
    """

    fields: int
    variables: tuple[str, ...]


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
    *,
    default_list_size: int,
) -> Cost:
    """How many fields executing `operation` with `variables` resolves, at most about."""
    root = schema.get_root_type(operation.operation)
    walk = _CostWalk(schema, fragments_of(document), operation, variables or {}, default_list_size)
    try:
        fields = walk.selection_set(operation.selection_set, root, None, 0)
    except _TooDeep:
        fields = 0  # the depth limit refuses it; nothing deeper is worth estimating
    return Cost(math.ceil(fields), tuple(walk.read))


@dataclass(slots=True)
class _CostWalk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    operation: OperationDefinitionNode
    variables: Mapping[str, Any]
    default_list_size: int
    read: dict[str, None] = field(default_factory=dict)  # the variables read, in order
    # A fragment's cost depends on the page size its lists inherit; memoised per both.
    memo: dict[tuple[str, int | None], float] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def selection_set(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        page_size: int | None,
        nesting: int,
    ) -> float:
        if nesting > MAX_WALK_DEPTH:
            raise _TooDeep
        total = 0.0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page_size, nesting)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, inner, page_size, nesting + 1)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection, page_size, nesting + 1)
        return total

    def fragment(self, spread: FragmentSpreadNode, page_size: int | None, nesting: int) -> float:
        name = spread.name.value
        known = self.memo.get((name, page_size))
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return 0
        self.visiting.add(name)
        parent = self.schema.get_type(definition.type_condition.name.value)
        cost = self.selection_set(definition.selection_set, parent, page_size, nesting)
        self.visiting.discard(name)
        self.memo[(name, page_size)] = cost
        return cost

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        page_size: int | None,
        nesting: int,
    ) -> float:
        definition = _field_definition(self.schema, parent, node.name.value)
        weight = _weight(definition)
        if definition is None:
            below = (
                self.selection_set(node.selection_set, None, None, nesting + 1)
                if node.selection_set
                else 0
            )
            return weight + below
        size = self._size(node, definition)
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        items: float = 1
        if is_list:
            known: float | None = size
            if known is None and parent is not None and parent.name.startswith("__"):
                known = introspection_sizes(self.schema).get((parent.name, node.name.value))
            items = known if known is not None else page_size or self.default_list_size
        below = 0.0
        if node.selection_set is not None:
            # A connection's page size is the size of the lists inside it (edges, nodes).
            inherited = None if is_list else size
            below = self.selection_set(
                node.selection_set, get_named_type(definition.type), inherited, nesting + 1
            )
        return items * (weight + below)

    def _size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The list size a field's arguments ask for: first/last, else a list's length."""
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes: list[int] = []
        for name, argument in definition.args.items():
            is_list = isinstance(get_nullable_type(argument.type), GraphQLList)
            if name not in ("first", "last") and not is_list:
                continue
            value: Any = Undefined
            ast = given.get(name)
            if isinstance(ast, VariableNode):
                self.read[ast.name.value] = None
                value = self._variable(ast.name.value)
            elif isinstance(ast, IntValueNode | ListValueNode):
                value = value_from_ast_untyped(ast)
            if value is Undefined:
                value = argument.default_value
            if not is_list and isinstance(value, int):
                return max(value, 0)
            if is_list and isinstance(value, list):
                sizes.append(len(value))
        return max(sizes) if sizes else None

    def _variable(self, name: str) -> Any:
        if name in self.variables:
            return self.variables[name]
        for definition in self.operation.variable_definitions or ():
            if definition.variable.name.value == name and definition.default_value is not None:
                return value_from_ast_untyped(definition.default_value)
        return Undefined


@cache
def introspection_sizes(schema: GraphQLSchema) -> Mapping[tuple[str, str], float]:
    """The mean length of each introspection list in this schema.

    Introspection describes the schema itself, so its lists are as long as the schema
    makes them: the default list size would make the standard introspection query cost
    ten times what it resolves.
    """
    types = list(schema.type_map.values())
    composite = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields = [f for t in composite for f in t.fields.values()]

    def mean(total: int, count: int) -> float:
        return total / max(count, 1)

    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.directives),
        ("__Type", "fields"): mean(len(fields), len(types)),
        ("__Type", "interfaces"): mean(sum(len(t.interfaces) for t in composite), len(types)),
        ("__Type", "possibleTypes"): mean(
            sum(len(schema.get_possible_types(t)) for t in types if is_abstract_type(t)),
            len(types),
        ),
        ("__Type", "enumValues"): mean(
            sum(len(t.values) for t in types if isinstance(t, GraphQLEnumType)), len(types)
        ),
        ("__Type", "inputFields"): mean(
            sum(len(t.fields) for t in types if isinstance(t, GraphQLInputObjectType)),
            len(types),
        ),
        ("__Field", "args"): mean(sum(len(f.args) for f in fields), len(fields)),
        ("__Directive", "args"): mean(
            sum(len(d.args) for d in schema.directives), len(schema.directives)
        ),
    }


def _field_definition(
    schema: GraphQLSchema, parent: GraphQLNamedType | None, name: str
) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if parent is schema.query_type:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _weight(definition: GraphQLField | None) -> int:
    if definition is None or not definition.extensions:
        return 1
    strawberry_field = definition.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    metadata = getattr(strawberry_field, "metadata", None) or {}
    weight = metadata.get(COST, 1)
    return weight if isinstance(weight, int) else 1
