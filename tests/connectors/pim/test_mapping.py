from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from connectors.errors import SourceContractViolation
from connectors.pim.mapping import to_category, to_product, to_variant
from connectors.pim.records import (
    Attribute,
    Category,
    Media,
    Product,
    ProductPage,
    Variant,
    VariantDetails,
)
from tests.connectors.pim.answers import search_page

PRODUCT = {
    "id": "P-1",
    "sku": "BAG-001",
    "name": {"nl": "Laptoptas", "en": "Laptop bag"},
    "description": {"nl": "Waterdicht", "en": "Waterproof"},
    "brand": None,
    "category_ids": ["bags"],
    "media": [{"url": "https://cdn.example/1.jpg", "alt": {"en": "Bag"}}],
    "variant_ids": ["V-1", "V-2"],
    "complete": True,
}
VARIANT = {
    "id": "V-1",
    "sku": "BAG-001-BLK",
    "gtin": None,
    "product_id": "P-1",
    "name": {"en": "Laptop bag black"},
    "attributes": [{"code": "colour", "name": {"en": "Colour"}, "value": {"en": "black"}}],
}


def test_a_product_document_becomes_a_product():
    assert to_product(PRODUCT) == Product(
        id="P-1",
        sku="BAG-001",
        name={"nl": "Laptoptas", "en": "Laptop bag"},
        description={"nl": "Waterdicht", "en": "Waterproof"},
        brand=None,
        category_ids=("bags",),
        media=(Media(url="https://cdn.example/1.jpg", alt={"en": "Bag"}),),
        variant_ids=("V-1", "V-2"),
        complete=True,
    )


def test_a_variant_document_becomes_a_variant():
    assert to_variant(VARIANT) == Variant(
        id="V-1",
        sku="BAG-001-BLK",
        gtin=None,
        product_id="P-1",
        details=VariantDetails(
            name={"en": "Laptop bag black"},
            attributes=(Attribute(code="colour", name={"en": "Colour"}, value={"en": "black"}),),
        ),
    )


def test_a_category_and_a_page_become_records():
    category = to_category({"id": "bags", "name": {"en": "Bags"}, "parent_id": None})
    page = search_page({"items": [PRODUCT | {"cursor": "c1"}], "total": 7, "has_more": True})
    uncounted = search_page({"items": [], "total": None, "has_more": False})

    assert category == Category(id="bags", name={"en": "Bags"}, parent_id=None)
    assert page == ProductPage(
        products=(to_product(PRODUCT),), cursors=("c1",), has_more=True, total=7
    )
    assert uncounted == ProductPage(products=(), cursors=(), has_more=False, total=None)


LISTED = PRODUCT | {"cursor": "c1"}


def broken(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(PRODUCT)
    for key, value in changes.items():
        if value is ...:
            del doc[key]
        else:
            doc[key] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (broken(sku=...), "lacks the field 'sku'"),
        (broken(sku=12), "expected a string"),
        (broken(name="Laptop bag"), "expected localised text"),
        (broken(name={"en": None}), "expected a string"),
        (broken(complete="yes"), "expected a boolean"),
        (broken(variant_ids="V-1"), "expected a list"),
        (broken(media=[{"alt": {}}]), "lacks the field 'url'"),
        ("not a document", "malformed"),
    ],
)
def test_a_broken_product_document_is_a_contract_violation(doc, message):
    with pytest.raises(SourceContractViolation, match=message) as caught:
        to_product(doc)

    assert caught.value.source == "pim"


@pytest.mark.parametrize(
    "doc",
    [
        {"items": [LISTED], "has_more": False},
        {"items": [LISTED], "total": 1},
        {"items": [LISTED], "total": "1", "has_more": False},
        {"items": [LISTED], "total": True, "has_more": False},
        {"items": [LISTED], "total": 1, "has_more": "no"},
        {"items": [PRODUCT], "total": 1, "has_more": False},  # no cursor
        {"items": [LISTED | {"cursor": 3}], "total": 1, "has_more": False},
        {"items": [broken(id=...) | {"cursor": "c1"}], "total": 1, "has_more": False},
        {"items": [LISTED], "total": -1, "has_more": False},
        {"items": [LISTED | {"name": {"en": None}}], "total": 1, "has_more": False},
        {"items": [LISTED | {"media": [{"alt": {}}]}], "total": 1, "has_more": False},
        {
            "items": [LISTED | {"variants": [VARIANT | {"gtin": 8712}]}],
            "total": 1,
            "has_more": False,
        },
        [LISTED],
    ],
)
def test_a_broken_page_is_a_contract_violation(doc):
    with pytest.raises(SourceContractViolation):
        search_page(doc)


def test_a_pages_variants_map_their_name_and_attributes_when_first_read():
    page = search_page({"items": [LISTED | {"variants": [VARIANT]}], "total": 1, "has_more": False})
    (variant,) = page.variants

    assert repr(variant.details) == "VariantDetails(<unread>)"
    assert variant.attributes == to_variant(VARIANT).attributes
    assert variant == to_variant(VARIANT)
    assert repr(variant.details).startswith("VariantDetails(name={'en': 'Laptop bag black'}")


def test_a_malformed_name_on_a_page_fails_when_read_and_not_before():
    bad = VARIANT | {"name": "Laptop bag black"}
    page = search_page({"items": [LISTED | {"variants": [bad]}], "total": 1, "has_more": False})
    (variant,) = page.variants

    assert (variant.sku, variant.gtin) == ("BAG-001-BLK", None)
    with pytest.raises(SourceContractViolation, match="variant document is malformed") as caught:
        variant.name  # noqa: B018
    assert caught.value.source == "pim"
    # The identifying fields are still checked with the page.
    with pytest.raises(
        SourceContractViolation,
        match=r"missing required field `sku` - at `\$.items\[0\].variants\[0\]`",
    ):
        search_page(
            {"items": [LISTED | {"variants": [broken_variant]}], "total": 1, "has_more": False}
        )


broken_variant = {key: value for key, value in VARIANT.items() if key != "sku"}


def test_details_pickle_unread_as_their_document_and_read_as_their_values():
    page = search_page({"items": [LISTED | {"variants": [VARIANT]}], "total": 1, "has_more": False})
    unread = pickle.loads(pickle.dumps(page))
    (variant,) = unread.variants
    assert repr(variant.details) == "VariantDetails(<unread>)"
    assert variant == to_variant(VARIANT)

    read = pickle.loads(pickle.dumps(variant))
    assert repr(read.details) != "VariantDetails(<unread>)"
    assert read == to_variant(VARIANT)
