"""Canonical product records as the PIM leads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.common import LocalizedText
from connectors.pickling import pickle_by_fields
from connectors.record import record


@record
class Media:
    """An image or video of a product."""

    url: str
    alt: LocalizedText


@record
class Attribute:
    """A descriptive attribute such as colour or size; name and value are localised."""

    code: str
    name: LocalizedText
    value: LocalizedText


@record
class Category:
    """A node of the category tree."""

    id: str
    name: LocalizedText
    parent_id: str | None


@record
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


class VariantDetails:
    """A variant's name and attributes: given, or mapped from the source's document when first read.

    A search page carries its products' variants whole, some 240, and a listing mostly
    shows their SKU and GTIN alone: mapping every variant's localised name and attributes
    was two thirds of mapping the page. `deferred` keeps the document and the function that
    maps it; a document that turns out malformed raises `SourceContractViolation` when read,
    which fails the fields that read it and not the page. Pickled unread, it stays unread.
    Not to be changed once made, like the records that hold it.
    """

    __slots__ = ("_document", "_map", "_value")

    def __init__(self, name: LocalizedText, attributes: tuple[Attribute, ...]) -> None:
        self._value: tuple[LocalizedText, tuple[Attribute, ...]] | None = (name, attributes)
        self._document: object = None
        self._map: Callable[[Any], tuple[LocalizedText, tuple[Attribute, ...]]] | None = None

    @classmethod
    def deferred(
        cls,
        document: object,
        map_: Callable[[Any], tuple[LocalizedText, tuple[Attribute, ...]]],
    ) -> VariantDetails:
        """Details that `map_(document)` gives when first read."""
        details = cls.__new__(cls)
        details._value = None
        details._document = document
        details._map = map_
        return details

    @property
    def name(self) -> LocalizedText:
        return self._mapped()[0]

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        return self._mapped()[1]

    def _mapped(self) -> tuple[LocalizedText, tuple[Attribute, ...]]:
        value = self._value
        if value is None:
            assert self._map is not None
            value = self._value = self._map(self._document)
            self._document = self._map = None
        return value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VariantDetails):
            return NotImplemented
        return self._mapped() == other._mapped()

    __hash__ = None  # type: ignore[assignment]  # holds dicts, as the records do

    def __repr__(self) -> str:
        if self._value is None:
            return "VariantDetails(<unread>)"
        return f"VariantDetails(name={self._value[0]!r}, attributes={self._value[1]!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        if self._value is None:
            return (_unread, (self._document, self._map))
        return (VariantDetails, self._value)


def _unread(
    document: object, map_: Callable[[Any], tuple[LocalizedText, tuple[Attribute, ...]]]
) -> VariantDetails:
    return VariantDetails.deferred(document, map_)


@record
class Variant:
    """A sellable variant (colour/size) of a product, identified by SKU and GTIN-13."""

    id: str
    sku: str
    gtin: str | None
    product_id: str
    details: VariantDetails

    @property
    def name(self) -> LocalizedText:
        return self.details.name

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        return self.details.attributes


@record
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
