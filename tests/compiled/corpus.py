"""The GraphQL documents the project already holds: string constants of its tests and samples.

Every string constant of `tests/**/*.py` (but `tests/compiled`), `bench/*.py` and
`gateway/samples.py` that parses and validates against the schema is a document to compare executions on.
Variables are supplied from the seeded data by the variable's name and type; a document
whose required variables cannot be supplied that way, or that writes (a mutation: the
seeded data is shared) is skipped with its reason counted.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    type_from_ast,
    validate,
)

ROOT = Path(__file__).resolve().parents[2]
#: Where documents are looked for; this package's own are written for its small schema.
SOURCES = (
    *sorted(p for p in (ROOT / "tests").rglob("*.py") if p.parent != ROOT / "tests/compiled"),
    *sorted((ROOT / "bench").glob("*.py")),
    ROOT / "gateway/samples.py",
)


@dataclass(frozen=True)
class Operation:
    """One operation of a document found in a file, with the variables to run it with."""

    where: str
    document: str
    name: str | None
    variables: dict[str, Any]


def _constants(path: Path) -> Iterator[str]:
    try:
        tree = ast.parse(path.read_text(), str(path))
    except SyntaxError:  # pragma: no cover - the suite would not run either
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value:
            yield node.value


def operations(
    schema: GraphQLSchema, seeds: Mapping[str, Any], skipped: Counter[str]
) -> Iterator[Operation]:
    """The operations to compare on, distinct; `skipped` counts the others by reason."""
    seen: set[tuple[str, str | None]] = set()
    for path in SOURCES:
        where = str(path.relative_to(ROOT))
        for text in _constants(path):
            try:
                document = parse(text)
            except GraphQLError:
                continue  # not GraphQL (or deliberately broken: the parse is not executed)
            if validate(schema, document):
                skipped["does not validate (a test of validation)"] += 1
                continue
            ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            for op in ops:
                name = op.name.value if op.name else None
                if len(ops) > 1 and name is None:
                    continue
                if (text, name) in seen:
                    continue
                seen.add((text, name))
                if op.operation is not OperationType.QUERY:
                    skipped[f"a {op.operation.value} (writes to shared seeded data)"] += 1
                    continue
                variables = _variables(schema, op, seeds)
                if variables is None:
                    skipped["required variables not suppliable"] += 1
                    continue
                yield Operation(where, text, name, variables)


def _variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, seeds: Mapping[str, Any]
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        type_ = type_from_ast(schema, definition.type)
        if not isinstance(type_, GraphQLNonNull) or definition.default_value is not None:
            continue
        value = _value(type_.of_type, definition.variable.name.value.lower(), seeds)
        if value is None:
            return None
        values[definition.variable.name.value] = value
    return values


def _value(type_: Any, name: str, seeds: Mapping[str, Any]) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, name, seeds)
    if isinstance(type_, GraphQLList):
        item = _value(type_.of_type, name, seeds)
        return None if item is None else [item]
    if isinstance(type_, GraphQLInputObjectType):
        return None
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    scalar = type_.name
    if scalar == "Int":
        return 3
    if scalar == "Boolean":
        return True
    if scalar in ("Float", "Decimal"):
        return 1.5 if scalar == "Float" else "1.50"
    for hint, key in _HINTS:
        if hint in name and f"{scalar}:{key}" in seeds:
            return seeds[f"{scalar}:{key}"]
    return seeds.get(f"{scalar}:")


#: Which seeded value a variable gets, by a word in its name (first match wins).
_HINTS = (
    ("store", "location"),
    ("location", "location"),
    ("customer", "customer"),
    ("order", "order"),
    ("number", "order"),
    ("variant", "variant"),
    ("gtin", "gtin"),
    ("sku", "sku"),
    ("search", "search"),
    ("code", "location"),
    ("id", "product"),
    ("", ""),
)
