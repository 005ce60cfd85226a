"""The PIM's search answer as typed shapes, decoded in one pass (`connectors.wire`).

`GET /pim/v1/products/search` answers `{"items": [...], "total": n | null, "has_more": b}`,
each item a product document with its `cursor` and, at the reference PIM, its `variants`
whole. A listing reads the products and the variants' SKU and GTIN: a variant's `name`
and `attributes` stay raw JSON (`msgspec.Raw`) until a field that shows them is read
(`VariantDetails`), so a malformed one fails those fields only. Everything else is checked
as it is decoded: a value of the wrong type, or a missing field, fails the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated

import msgspec

from connectors.pim.records import Media
from connectors.wire import decoder, renamed

__all__ = ["ListedProduct", "ListedVariant", "SearchAnswer", "search_answer_decoder"]


class ListedVariant(msgspec.Struct):
    """A variant as a search page embeds it; name and attributes kept as their JSON."""

    id: str
    sku: str
    gtin: str | None
    product_id: str
    name: msgspec.Raw
    attributes: msgspec.Raw


class ListedProduct(msgspec.Struct):
    """A product document of a search page, with its cursor and, if the PIM sends them, its variants."""

    id: str
    sku: str
    name: dict[str, str]
    description: dict[str, str]
    brand: str | None
    category_ids: tuple[str, ...]
    media: tuple[Media, ...]
    variant_ids: tuple[str, ...]
    complete: bool
    cursor: str
    variants: list[ListedVariant] | None = None


class SearchAnswer(msgspec.Struct):
    """One page of a product search as the PIM answers it."""

    items: list[ListedProduct]
    total: Annotated[int, msgspec.Meta(ge=0)] | None
    has_more: bool


def search_answer_decoder(
    source: str, mapping: Mapping[str, str] | None = None
) -> Callable[[bytes], SearchAnswer]:
    """Decode a search answer of `source`; `mapping` (`{their name: ours}`) renames the documents' fields."""
    type_ = renamed(SearchAnswer, mapping or {}, {ListedProduct, ListedVariant})
    return decoder("product search", source, type_)
