"""Walkers: each flat object plan compiled to Python source, once, in the spirit of graphql-jit.

A flat plan (`Completion.flat`) is an object whose every value is there already: read off
its parent (an attribute, a `DERIVED` method, a prefetched value) and completing as a
leaf, a flat object or a list of either. Its walker reads the values, checks each the
way the leaf path of `Runner.execute_fields` does, and returns the response object in
one function with no loop over field plans, no path and no resolve info:

    def walk(item):
        if check(item, None) is not True:
            return None
        try:
            v0 = r0(item)
            v1 = r1(item)
        except Exception:
            return None
        if type(v0) is not s0:
            ...
        return {"sku": v0, "__typename": "ProductVariant", "gtin": v1}

None means "not this way": anything unusual (a failed type check, a read that raises, a
value that does not coerce, a null where the schema refuses one, a prefetched value
missing) makes the runner complete the whole item the general way, which reports it with
its path. Reads are pure, so reading them again there answers the same. The source is
built only from the plan's own names (response keys are GraphQL names; every value
reaches the code through its namespace, never as text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT
from graphql.pyutils import Undefined

from schema.compiled.plan import Completion, Kind, ObjectPlan

#: An object's response, or None: complete it the general way.
Walker = Callable[[Any], dict[str, Any] | None]


def walker(plan: ObjectPlan) -> Walker:
    """The walker of a flat plan, generated on first use and kept with the plan."""
    walk = plan.walk
    if walk is None:
        walk = plan.walk = _generate(plan)
    return walk


def walk_list(completion: Completion, items: Any) -> list[Any] | None:
    """The items of a list of leaves, flat objects or such lists; None: not this way."""
    if not isinstance(items, list | tuple):
        return None
    done: list[Any] = []
    append = done.append
    kind = completion.kind
    walk = walker(completion.flat) if kind is Kind.OBJECT else None  # type: ignore[arg-type]
    for item in items:
        if item is None or item is Undefined:
            if completion.non_null:
                return None
            append(None)
            continue
        value: Any
        if walk is not None:
            value = walk(item)
        elif kind is Kind.LEAF:
            value = leaf(completion, item)
        else:
            value = walk_list(completion.of, item)  # type: ignore[arg-type]
        if value is None:
            return None
        append(value)
    return done


def leaf(completion: Completion, value: Any) -> Any:
    """A leaf coerced as the general path would take it; None: not this way."""
    if isinstance(value, Exception):  # the general path raises it
        return None
    try:
        coerced = completion.coerce(value)  # type: ignore[misc]
    except Exception:
        return None
    return None if coerced is Undefined else coerced


def _generate(plan: ObjectPlan) -> Walker:
    names: dict[str, Any] = {
        "Undefined": Undefined,
        "leaf": leaf,
        "walk_list": walk_list,
        "MIN": GRAPHQL_MIN_INT,
        "MAX": GRAPHQL_MAX_INT,
        "check": plan.is_type_of,
    }
    lines = ["def walk(item):"]
    if plan.is_type_of is not None:
        lines += ["    if check(item, None) is not True:", "        return None"]
    else:
        lines += ["    if isinstance(item, Exception):", "        return None"]
    reads: list[str] = []
    fixes: list[str] = []
    entries: list[str] = []
    for i, field in enumerate(plan.fields):
        if field.typename:
            entries.append(f"{field.key!r}: {plan.type.name!r}")
            continue
        v = f"v{i}"
        names[f"r{i}"] = field.read if field.read is not None else field.prefetched
        reads.append(f"        {v} = r{i}(item)")
        entries.append(f"{field.key!r}: {v}")
        fixes += _fix(
            i, field.completion, field.same, missing_is_null=field.read is not None, names=names
        )
    if reads:
        lines += ["    try:", *reads, "    except Exception:", "        return None"]
    lines += fixes
    lines.append("    return {" + ", ".join(entries) + "}")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<walker {plan.type.name}>", "exec"), names, namespace)
    walk: Walker = namespace["walk"]
    return walk


def _fix(
    i: int,
    completion: Completion,
    same: type | None,
    *,
    missing_is_null: bool,
    names: dict[str, Any],
) -> list[str]:
    """The checks of value `v{i}`: taken as it is (`same`), null, or converted."""
    v = f"v{i}"
    names[f"c{i}"] = completion
    null = f"{v} = None" if missing_is_null and not completion.non_null else "return None"
    if completion.kind is Kind.LEAF:
        convert = f"{v} = leaf(c{i}, {v})"
    elif completion.kind is Kind.OBJECT:
        names[f"w{i}"] = walker(completion.flat)  # type: ignore[arg-type]
        convert = f"{v} = w{i}({v})"
    else:
        _prepare(completion.of)  # type: ignore[arg-type]
        convert = f"{v} = walk_list(c{i}.of, {v})"
    lines = []
    indent = "    "
    if same is not None:
        names[f"s{i}"] = same
        taken = f"type({v}) is not s{i}"
        if same is int:  # an Int only within 32 bits
            taken = f"type({v}) is not int or not MIN <= {v} <= MAX"
        lines.append(f"    if {taken}:")
        indent = "        "
    return [
        *lines,
        f"{indent}if {v} is None or {v} is Undefined:",
        f"{indent}    {null}",
        f"{indent}else:",
        f"{indent}    {convert}",
        f"{indent}    if {v} is None:",
        f"{indent}        return None",
    ]


def _prepare(completion: Completion) -> None:
    """Generate the walkers a list's items need, so that none is generated mid-request."""
    if completion.kind is Kind.OBJECT:
        walker(completion.flat)  # type: ignore[arg-type]
    elif completion.kind is Kind.LIST:
        _prepare(completion.of)  # type: ignore[arg-type]
