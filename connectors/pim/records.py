"""Canonical product records as the PIM leads them."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.common import LocalizedText
from connectors.pickling import pickle_by_fields


@dataclass(frozen=True, slots=True)
class Media:
    """An image or video of a product."""

    url: str
    alt: LocalizedText


@dataclass(frozen=True, slots=True)
class Attribute:
    """A descriptive attribute such as colour or size; name and value are localised."""

    code: str
    name: LocalizedText
    value: LocalizedText


@dataclass(frozen=True, slots=True)
class Category:
    """A node of the category tree."""

    id: str
    name: LocalizedText
    parent_id: str | None


@dataclass(frozen=True, slots=True)
class Product:
    """A product (style) with its variants' ids; `complete` is false while mandatory data is missing."""

    id: str
    sku: str
    name: LocalizedText
    description: LocalizedText
    brand: str | None
    category_ids: tuple[str, ...]
    media: tuple[Media, ...]
    variant_ids: tuple[str, ...]
    complete: bool


@dataclass(frozen=True, slots=True)
class Variant:
    """A sellable variant (colour/size) of a product, identified by SKU and GTIN-13."""

    id: str
    sku: str
    gtin: str | None
    product_id: str
    name: LocalizedText
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True, slots=True)
class ProductPage:
    """One page of a product search: the products in order, each one's cursor, and what follows.

    `cursors[i]` is the source's opaque token for `products[i]`: searching `after` it
    continues right after that product. `has_more` says whether products follow the page;
    `total` is the number of matches in all pages when the search was asked to count
    them, else None. `variants` are those of the page's products, which a listing shows
    without a second call; empty where the source does not send them.
    """

    products: tuple[Product, ...]
    cursors: tuple[str, ...]
    has_more: bool
    total: int | None = None
    variants: tuple[Variant, ...] = ()


# Pickled in the shared cache as their fields (connectors.pickling).
pickle_by_fields(__name__)
