"""A search page carries its products' whole variants; a batch read of products does not."""

from __future__ import annotations

import pytest

from backoffice.pim.service import PimService
from tests.backoffice import live
from tests.backoffice.pim.rows import GTIN_BLACK, GTIN_GREEN, count_statements

pytestmark = pytest.mark.anyio


@pytest.mark.usefixtures("catalogue")
async def test_each_product_of_a_search_page_carries_its_variants_by_position(sessions, engine):
    service = PimService(sessions)

    with count_statements(engine) as statements:
        page = await service.search_products(category_id="bags")

    (bag,) = page["products"]
    assert bag["variant_ids"] == ["V-1-BLK", "V-1-GRN"]
    assert [(v["id"], v["gtin"]) for v in bag["variants"]] == [
        ("V-1-BLK", GTIN_BLACK),
        ("V-1-GRN", GTIN_GREEN),
    ]
    # The same documents as the variants' batch read.
    by_id = {v["id"]: v for v in await service.get_variants(["V-1-BLK", "V-1-GRN"])}
    assert bag["variants"] == [by_id["V-1-BLK"], by_id["V-1-GRN"]]
    # products (a listing: a search's tiers take more), their categories, their variants
    # (no count: it was not asked for): the variants' statement reads whole rows instead
    # of ids, no statement is added.
    assert len(statements) == 3


@pytest.mark.usefixtures("catalogue")
async def test_a_product_without_variants_lists_none_and_batch_reads_embed_nothing(sessions):
    service = PimService(sessions)

    page = await service.search_products()
    products = await service.get_products(["P-1", "P-3"])

    assert [(p["id"], [v["id"] for v in p["variants"]]) for p in page["products"]] == [
        ("P-1", ["V-1-BLK", "V-1-GRN"]),
        ("P-2", ["V-2-1L"]),
        ("P-3", []),
    ]
    assert all("variants" not in product for product in products)


@pytest.fixture
def backoffice(request, seeded_url):
    return live.running(request, seeded_url)


async def test_the_search_endpoint_serves_the_variants_the_variants_endpoint_serves(backoffice):
    async with backoffice.raw_client() as client:
        search = await client.get(
            "/pim/v1/products/search", params={"limit": 5, "complete_only": "true"}
        )
        search.raise_for_status()
        items = search.json()["items"]
        ids = [variant_id for item in items for variant_id in item["variant_ids"]]
        variants = await client.get("/pim/v1/variants", params={"id": ids})
        products = await client.get("/pim/v1/products", params={"id": [i["id"] for i in items]})

    by_id = {variant["id"]: variant for variant in variants.json()["items"]}
    assert len(items) == 5
    assert len(ids) > 5
    for item in items:
        assert item["variants"] == [by_id[variant_id] for variant_id in item["variant_ids"]]
        assert all(variant["gtin"] for variant in item["variants"])
    assert all("variants" not in product for product in products.json()["items"])
