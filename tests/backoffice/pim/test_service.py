from __future__ import annotations

from typing import Any

import pytest

from backoffice.errors import InvalidRequest
from backoffice.pim.service import PimService
from tests.backoffice.pim.rows import GTIN_BLACK, GTIN_PAINT, count_statements

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("catalogue")]


async def test_a_product_document_holds_categories_media_and_variants_by_position(sessions):
    # when
    docs = await PimService(sessions).get_products(["P-1"])

    # then
    assert docs == [
        {
            "id": "P-1",
            "sku": "BAG-001",
            "name": {"nl": "Laptoptas Urban", "en": "Urban laptop bag"},
            "description": {"nl": "Over Laptoptas Urban", "en": "About Urban laptop bag"},
            "brand": "Vandenberg",
            "category_ids": ["bags"],
            "media": [
                {"url": "https://cdn.example/bag-001.jpg", "alt": {"nl": "Tas", "en": "Bag"}}
            ],
            "variant_ids": ["V-1-BLK", "V-1-GRN"],
            "complete": True,
        }
    ]


async def test_unknown_products_are_missing_and_a_product_may_have_no_variants(sessions):
    docs = await PimService(sessions).get_products(["P-3", "nope"])

    assert [(d["id"], d["category_ids"], d["variant_ids"], d["complete"]) for d in docs] == [
        ("P-3", ["paint"], [], False)
    ]


async def test_a_batch_of_products_takes_one_statement_per_table(sessions, engine):
    service = PimService(sessions)

    with count_statements(engine) as statements:
        docs = await service.get_products(["P-1", "P-2", "P-3", "P-1"])

    assert sorted(d["id"] for d in docs) == ["P-1", "P-2", "P-3"]
    assert len(statements) == 3  # products, their categories, their variants
    assert next(d for d in docs if d["id"] == "P-2")["category_ids"] == ["home", "wall-paint"]


async def test_products_are_found_by_sku(sessions):
    docs = await PimService(sessions).get_products_by_sku(["PAINT-001", "BAG-001", "NOPE"])

    assert sorted(d["sku"] for d in docs) == ["BAG-001", "PAINT-001"]


async def test_a_variant_document_holds_its_product_and_attributes(sessions, engine):
    with count_statements(engine) as statements:
        docs = await PimService(sessions).get_variants(["V-1-BLK", "nope"])

    assert docs == [
        {
            "id": "V-1-BLK",
            "sku": "BAG-001-BLK",
            "gtin": GTIN_BLACK,
            "product_id": "P-1",
            "name": {"nl": "BAG-001-BLK nl", "en": "BAG-001-BLK en"},
            "attributes": [
                {
                    "code": "colour",
                    "name": {"nl": "Kleur", "en": "Colour"},
                    "value": {"nl": "zwart", "en": "black"},
                }
            ],
        }
    ]
    assert len(statements) == 1


async def test_variants_are_found_by_sku_and_by_gtin(sessions):
    service = PimService(sessions)

    by_sku = await service.get_variants_by_sku(["BAG-001-GRN", "PAINT-001-1L", "NOPE"])
    by_gtin = await service.get_variants_by_gtin([GTIN_PAINT, "8712345999999"])

    assert sorted(d["id"] for d in by_sku) == ["V-1-GRN", "V-2-1L"]
    assert [d["id"] for d in by_gtin] == ["V-2-1L"]


async def test_categories_name_their_parent(sessions):
    docs = await PimService(sessions).get_categories(["paint", "home", "nope"])

    assert sorted(docs, key=lambda d: d["id"]) == [
        {"id": "home", "name": {"nl": "Wonen", "en": "Home"}, "parent_id": None},
        {"id": "paint", "name": {"nl": "Verf", "en": "Paint"}, "parent_id": "home"},
    ]


async def test_empty_batches_ask_nothing_of_the_database(sessions, engine):
    service = PimService(sessions)

    with count_statements(engine) as statements:
        results = [
            await service.get_products([]),
            await service.get_products_by_sku([]),
            await service.get_variants([]),
            await service.get_variants_by_gtin([]),
            await service.get_categories([]),
        ]

    assert results == [[], [], [], [], []]
    assert statements == []


def ids(page: dict[str, Any]) -> list[str]:
    return [product["id"] for product in page["products"]]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("urban", ["P-1"]),
        ("URBAN Bag", ["P-1"]),
        ("flexa", ["P-2", "P-3"]),
        ("paint-00", ["P-2", "P-3"]),
        ("urban paint", []),
        ("paint-0%1", []),  # % and _ are literal, not LIKE wildcards
        # Punctuation separates the parts of a word: "bag" and "001" both occur in BAG-001.
        ("bag_001", ["P-1"]),
        ("   ", ["P-1", "P-2", "P-3"]),
        (None, ["P-1", "P-2", "P-3"]),
    ],
)
async def test_search_matches_every_word(sessions, search, expected):
    page = await PimService(sessions).search_products(search=search, with_total=True)

    # The order of the matches is their relevance (tests/backoffice/pim/test_search.py).
    assert sorted(ids(page)) == expected
    assert page["total"] == len(expected)


async def test_without_a_search_text_the_products_come_in_sku_order(sessions):
    page = await PimService(sessions).search_products(search=" ")

    assert [p["sku"] for p in page["products"]] == ["BAG-001", "PAINT-001", "PAINT-002"]


@pytest.mark.parametrize(
    ("category_id", "expected"),
    [("wall-paint", ["P-2"]), ("paint", ["P-2", "P-3"]), ("home", ["P-2", "P-3"]), ("x", [])],
)
async def test_a_category_matches_the_products_of_every_category_below_it(
    sessions, category_id, expected
):
    page = await PimService(sessions).search_products(category_id=category_id)

    assert ids(page) == expected


async def test_search_can_leave_out_incomplete_products(sessions):
    page = await PimService(sessions).search_products(
        search="flexa", complete_only=True, with_total=True
    )

    assert (ids(page), page["total"]) == (["P-2"], 1)


async def test_an_offset_page_still_works_and_counts_when_asked(sessions, engine):
    with count_statements(engine) as statements:
        page = await PimService(sessions).search_products(offset=1, limit=1, with_total=True)

    assert (page["total"], page["has_more"]) == (3, True)
    assert [(p["id"], p["variant_ids"]) for p in page["products"]] == [("P-2", ["V-2-1L"])]
    assert len(statements) == 4  # products, count, their categories, their variants


async def test_a_page_past_the_end_is_empty_but_counts(sessions):
    page = await PimService(sessions).search_products(offset=10, limit=5, with_total=True)

    assert page == {"products": [], "total": 3, "has_more": False}


@pytest.mark.parametrize(("offset", "limit"), [(-1, 10), (0, -1), (0, 501)])
async def test_a_page_out_of_bounds_is_an_invalid_request(sessions, offset, limit):
    with pytest.raises(InvalidRequest, match="offset must be 0 or more"):
        await PimService(sessions).search_products(offset=offset, limit=limit)
