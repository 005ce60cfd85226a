"""The PIM adapter that calls a PIM over its REST API (`backoffice/openapi/pim.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from connectors._http import MAX_BATCH, RestSource, keyed
from connectors.pim.mapping import SOURCE, to_category, to_product, to_product_page, to_variant
from connectors.pim.records import Category, Product, ProductPage, Variant
from connectors.pim.wire import search_answer_decoder


class HttpPimConnector:
    """A `PimConnector` over HTTP: one request per batch (per `max_batch` keys).

    The client arrives configured (base URL, auth, timeouts; see `connectors._http.build_client`);
    `mapping` renames the top-level fields of the PIM's documents to the reference names.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        mapping: Mapping[str, str] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._rest = RestSource(client, SOURCE, mapping=mapping, max_batch=max_batch)
        self._search_answer = search_answer_decoder(SOURCE, mapping)

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]:
        docs = await self._rest.items("/pim/v1/products", {"id": ids})
        return keyed(ids, map(to_product, docs), lambda product: product.id)

    async def get_products_by_sku(self, skus: Sequence[str]) -> Mapping[str, Product]:
        docs = await self._rest.items("/pim/v1/products", {"sku": skus})
        return keyed(skus, map(to_product, docs), lambda product: product.sku)

    async def get_variants(self, ids: Sequence[str]) -> Mapping[str, Variant]:
        docs = await self._rest.items("/pim/v1/variants", {"id": ids})
        return keyed(ids, map(to_variant, docs), lambda variant: variant.id)

    async def get_variants_by_sku(self, skus: Sequence[str]) -> Mapping[str, Variant]:
        docs = await self._rest.items("/pim/v1/variants", {"sku": skus})
        return keyed(skus, map(to_variant, docs), lambda variant: variant.sku)

    async def get_variants_by_gtin(self, gtins: Sequence[str]) -> Mapping[str, Variant]:
        docs = await self._rest.items("/pim/v1/variants", {"gtin": gtins})
        return keyed(gtins, map(to_variant, docs), lambda variant: variant.gtin)

    async def get_categories(self, ids: Sequence[str]) -> Mapping[str, Category]:
        docs = await self._rest.items("/pim/v1/categories", {"id": ids})
        return keyed(ids, map(to_category, docs), lambda category: category.id)

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
        answer = await self._rest.get(
            "/pim/v1/products/search",
            {
                "q": search,
                "category_id": category_id,
                "complete_only": complete_only,
                "after": after,
                "limit": limit,
                # Sent only when asked, as a source without counts need not know the parameter.
                "with_total": True if with_total else None,
            },
            decode=self._search_answer,
        )
        return to_product_page(answer)
