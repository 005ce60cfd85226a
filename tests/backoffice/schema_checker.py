"""A small JSON Schema checker for the subset the OpenAPI documents use (no dependency needed)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from backoffice import openapi


def items_schema(system: str, path: str) -> dict[str, Any]:
    return path_schema(system, path, "get")


def path_schema(system: str, path: str, method: str) -> dict[str, Any]:
    operation = openapi.document(system)["paths"][path][method]
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def assert_valid(
    value: Any, schema: dict[str, Any], document: dict[str, Any], at: str = "$"
) -> None:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        assert_valid(value, document["components"]["schemas"][name], document, at)
        return
    if "oneOf" in schema:
        matches = 0
        for option in schema["oneOf"]:
            try:
                assert_valid(value, option, document, at)
            except AssertionError:
                continue
            matches += 1
        assert matches == 1, f"{at}: {value!r} matches {matches} options of oneOf"
        return
    types = schema.get("type")
    if types is not None:
        allowed = types if isinstance(types, list) else [types]
        assert any(_is(value, kind) for kind in allowed), f"{at}: {value!r} is not {allowed}"
    if "enum" in schema:
        assert value in schema["enum"], f"{at}: {value!r} not in {schema['enum']}"
    if isinstance(value, str):
        if "pattern" in schema:
            assert re.search(schema["pattern"], value), f"{at}: {value!r} !~ {schema['pattern']}"
        if schema.get("format") == "date-time":
            assert datetime.fromisoformat(value).tzinfo is not None, f"{at}: {value!r} is naive"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{at}: lacks {sorted(missing)}"
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                assert_valid(item, properties[key], document, f"{at}.{key}")
            elif extra is False:
                raise AssertionError(f"{at}: unexpected field {key!r}")
            elif isinstance(extra, dict):
                assert_valid(item, extra, document, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            assert_valid(item, schema["items"], document, f"{at}[{index}]")


def _is(value: Any, kind: str) -> bool:
    return {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "null": value is None,
    }[kind]
