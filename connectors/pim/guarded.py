"""The PIM behind the source guard: products, variants and categories cached per key."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from connectors.guard import CachePolicy, SourceGuard
from connectors.pim.protocol import PimConnector
from connectors.pim.records import Category, Product, ProductPage, Variant
from connectors.trace import Recorder

#: A search as the cache keys it: text, category, complete only, after, limit, with total.
SearchKey = tuple[str, str, bool, str, int, bool]


class GuardedPimConnector:
    """A `PimConnector` whose calls go through a `SourceGuard`."""

    def __init__(self, inner: PimConnector, guard: SourceGuard, policy: CachePolicy) -> None:
        self._inner = inner
        self._guard = guard
        self._policy = policy

    def bound(self, recorder: Recorder) -> GuardedPimConnector:
        """This connector as one request sees it: its calls recorded in `recorder`.

        A copy, so that what was set on the process's connector (a test's fault) holds.
        """
        view = copy.copy(self)
        view._guard = self._guard.bound(recorder)
        return view

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]:
        return await self._guard.batch(
            "products", ids, self._inner.get_products, policy=self._policy
        )

    async def get_products_by_sku(self, skus: Sequence[str]) -> Mapping[str, Product]:
        return await self._guard.batch(
            "products_by_sku", skus, self._inner.get_products_by_sku, policy=self._policy
        )

    async def get_variants(self, ids: Sequence[str]) -> Mapping[str, Variant]:
        return await self._guard.batch(
            "variants", ids, self._inner.get_variants, policy=self._policy
        )

    async def get_variants_by_sku(self, skus: Sequence[str]) -> Mapping[str, Variant]:
        return await self._guard.batch(
            "variants_by_sku", skus, self._inner.get_variants_by_sku, policy=self._policy
        )

    async def get_variants_by_gtin(self, gtins: Sequence[str]) -> Mapping[str, Variant]:
        return await self._guard.batch(
            "variants_by_gtin", gtins, self._inner.get_variants_by_gtin, policy=self._policy
        )

    async def get_categories(self, ids: Sequence[str]) -> Mapping[str, Category]:
        return await self._guard.batch(
            "categories", ids, self._inner.get_categories, policy=self._policy
        )

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
        query: SearchKey = (
            search or "",
            category_id or "",
            complete_only,
            after or "",
            limit,
            with_total,
        )

        async def fetch(keys: list[SearchKey]) -> Mapping[SearchKey, ProductPage]:
            page = await self._inner.search_products(
                search=search,
                category_id=category_id,
                complete_only=complete_only,
                after=after,
                limit=limit,
                with_total=with_total,
            )
            return {query: page}

        # A page is cached like the products on it, and tagged with them and their variants,
        # so that a change to any of them (an invalidation event) drops the page too.
        found = await self._guard.batch(
            "search_products",
            [query],
            fetch,
            policy=self._policy,
            tags_of=lambda _, page: [
                *(f"pim:{product.id}" for product in page.products),
                *(f"pim:{variant.id}" for variant in page.variants),
            ],
        )
        return found[query]
