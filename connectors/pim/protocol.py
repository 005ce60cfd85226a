"""The port of the product information system (PIM)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.pim.records import Category, Product, ProductPage, Variant


class PimConnector(Protocol):
    """Read access to the PIM. Batch-first: unknown keys are absent from the result, not errors."""

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]: ...

    async def get_products_by_sku(self, skus: Sequence[str]) -> Mapping[str, Product]: ...

    async def get_variants(self, ids: Sequence[str]) -> Mapping[str, Variant]: ...

    async def get_variants_by_sku(self, skus: Sequence[str]) -> Mapping[str, Variant]: ...

    async def get_variants_by_gtin(self, gtins: Sequence[str]) -> Mapping[str, Variant]: ...

    async def get_categories(self, ids: Sequence[str]) -> Mapping[str, Category]: ...

    async def search_products(
        self,
        *,
        search: str | None,
        category_id: str | None,
        complete_only: bool,
        after: str | None,
        limit: int,
        with_total: bool,
    ) -> ProductPage:
        """A page of the products matching a free-text search and category.

        Best match first with a search text, else by SKU. The page starts after the
        product whose cursor is `after` (from the start when None), in the source's order;
        its `total` is counted only when `with_total` asks. A source that refuses `after`
        (not a cursor it gave out) raises `SourceRejected`.
        """
        ...
