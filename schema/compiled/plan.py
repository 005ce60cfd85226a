"""An operation compiled once into a tree of field plans, for `schema.compiled.run` to execute.

Fields are collected with graphql-core's own `collect_fields`/`collect_subfields` (fragments,
inline fragments, aliases, merging of one response key, `@skip`/`@include`), once per
operation and set of `@skip`/`@include` variable values (the cache keys plans by them), so
collection can never differ from the reference executor's. Each field then knows how it gets
its value (a constant `__typename`, a plain attribute read, a method of its parent
alone (`DERIVED`), a prefetched value or its resolver) and its arguments when they are literals (coerced once), and each type how its
values complete: as a list, a leaf (its `coerce_output_value`), an object (its fields,
compiled ahead) or an abstract type (one object plan per possible type, picked by the
type's resolver), and whether it refuses null.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from operator import attrgetter
from typing import Any

from graphql import (
    FieldNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    ListValueNode,
    ObjectValueNode,
    ValueNode,
    VariableNode,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
)
from graphql.execution import get_argument_values
from graphql.execution.collect_fields import (
    FieldDetailsList,
    FragmentDetails,
    GroupedFieldSet,
    collect_subfields,
)
from graphql.execution.values import VariableValues
from graphql.language import OperationDefinitionNode
from strawberry.schema.schema_converter import GraphQLCoreConverter

from schema.execution import DERIVED, PREFETCHED


class Unsupported(Exception):
    """The operation asks for something the compiled executor leaves to graphql-core."""


class Kind(IntEnum):
    """How a value of a type completes (past its non-null wrapper, if any)."""

    LIST = 1
    LEAF = 2
    OBJECT = 3
    ABSTRACT = 4


@dataclass(slots=True, eq=False)
class ObjectPlan:
    """The fields to execute on a value of one object type, in response order."""

    type: GraphQLObjectType
    fields: list[FieldPlan] = field(default_factory=list)
    #: The type's own check, if any; `check_needs_info` when it is not Strawberry's (which
    #: ignores the resolve info, so none is built for it).
    is_type_of: Callable[[Any, Any], Any] | None = None
    check_needs_info: bool = False
    #: A flat plan's walker (`schema.compiled.walk`), generated on first use.
    walk: Callable[[Any], dict[str, Any] | None] | None = None


@dataclass(slots=True, eq=False)
class Completion:
    """How a value of `type` completes; `of` for a list's items.

    `type` is the whole type, non-null wrapper included (what decides whether an error
    propagates); `inner` the type inside that wrapper, and `kind` how its values complete.
    """

    kind: Kind
    type: GraphQLOutputType
    inner: GraphQLOutputType
    non_null: bool = False
    of: Completion | None = None
    coerce: Callable[[Any], Any] | None = None  # a leaf's `coerce_output_value`
    object: ObjectPlan | None = None
    #: An abstract type's plans, by the name of each possible object type.
    objects: dict[str, ObjectPlan] | None = None
    #: `object` again when every value below it is there already: each field is
    #: `__typename` or read off its parent (an attribute, a `DERIVED` method, a prefetched
    #: value) and completes as a leaf, a flat object or a list of either, and no type
    #: check needs a resolve info. A list of such objects completes each item in one
    #: synchronous walk, with no path unless something goes wrong (`walk.walker`).
    flat: ObjectPlan | None = None


@dataclass(slots=True, eq=False)
class FieldPlan:
    """One response key of an object plan: where its value comes from and how it completes."""

    key: str
    name: str
    parent_type: GraphQLObjectType
    definition: GraphQLField
    field_details: FieldDetailsList
    nodes: list[FieldNode]
    completion: Completion
    typename: bool = False  # `__typename`: the parent type's name
    #: The value off its parent without a resolver: Strawberry's default resolver (an
    #: attribute read, failing for a missing attribute) or a `DERIVED` method.
    read: Callable[[Any], Any] | None = None
    leaf: Callable[[Any], Any] | None = None  # the coercion of a leaf that `read` reads
    #: The Python type a leaf's coercion returns unchanged (`str` for String and ID,
    #: `bool` for Boolean, `int` for Int within 32 bits): such a value is taken as it is.
    same: type | None = None
    prefetched: Callable[[Any], Any] | None = None
    resolve: Callable[..., Any] | None = None  # None: the executor's default field resolver
    #: Coerced once when every argument is a literal; None: coerced per execution.
    arguments: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Compiler:
    """What collecting fields needs: the operation and the variables the plan is built for."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDetails]
    variable_values: VariableValues
    operation: OperationDefinitionNode
    hide_suggestions: bool

    def root(self, root_type: GraphQLObjectType, grouped: GroupedFieldSet) -> ObjectPlan:
        """The plan of the root fields graphql-core collected for this operation."""
        plan = ObjectPlan(root_type)
        self._fill(plan, grouped)
        return plan

    def _object(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> ObjectPlan:
        grouped, defer_usages, _forbidden = collect_subfields(
            self.schema,
            self.fragments,
            self.variable_values,
            self.operation,
            object_type,
            details,
            self.hide_suggestions,
        )
        if defer_usages:
            raise Unsupported("@defer")
        check = object_type.is_type_of
        plan = ObjectPlan(
            object_type,
            is_type_of=check,
            check_needs_info=check is not None
            and not check.__qualname__.startswith("GraphQLCoreConverter."),
        )
        self._fill(plan, grouped)
        return plan

    def _fill(self, plan: ObjectPlan, grouped: GroupedFieldSet) -> None:
        for key, details in grouped.items():
            if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
                raise Unsupported("@defer or fragment arguments")
            node = details[0].node
            definition = self.schema.get_field(plan.type, node.name.value)
            if definition is None:  # not in a validated document; graphql-core skips it too
                continue
            plan.fields.append(self._field(plan.type, key, definition, details))

    def _field(
        self,
        parent: GraphQLObjectType,
        key: str,
        definition: GraphQLField,
        details: FieldDetailsList,
    ) -> FieldPlan:
        node = details[0].node
        name = node.name.value
        nodes = [d.node for d in details]
        if any(d.name.value == "stream" for n in nodes for d in n.directives or ()):
            raise Unsupported("@stream")
        completion = self._completion(definition.type, details)
        plan = FieldPlan(key, name, parent, definition, details, nodes, completion)
        if name == "__typename":
            plan.typename = True
            return plan
        strawberry_field = (definition.extensions or {}).get(
            GraphQLCoreConverter.DEFINITION_BACKREF
        )
        resolve = definition.resolve
        read = None
        if strawberry_field is not None:
            if _is_attribute(strawberry_field, resolve):
                read = attrgetter(strawberry_field.python_name)
            elif _is_derived(strawberry_field):
                read = strawberry_field.base_resolver.wrapped_func
        if read is not None:
            plan.read = read
            if completion.kind is Kind.LEAF:
                # Only a value that coerces to one is taken directly: valid either way.
                plan.leaf = completion.coerce
                plan.same = _UNCHANGED.get(completion.inner)
            return plan
        plan.resolve = resolve
        ready = (getattr(strawberry_field, "metadata", None) or {}).get(PREFETCHED)
        if ready is not None and completion.kind in (Kind.OBJECT, Kind.LIST):
            plan.prefetched = ready
        if not any(_has_variable(argument.value) for argument in node.arguments or ()):
            try:
                plan.arguments = get_argument_values(
                    definition, node, self.variable_values, None, self.hide_suggestions
                )
            except Exception:  # reported where graphql-core reports it: at execution
                plan.arguments = None
        return plan

    def _completion(self, whole: GraphQLOutputType, details: FieldDetailsList) -> Completion:
        non_null = isinstance(whole, GraphQLNonNull)
        type_ = whole.of_type if isinstance(whole, GraphQLNonNull) else whole
        if isinstance(type_, GraphQLList):
            item = self._completion(type_.of_type, details)
            return Completion(Kind.LIST, whole, type_, non_null, of=item)
        if is_leaf_type(type_):
            coerce = type_.coerce_output_value
            return Completion(Kind.LEAF, whole, type_, non_null, coerce=coerce)
        if is_object_type(type_):
            assert isinstance(type_, GraphQLObjectType)
            plan = self._object(type_, details)
            flat = not plan.check_needs_info and all(_flat_field(f) for f in plan.fields)
            return Completion(
                Kind.OBJECT, whole, type_, non_null, object=plan, flat=plan if flat else None
            )
        if is_abstract_type(type_):
            assert isinstance(type_, GraphQLAbstractType)
            objects = {
                possible.name: self._object(possible, details)
                for possible in self.schema.get_possible_types(type_)
            }
            return Completion(Kind.ABSTRACT, whole, type_, non_null, objects=objects)
        raise Unsupported(f"output type {type_}")  # pragma: no cover - all types covered


#: graphql-core's scalars whose coercion returns a value of this exact type unchanged
#: (an int only within 32 bits: the runner checks that range).
_UNCHANGED: dict[Any, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
    GraphQLInt: int,
}


def _is_attribute(strawberry_field: Any, resolve: Any) -> bool:
    """Whether a field is Strawberry's plain attribute read: no resolver, extension or handler.

    Strawberry marks its resolver `_is_default` also for a field with extensions (a
    permission) but no resolver function; such a field must run them, so only a "basic"
    field (`_get_basic_result`, no base resolver, no extensions) reads the attribute.
    """
    return bool(
        getattr(resolve, "_is_default", False)
        and getattr(resolve, "__name__", "") == "_get_basic_result"
        and strawberry_field.base_resolver is None
        and not strawberry_field.extensions
        and strawberry_field.default_resolver is getattr
        and isinstance(strawberry_field.python_name, str)
    )


def _flat_field(field: FieldPlan) -> bool:
    if field.typename:
        return True
    if field.read is None and field.prefetched is None:
        return False
    return _flat_completion(field.completion)


def _flat_completion(completion: Completion) -> bool:
    if completion.kind is Kind.LEAF:
        return True
    if completion.kind is Kind.OBJECT:
        return completion.flat is not None
    if completion.kind is Kind.LIST:
        return _flat_completion(completion.of)  # type: ignore[arg-type]
    return False


def _is_derived(strawberry_field: Any) -> bool:
    """Whether a field is marked `DERIVED` and is what that promises: a plain `self` method.

    Anything else (arguments, an info or root parameter, a coroutine, an extension such as
    a permission) keeps its resolver, which the reference executor calls too.
    """
    resolver = strawberry_field.base_resolver
    if not (strawberry_field.metadata or {}).get(DERIVED) or resolver is None:
        return False
    reserved = resolver.reserved_parameters
    only_self = [name for name, parameter in reserved.items() if parameter is not None]
    return bool(
        len(only_self) == 1
        and resolver.self_parameter is not None
        and not resolver.arguments
        and not resolver.is_async
        and not strawberry_field.extensions
        and len(resolver.signature.parameters) == 1
    )


def _has_variable(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_has_variable(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_has_variable(item.value) for item in value.fields)
    return False
