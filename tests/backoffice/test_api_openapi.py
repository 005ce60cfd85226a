"""The back office's OpenAPI documents: committed, complete, self-consistent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Mount, Route

from backoffice import openapi
from backoffice.db import create_engine
from backoffice.http import create_app
from backoffice.rest import SYSTEMS
from tests.backoffice import live
from tests.backoffice.schema_checker import assert_valid

pytestmark = pytest.mark.anyio


def test_the_committed_openapi_documents_are_up_to_date():
    assert openapi.stale() == [], "run: .venv/bin/python -m backoffice.openapi"


def _documented(system: str) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in openapi.document(system)["paths"].items()
        for method in item
    }


def _served(system: str) -> set[tuple[str, str]]:
    app = create_app(create_engine("sqlite+aiosqlite://"), systems=[system], clock=live.CLOCK)
    served = set()
    for mount in app.routes:
        if not isinstance(mount, Mount):
            continue
        inner: Any = mount.app
        while not hasattr(inner, "routes"):
            inner = inner._app  # the fault and auth middlewares
        for route in inner.routes:
            assert isinstance(route, Route)
            if route.path != "/openapi.json":
                served |= {
                    (method, mount.path + route.path)
                    for method in route.methods or ()
                    if method != "HEAD"
                }
    return served


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_openapi_document_describes_exactly_the_routes_served(system):
    assert _documented(system) == _served(system)


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_openapi_document_is_well_formed(system):
    document = openapi.document(system)

    assert document["openapi"] == "3.1.0"
    assert {"title", "version"} <= set(document["info"])
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([A-Za-z]+)"', openapi.render(system)))
    assert refs <= set(document["components"]["schemas"]), "every $ref resolves"
    operation_ids = [
        op["operationId"] for item in document["paths"].values() for op in item.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))
    for path, item in document["paths"].items():
        assert path.startswith(f"/{system}/v1/")
        for operation in item.values():
            assert "200" in operation["responses"]
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in ("query", "path")
                if parameter["in"] == "path":
                    assert f"{{{parameter['name']}}}" in path
                    assert parameter["required"] is True
                assert "schema" in parameter


def test_the_schema_checker_catches_drift():
    document = openapi.document("loyalty")
    account = {"$ref": "#/components/schemas/Account"}

    assert_valid({"customer_id": "cu1", "card_number": "26", "points": 3}, account, document)
    for wrong in (
        {"customer_id": "cu1", "card_number": "26"},
        {"customer_id": "cu1", "card_number": "26", "points": "3"},
        {"customer_id": "cu1", "card_number": "26", "points": 3, "tier": "GOLD"},
    ):
        with pytest.raises(AssertionError):
            assert_valid(wrong, account, document)
