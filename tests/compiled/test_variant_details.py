"""A search page's variant whose name the PIM sent malformed: an error where the name is read, and only there.

Both executions must agree. `ProductVariant.name` is non-null and so is the listing
(read.graphql), so the error's null reaches the root; a listing that does not show
names is untouched.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from connectors.pim.guarded import GuardedPimConnector
from connectors.pim.mapping import _variant_details
from connectors.pim.records import ProductPage, VariantDetails
from tests.compiled.harness import Pair

pytestmark = pytest.mark.anyio

LISTING = """{ products(first: 3) { edges { node { sku variants { sku gtin %s } } } } }"""


async def test_a_malformed_variant_name_is_a_pim_error_on_that_name(
    pair: Pair, monkeypatch
) -> None:
    search = GuardedPimConnector.search_products

    async def with_a_broken_name(self: GuardedPimConnector, **kwargs: Any) -> ProductPage:
        page = await search(self, **kwargs)
        first, *rest = page.variants
        details = VariantDetails.deferred(
            {"name": ["not", "text"], "attributes": []}, _variant_details
        )
        broken = dataclasses.replace(first, details=details)
        return dataclasses.replace(page, variants=(broken, *rest))

    monkeypatch.setattr(GuardedPimConnector, "search_products", with_a_broken_name)
    expected, got = await pair.both(LISTING % "name")
    without_names = await pair.run(pair.compiled, LISTING % "")

    assert got == expected
    (error,) = got.errors
    assert error["path"] == ["products", "edges", 0, "node", "variants", 0, "name"]
    assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "pim"}
    assert without_names.errors == []
    edges = without_names.data["products"]["edges"]
    assert len(edges) == 3
    assert all(variant["sku"] for edge in edges for variant in edge["node"]["variants"])
