"""The seeded catalogue, prices and stock: valid, bilingual, and telling the journeys' stories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from backoffice.seed import (
    BIKINI_LOW_STOCK_VARIANT_ID,
    BIKINI_PRODUCT_ID,
    BIKINI_STORE_ID,
    HOME_STORE_ID,
    LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID,
    LAPTOP_BAG_PRODUCT_ID,
    PAINT_PRODUCT_ID,
    PAINT_PROMOTION_ID,
    PAINT_VARIANT_ID,
)
from kernel.gtin import is_valid_gtin
from tests.backoffice.seed.dumps import NOW, rows

pytestmark = pytest.mark.anyio


# catalogue


async def test_every_gtin_is_valid_and_unique(small):
    variants = rows(small[1], "pim_variant")
    gtins = [v["gtin"] for v in variants]

    assert all(is_valid_gtin(g) and len(g) == 13 and g.startswith("871") for g in gtins)
    assert len(set(gtins)) == len(gtins)
    assert len({v["sku"] for v in variants}) == len(variants)


async def test_products_are_bilingual_and_searchable(small):
    for product in rows(small[1], "pim_product"):
        assert set(product["name"]) == set(product["description"]) == {"nl", "en"}
        assert product["search_text"] == product["search_text"].lower()
        for word in (
            product["sku"],
            product["brand"],
            product["name"]["nl"],
            product["name"]["en"],
        ):
            assert word.lower() in product["search_text"]
        for n, media in enumerate(product["media"], start=1):
            assert media["url"] == f"/media/{product['sku']}-{n}.jpg"
            assert set(media["alt"]) == {"nl", "en"}
        assert product["complete"] == bool(product["media"])


async def test_variants_carry_localised_attributes(small):
    paint = [v for v in rows(small[1], "pim_variant") if v["product_id"] == PAINT_PRODUCT_ID]

    assert paint[0]["id"] == PAINT_VARIANT_ID
    assert paint[0]["sku"] == "P100001-WHITE"
    assert paint[0]["attributes"] == [
        {
            "code": "colour",
            "name": {"nl": "Kleur", "en": "Colour"},
            "value": {"nl": "Wit", "en": "White"},
        }
    ]


async def test_categories_form_a_two_level_tree(small):
    categories = {c["id"]: c for c in rows(small[1], "pim_category")}
    links = rows(small[1], "pim_product_category")

    assert all(
        categories[c["parent_id"]]["parent_id"] is None
        for c in categories.values()
        if c["parent_id"]
    )
    assert all(categories[link["category_id"]]["parent_id"] for link in links)
    assert categories["c02"]["name"] == {"nl": "Klussen & verf", "en": "DIY & paint"}


# prices


async def test_every_variant_has_a_default_price_and_an_item(small):
    data = small[1]
    variants = {v["id"]: v for v in rows(data, "pim_variant")}
    prices = rows(data, "price_list_price")
    defaults = {p["variant_id"]: p["amount"] for p in prices if p["channel"] == "DEFAULT"}
    webs = {p["variant_id"]: p["amount"] for p in prices if p["channel"] == "WEB"}
    categories = {c["id"]: c["parent_id"] for c in rows(data, "pim_category")}

    assert defaults.keys() == variants.keys()
    assert all(Decimal("4.95") <= a <= Decimal("249.00") for a in defaults.values())
    assert {str(a)[-3:] for a in defaults.values()} <= {".99", ".95", ".00"}
    assert all(webs[v] < defaults[v] for v in webs)
    for item in rows(data, "price_item"):
        assert item["product_id"] == variants[item["variant_id"]]["product_id"]
        leaf, parent = item["category_ids"]
        assert categories[leaf] == parent


async def test_paint_is_three_for_two_across_channels_this_week(small):
    promotions = {p["id"]: p for p in rows(small[1], "price_promotion")}
    paint = promotions[PAINT_PROMOTION_ID]

    assert (paint["kind"], paint["buy_quantity"], paint["pay_quantity"]) == ("MULTI_BUY", 3, 2)
    assert paint["product_ids"] == [PAINT_PRODUCT_ID]
    assert paint["cross_channel"] is True
    assert paint["channels"] == ["WEB", "APP", "STORE"]
    assert paint["starts_at"] <= NOW < paint["ends_at"]
    assert any(p["tiers"] == ["GOLD"] and p["kind"] == "PERCENT" for p in promotions.values())
    assert any(p["ends_at"] <= datetime(2026, 11, 1, tzinfo=UTC) for p in promotions.values())
    assert any(p["starts_at"] > NOW for p in promotions.values())


# stock


async def test_stock_tells_the_laptop_bag_and_bikini_stories(small):
    stock = {
        (s["variant_id"], s["location_id"]): s["quantity"] for s in rows(small[1], "inv_stock")
    }
    variants = {v["id"]: v for v in rows(small[1], "pim_variant")}
    stores = [f"s{n:02d}" for n in range(1, 15)]

    assert variants[LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID]["product_id"] == LAPTOP_BAG_PRODUCT_ID
    assert stock[LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID, HOME_STORE_ID] == 0
    assert sum(stock.get((LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID, s), 0) > 0 for s in stores) >= 3
    assert variants[BIKINI_LOW_STOCK_VARIANT_ID]["product_id"] == BIKINI_PRODUCT_ID
    assert variants[BIKINI_LOW_STOCK_VARIANT_ID]["sku"] == "P100003-CORAL-38"
    assert stock[BIKINI_LOW_STOCK_VARIANT_ID, BIKINI_STORE_ID] == 1
    assert all(stock[BIKINI_LOW_STOCK_VARIANT_ID, s] >= 3 for s in stores if s != BIKINI_STORE_ID)


async def test_stock_is_fresh_and_mostly_present(small):
    stock = rows(small[1], "inv_stock")
    variants = len(small[1]["pim_variant"])

    assert 0.6 * 16 * variants < len(stock) < 16 * variants
    assert all(NOW - timedelta(hours=6) <= s["updated_at"] < NOW for s in stock)
    assert any(s["quantity"] == 0 for s in stock)
    assert min(s["quantity"] for s in stock if s["location_id"] == "dc1" and s["quantity"]) >= 20
