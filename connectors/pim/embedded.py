"""The PIM adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

import orjson

from backoffice.pim.service import PimService
from connectors._embedded import translate_service_errors
from connectors.pim.mapping import SOURCE, to_category, to_product, to_product_page, to_variant
from connectors.pim.records import Category, Product, ProductPage, Variant
from connectors.pim.wire import search_answer_decoder

R = TypeVar("R")

_search_answer = search_answer_decoder(SOURCE)


class EmbeddedPimConnector:
    """A `PimConnector` over the reference PIM running in this process."""

    def __init__(self, service: PimService) -> None:
        self._service = service

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_products(list(ids))
        return _by_key(ids, map(to_product, docs), lambda product: product.id)

    async def get_products_by_sku(self, skus: Sequence[str]) -> Mapping[str, Product]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_products_by_sku(list(skus))
        return _by_key(skus, map(to_product, docs), lambda product: product.sku)

    async def get_variants(self, ids: Sequence[str]) -> Mapping[str, Variant]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_variants(list(ids))
        return _by_key(ids, map(to_variant, docs), lambda variant: variant.id)

    async def get_variants_by_sku(self, skus: Sequence[str]) -> Mapping[str, Variant]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_variants_by_sku(list(skus))
        return _by_key(skus, map(to_variant, docs), lambda variant: variant.sku)

    async def get_variants_by_gtin(self, gtins: Sequence[str]) -> Mapping[str, Variant]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_variants_by_gtin(list(gtins))
        return _by_key(gtins, map(to_variant, docs), lambda variant: variant.gtin)

    async def get_categories(self, ids: Sequence[str]) -> Mapping[str, Category]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_categories(list(ids))
        return _by_key(ids, map(to_category, docs), lambda category: category.id)

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
        with translate_service_errors(SOURCE):
            doc = await self._service.search_products(
                search=search,
                category_id=category_id,
                complete_only=complete_only,
                after=after,
                limit=limit,
                with_total=with_total,
            )
        # The service's page, encoded as the API would answer it, goes through the same
        # decoding as an HTTP adapter's: one way of checking a page and deferring its variants.
        answer = {"items": doc["products"], "total": doc["total"], "has_more": doc["has_more"]}
        return to_product_page(_search_answer(orjson.dumps(answer)))


def _by_key(
    keys: Sequence[str], records: Iterable[R], key_of: Callable[[R], str | None]
) -> dict[str, R]:
    """The records under the keys as they were asked for; unknown keys stay absent."""
    found = {key_of(record): record for record in records}
    return {key: found[key] for key in keys if key in found}
