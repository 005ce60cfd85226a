from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pytest

from connectors.pim.http import HttpPimConnector

pytestmark = pytest.mark.anyio

PRODUCTS = [f"p{n:05d}" for n in range(1, 31)]
VARIANTS = [f"v{n:06d}" for n in range(1, 41)]

CALLS: dict[str, tuple[Callable[[HttpPimConnector], Awaitable[Mapping[str, Any]]], str, int]] = {
    "get_products": (lambda pim: pim.get_products(PRODUCTS), "GET /pim/v1/products", 30),
    "get_products_by_sku": (
        lambda pim: pim.get_products_by_sku([f"P1{n:05d}" for n in range(1, 31)]),
        "GET /pim/v1/products",
        30,
    ),
    "get_variants": (lambda pim: pim.get_variants(VARIANTS), "GET /pim/v1/variants", 40),
    "get_variants_by_sku": (
        lambda pim: pim.get_variants_by_sku(["P100001-WHITE", "P100001-SAND"]),
        "GET /pim/v1/variants",
        2,
    ),
    "get_variants_by_gtin": (
        lambda pim: pim.get_variants_by_gtin(["8712115000012", "8712115000029"]),
        "GET /pim/v1/variants",
        2,
    ),
    "get_categories": (
        lambda pim: pim.get_categories(["c01", "c0101", "c02", "c0201"]),
        "GET /pim/v1/categories",
        4,
    ),
}


@pytest.mark.parametrize("method", CALLS)
async def test_a_batch_of_keys_is_one_request_to_the_pim(backoffice, method):
    call, request, expected = CALLS[method]

    async with backoffice.client("pim") as client:
        found = await call(HttpPimConnector(client))

    assert len(found) == expected
    assert backoffice.requests() == {request: 1}


async def test_a_search_is_one_request_carrying_whole_products(backoffice):
    async with backoffice.client("pim") as client:
        page = await HttpPimConnector(client).search_products(
            search="laptoptas",
            category_id="c04",
            complete_only=True,
            after=None,
            limit=2,
            with_total=True,
        )

    # Best relevance tier first, then by SKU: the three hold "laptoptas" in their names.
    assert ([p.id for p in page.products], page.total, page.has_more) == (
        ["p00002", "p00022"],
        3,
        True,
    )
    assert backoffice.requests() == {"GET /pim/v1/products/search": 1}


async def test_a_search_continues_after_a_cursor_without_counting(backoffice):
    async with backoffice.client("pim") as client:
        pim = HttpPimConnector(client)
        both = await pim.search_products(
            search="laptoptas",
            category_id=None,
            complete_only=True,
            after=None,
            limit=2,
            with_total=False,
        )
        second = await pim.search_products(
            search="laptoptas",
            category_id=None,
            complete_only=True,
            after=both.cursors[0],
            limit=1,
            with_total=False,
        )

    assert (both.total, second.total) == (None, None)
    assert second.products == both.products[1:]
    assert second.cursors == both.cursors[1:]


async def test_a_pim_naming_fields_its_own_way_reads_the_same_with_a_mapping(backoffice):
    async with backoffice.client("pim") as client:
        reference = HttpPimConnector(client)
        products = await reference.get_products(PRODUCTS)
        page = await reference.search_products(
            search="verf",
            category_id=None,
            complete_only=False,
            after=None,
            limit=5,
            with_total=True,
        )

    async with backoffice.renaming("pim", {"name": "title", "complete": "enriched"}) as client:
        theirs = HttpPimConnector(client, mapping={"title": "name", "enriched": "complete"})
        assert await theirs.get_products(PRODUCTS) == products
        assert (
            await theirs.search_products(
                search="verf",
                category_id=None,
                complete_only=False,
                after=None,
                limit=5,
                with_total=True,
            )
            == page
        )
