"""A search page's variants: parsed by both adapters, renamed by a mapping, and tagging the cached page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pytest

from backoffice.pim.service import PimService
from connectors.cache import MemoryCache
from connectors.guard import CachePolicy
from connectors.pim.embedded import EmbeddedPimConnector
from connectors.pim.guarded import GuardedPimConnector
from connectors.pim.http import HttpPimConnector
from connectors.pim.records import Category, Product, ProductPage, Variant, VariantDetails
from gateway.bootstrap import build_stack
from tests.backoffice.pim.rows import GTIN_BLACK, GTIN_GREEN
from tests.clocks import ManualClock
from tests.connectors.pim.answers import search_page

pytestmark = pytest.mark.anyio

VARIANT = {
    "id": "V-1",
    "sku": "BAG-001-BLK",
    "gtin": "8712345000011",
    "product_id": "P-1",
    "name": {"en": "Laptop bag black"},
    "attributes": [],
}
PRODUCT = {
    "id": "P-1",
    "sku": "BAG-001",
    "name": {"en": "Laptop bag"},
    "description": {},
    "brand": None,
    "category_ids": [],
    "media": [],
    "variant_ids": ["V-1", "V-2"],
    "complete": True,
}


def test_the_variants_of_every_listed_product_become_the_pages_variants_in_order():
    second = VARIANT | {"id": "V-2", "sku": "BAG-001-GRN", "gtin": None}
    other = PRODUCT | {"id": "P-2", "variant_ids": ["V-3"]}
    third = VARIANT | {"id": "V-3", "sku": "BAG-002", "product_id": "P-2"}

    page = search_page(
        {
            "items": [
                PRODUCT | {"variants": [VARIANT, second], "cursor": "c1"},
                other | {"variants": [third], "cursor": "c2"},
            ],
            "total": 2,
            "has_more": False,
        }
    )

    assert [(v.id, v.gtin) for v in page.variants] == [
        ("V-1", "8712345000011"),
        ("V-2", None),
        ("V-3", "8712345000011"),
    ]


def test_a_page_whose_products_carry_no_variants_has_none():
    page = {"items": [PRODUCT | {"cursor": "c1"}], "total": None, "has_more": False}
    assert search_page(page).variants == ()


@pytest.mark.usefixtures("catalogue")
async def test_the_embedded_adapter_reads_the_pages_variants(sessions):
    pim = EmbeddedPimConnector(PimService(sessions))

    page = await pim.search_products(
        search="laptoptas",
        category_id=None,
        complete_only=False,
        after=None,
        limit=10,
        with_total=False,
    )

    assert [(v.id, v.gtin) for v in page.variants] == [
        ("V-1-BLK", GTIN_BLACK),
        ("V-1-GRN", GTIN_GREEN),
    ]


async def test_the_http_adapter_reads_the_same_variants_as_the_variants_endpoint(backoffice):
    async with backoffice.client("pim") as client:
        pim = HttpPimConnector(client)
        page = await pim.search_products(
            search=None, category_id=None, complete_only=True, after=None, limit=4, with_total=False
        )
        ids = [variant_id for product in page.products for variant_id in product.variant_ids]
        variants = await pim.get_variants(ids)

    assert [variant.id for variant in page.variants] == ids
    assert list(page.variants) == [variants[variant_id] for variant_id in ids]


async def test_a_mapping_renames_the_fields_of_the_embedded_variants_too():
    renames = {"gtin": "ean", "name": "title"}
    their_variant = {renames.get(k, k): v for k, v in VARIANT.items()}
    theirs: dict[str, Any] = {("title" if k == "name" else k): v for k, v in PRODUCT.items()}
    theirs["variants"] = [their_variant]
    theirs["cursor"] = "c1"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": [theirs], "total": None, "has_more": True})

    transport = httpx.MockTransport(answer)
    async with httpx.AsyncClient(transport=transport, base_url="http://pim.test") as client:
        pim = HttpPimConnector(client, mapping={"title": "name", "ean": "gtin"})
        page = await pim.search_products(
            search=None,
            category_id=None,
            complete_only=False,
            after=None,
            limit=1,
            with_total=False,
        )

    assert page.products[0].name == {"en": "Laptop bag"}
    assert [(v.id, v.gtin) for v in page.variants] == [("V-1", "8712345000011")]


class _Pim:
    """A PIM whose search answers one page with two variants, counting the calls."""

    def __init__(self) -> None:
        self.searches = 0

    async def search_products(self, **_: Any) -> ProductPage:
        self.searches += 1
        product = Product("P-1", "BAG-001", {}, {}, None, (), (), ("V-1", "V-2"), True)
        variants = tuple(Variant(v, v, None, "P-1", VariantDetails({}, ())) for v in ("V-1", "V-2"))
        return ProductPage(
            products=(product,), cursors=("c1",), has_more=False, total=1, variants=variants
        )

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]:
        raise NotImplementedError

    get_products_by_sku = get_products

    async def get_variants(self, ids: Sequence[str]) -> Mapping[str, Variant]:
        raise NotImplementedError

    get_variants_by_sku = get_variants_by_gtin = get_variants

    async def get_categories(self, ids: Sequence[str]) -> Mapping[str, Category]:
        raise NotImplementedError


async def test_a_change_to_a_variant_on_a_cached_page_drops_the_page():
    clock = ManualClock()
    cache = MemoryCache(clock=clock)
    inner = _Pim()
    guard = build_stack("pim", cache=cache, clock=clock, timeout=1.0)
    pim = GuardedPimConnector(inner, guard, CachePolicy(ttl=60))

    async def search() -> ProductPage:
        return await pim.search_products(
            search=None, category_id=None, complete_only=True, after=None, limit=1, with_total=False
        )

    await search()
    await search()
    assert inner.searches == 1  # the second came from the cache

    assert await cache.invalidate_tags(["pim:V-2"]) == 1
    page = await search()

    assert inner.searches == 2
    assert [v.id for v in page.variants] == ["V-1", "V-2"]
