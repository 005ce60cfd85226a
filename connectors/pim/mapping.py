"""Turns the PIM's JSON documents into canonical product records.

The documents are those of `backoffice.pim.service` (its docstring shows one of each kind);
the embedded and the HTTP adapter both parse them here. A document that lacks a field or
has one of the wrong type raises `SourceContractViolation`. A search page arrives decoded
and checked already (`connectors.pim.wire`); the variants its products may embed are
optional, and their names and attributes are read only when asked (`VariantDetails`), so a
malformed one fails only the fields that show it.
"""

from __future__ import annotations

from typing import Any

import msgspec

from connectors._documents import array, boolean, contract, localized, optional, string
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
from connectors.pim.wire import ListedProduct, SearchAnswer

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


def to_product_page(answer: SearchAnswer) -> ProductPage:
    """A decoded search answer (`connectors.pim.wire`, its types already checked) as a page."""
    items = answer.items
    # A listed product may carry its variants (the reference PIM's do); the page keeps
    # them in one tuple. A PIM that sends none leaves the listing to read them itself.
    return ProductPage(
        products=tuple([_listed_product(item) for item in items]),
        cursors=tuple([item.cursor for item in items]),
        has_more=answer.has_more,
        total=answer.total,
        variants=tuple(
            [
                Variant(
                    v.id,
                    v.sku,
                    v.gtin,
                    v.product_id,
                    VariantDetails.deferred((v.name, v.attributes), _raw_details),
                )
                for item in items
                if item.variants is not None
                for v in item.variants
            ]
        ),
    )


def _listed_product(item: ListedProduct) -> Product:
    return Product(
        item.id,
        item.sku,
        item.name,
        item.description,
        item.brand,
        item.category_ids,
        item.media,
        item.variant_ids,
        item.complete,
    )


def _raw_details(
    raw: tuple[msgspec.Raw, msgspec.Raw],
) -> tuple[LocalizedText, tuple[Attribute, ...]]:
    # Well-formed JSON (it was decoded once); its shape is checked here, when first read.
    name, attributes = raw
    return _variant_details(
        {"name": msgspec.json.decode(name), "attributes": msgspec.json.decode(attributes)}
    )
