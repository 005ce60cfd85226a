"""The committed SDL is current, honours the contract, and documents every type and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    find_breaking_changes,
)
from graphql import build_schema as graphql_build_schema

from schema import build_schema

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_CHECK = ROOT.parent / "shared" / "contract" / "check.py"


def test_committed_schema_is_the_printed_schema():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == build_schema().as_str() + "\n", (
        "run: commerce-gateway schema > schema.graphql"
    )


def test_schema_honours_the_whole_contract():
    if not CONTRACT_CHECK.exists():
        pytest.skip("../shared/contract/check.py is not beside this checkout")
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(ROOT / "schema.graphql")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_change_to_the_schema_breaks_a_front_end_written_against_the_contract():
    contract_dir = CONTRACT_CHECK.parent
    if not (contract_dir / "write.graphql").exists():
        pytest.skip("../shared/contract/write.graphql is not beside this checkout")
    contract = graphql_build_schema(
        (contract_dir / "read.graphql").read_text() + (contract_dir / "write.graphql").read_text()
    )
    ours = graphql_build_schema((ROOT / "schema.graphql").read_text())
    breaks = {change.description for change in find_breaking_changes(contract, ours)}
    assert breaks == set()


def test_every_type_field_argument_and_enum_value_has_a_description():
    schema = build_schema()._schema
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, d in graphql_type.values.items() if not d.description]
        if isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []


@pytest.mark.parametrize(
    ("scalar", "url"),
    [
        ("Date", "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"),
        ("DateTime", "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"),
        ("Decimal", "https://speleotrove.com/decimal/daconvs.html"),
    ],
)
def test_date_datetime_and_decimal_say_by_which_spec_they_are_written(scalar, url):
    # Codegen reads specifiedByURL through introspection; without it the type is `unknown`.
    result = build_schema().execute_sync(
        "query($name: String!) { __type(name: $name) { specifiedByURL } }", {"name": scalar}
    )
    assert result.errors is None
    assert result.data == {"__type": {"specifiedByURL": url}}
