"""Turns the PIM's JSON documents into canonical product records.

The documents are those of `backoffice.pim.service` (its docstring shows one of each kind);
the embedded and the HTTP adapter both parse them here. A document that lacks a field or
has one of the wrong type raises `SourceContractViolation`; the variants a search page's
products may embed are optional, and their names and attributes are read only when asked
(`VariantDetails`), so a malformed one fails only the fields that show it.
"""

from __future__ import annotations

from typing import Any

from connectors._documents import array, boolean, contract, integer, localized, optional, string
from connectors.common import LocalizedText
from connectors.pim.records import (
    Attribute,
    Category,
    Media,
    Product,
    ProductPage,
    Variant,
    VariantDetails,
)

SOURCE = "pim"


def to_product(doc: Any) -> Product:
    with contract(SOURCE, "product"):
        return Product(
            id=string(doc["id"]),
            sku=string(doc["sku"]),
            name=localized(doc["name"]),
            description=localized(doc["description"]),
            brand=optional(string, doc["brand"]),
            category_ids=tuple([string(id_) for id_ in array(doc["category_ids"])]),
            media=tuple(
                [
                    Media(url=string(item["url"]), alt=localized(item["alt"]))
                    for item in array(doc["media"])
                ]
            ),
            variant_ids=tuple([string(id_) for id_ in array(doc["variant_ids"])]),
            complete=boolean(doc["complete"]),
        )


def to_variant(doc: Any) -> Variant:
    """A variant looked up by key: its name and attributes mapped at once."""
    with contract(SOURCE, "variant"):
        return _variant(doc, VariantDetails(*_variant_details(doc)))


def to_listed_variant(doc: Any) -> Variant:
    """A variant embedded in a search page: its name and attributes mapped when first read."""
    with contract(SOURCE, "variant"):
        return _variant(doc, VariantDetails.deferred(doc, _variant_details))


def _variant(doc: Any, details: VariantDetails) -> Variant:
    return Variant(
        id=string(doc["id"]),
        sku=string(doc["sku"]),
        gtin=optional(string, doc["gtin"]),
        product_id=string(doc["product_id"]),
        details=details,
    )


def _variant_details(doc: Any) -> tuple[LocalizedText, tuple[Attribute, ...]]:
    with contract(SOURCE, "variant"):
        return localized(doc["name"]), tuple(
            [
                Attribute(
                    code=string(item["code"]),
                    name=localized(item["name"]),
                    value=localized(item["value"]),
                )
                for item in array(doc["attributes"])
            ]
        )


def to_category(doc: Any) -> Category:
    with contract(SOURCE, "category"):
        return Category(
            id=string(doc["id"]),
            name=localized(doc["name"]),
            parent_id=optional(string, doc["parent_id"]),
        )


def to_product_page(doc: Any) -> ProductPage:
    with contract(SOURCE, "product page"):
        items = array(doc["products"])
        # Lists, not generators, inside tuple(): a page maps some 300 records.
        products = tuple([to_product(item) for item in items])
        cursors = tuple([string(item["cursor"]) for item in items])
        total = optional(_count, doc["total"])
        # A listed product may carry its variants (the reference PIM's do); the page keeps
        # them in one tuple. A PIM that sends none leaves the listing to read them itself.
        variants = tuple(
            [
                to_listed_variant(v)
                for item in items
                if "variants" in item
                for v in array(item["variants"])
            ]
        )
        return ProductPage(
            products=products,
            cursors=cursors,
            has_more=boolean(doc["has_more"]),
            total=total,
            variants=variants,
        )


def _count(value: object) -> int:
    return integer(value, expected="a count", minimum=0)
