from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.db import create_engine, sessionmaker
from backoffice.pim.service import PimService
from connectors.errors import SourceRejected, SourceUnavailable
from connectors.pim.embedded import EmbeddedPimConnector
from connectors.pim.protocol import PimConnector
from tests.backoffice.pim.rows import GTIN_BLACK, GTIN_PAINT

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("catalogue")]


@pytest.fixture
def pim(sessions: async_sessionmaker[AsyncSession]) -> PimConnector:
    # Typed as the port: mypy checks that the adapter implements it.
    connector: PimConnector = EmbeddedPimConnector(PimService(sessions))
    return connector


async def test_products_come_back_as_records_under_the_requested_keys(pim):
    products = await pim.get_products(["P-2", "nope", "P-1"])
    by_sku = await pim.get_products_by_sku(["PAINT-002"])

    assert list(products) == ["P-2", "P-1"]
    assert (products["P-1"].sku, products["P-1"].variant_ids) == ("BAG-001", ("V-1-BLK", "V-1-GRN"))
    assert products["P-1"].media[0].alt == {"nl": "Tas", "en": "Bag"}
    assert {sku: product.complete for sku, product in by_sku.items()} == {"PAINT-002": False}


async def test_variants_are_keyed_by_id_sku_or_gtin(pim):
    by_id = await pim.get_variants(["V-1-GRN", "nope"])
    by_sku = await pim.get_variants_by_sku(["BAG-001-BLK"])
    by_gtin = await pim.get_variants_by_gtin([GTIN_PAINT, GTIN_BLACK, "0000000000000"])

    assert {key: v.sku for key, v in by_id.items()} == {"V-1-GRN": "BAG-001-GRN"}
    assert {key: v.id for key, v in by_sku.items()} == {"BAG-001-BLK": "V-1-BLK"}
    assert {key: v.id for key, v in by_gtin.items()} == {
        GTIN_PAINT: "V-2-1L",
        GTIN_BLACK: "V-1-BLK",
    }


async def test_categories_come_back_as_records(pim):
    categories = await pim.get_categories(["wall-paint", "nope"])

    assert {key: c.parent_id for key, c in categories.items()} == {"wall-paint": "paint"}


async def test_a_search_page_carries_the_products(pim):
    page = await pim.search_products(
        search="paint",
        category_id="home",
        complete_only=True,
        after=None,
        limit=10,
        with_total=True,
    )

    assert ([p.id for p in page.products], page.total, page.has_more) == (["P-2"], 1, False)


async def test_a_request_the_pim_refuses_is_a_rejected_request(pim):
    with pytest.raises(SourceRejected) as caught:
        await pim.search_products(
            search=None, category_id=None, complete_only=False, after="", limit=10, with_total=False
        )

    assert caught.value.source == "pim"


async def test_a_database_failure_makes_the_pim_unavailable():
    engine = create_engine("sqlite+aiosqlite://")  # no tables
    pim = EmbeddedPimConnector(PimService(sessionmaker(engine)))
    try:
        with pytest.raises(SourceUnavailable, match="pim: the embedded pim failed") as caught:
            await pim.get_products(["P-1"])
    finally:
        await engine.dispose()

    assert caught.value.source == "pim"
    assert caught.value.__cause__ is not None
