"""The PIM's service layer: batch reads of products, variants and categories, and product search.

Every method returns JSON-compatible documents, the same ones the PIM's REST API serves,
so the embedded and the HTTP connector parse identical input. A product::

    {
        "id": "P-1001",
        "sku": "BAG-1001",
        "name": {"nl": "Laptoptas Urban", "en": "Urban laptop bag"},
        "description": {"nl": "Waterafstotend.", "en": "Water-repellent."},
        "brand": "Vandenberg",
        "category_ids": ["bags", "laptop-bags"],
        "media": [{"url": "https://cdn.example/bag-1001.jpg", "alt": {"nl": "Tas", "en": "Bag"}}],
        "variant_ids": ["V-1001-BLK", "V-1001-GRN"],
        "complete": true
    }

A variant (`variant_ids` of its product are ordered by position)::

    {
        "id": "V-1001-BLK",
        "sku": "BAG-1001-BLK",
        "gtin": "8712345000011",
        "product_id": "P-1001",
        "name": {"nl": "Laptoptas Urban zwart", "en": "Urban laptop bag black"},
        "attributes": [
            {"code": "colour", "name": {"nl": "Kleur", "en": "Colour"},
             "value": {"nl": "zwart", "en": "black"}}
        ]
    }

A category::

    {"id": "laptop-bags", "name": {"nl": "Laptoptassen", "en": "Laptop bags"}, "parent_id": "bags"}

A page of search results (`products` holds product documents as above, with a search
text best relevance tier first, then by SKU, else in SKU order, each with a `variants`
list: its whole variant documents in `variant_ids` order, and a `cursor`: the token to
pass as `after` to continue after it)::

    {"products": [{"id": "P-1001", "sku": "BAG-1001", ..., "variants": [{"id": "V-1001-BLK", ...}],
                   "cursor": "WyJCQUctMTAwMSIsIlAtMTAwMSJd"}],
     "total": null,
     "has_more": true}

`total` is the number of matches in all pages when the search was asked for it
(`with_total`), else null: counting every match is most of the cost of a large listing.
`has_more` says whether more products follow the page.

Only a search page embeds the variants: a listing shows them (a GTIN, a size) and would
otherwise need a second round trip; a batch read of products stays lean.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from backoffice.errors import InvalidRequest
from backoffice.keyset import Keyset
from backoffice.pim.models import Category, Product, Variant, product_category
from backoffice.pim.search import product_search
from backoffice.pim.tiered import BY_SKU, read_page

#: A JSON-compatible document as the PIM's API serves it.
Document = dict[str, Any]

#: The largest page `search_products` serves; deeper listings page with `after`.
MAX_PAGE_SIZE = 500


class PimService:
    """Read access to the PIM's catalogue; one SQL statement per table per batch, never one per row."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get_products(self, ids: Sequence[str]) -> list[Document]:
        """The products with these ids; unknown ids are missing from the list."""
        return await self._products(Product.id, ids)

    async def get_products_by_sku(self, skus: Sequence[str]) -> list[Document]:
        """The products with these SKUs; unknown SKUs are missing from the list."""
        return await self._products(Product.sku, skus)

    async def get_variants(self, ids: Sequence[str]) -> list[Document]:
        """The variants with these ids; unknown ids are missing from the list."""
        return await self._variants(Variant.id, ids)

    async def get_variants_by_sku(self, skus: Sequence[str]) -> list[Document]:
        """The variants with these SKUs; unknown SKUs are missing from the list."""
        return await self._variants(Variant.sku, skus)

    async def get_variants_by_gtin(self, gtins: Sequence[str]) -> list[Document]:
        """The variants with these GTINs; unknown GTINs are missing from the list."""
        return await self._variants(Variant.gtin, gtins)

    async def get_categories(self, ids: Sequence[str]) -> list[Document]:
        """The categories with these ids; unknown ids are missing from the list."""
        if not ids:
            return []
        async with self._sessions() as session:
            rows = await session.scalars(select(Category).where(Category.id.in_(set(ids))))
            return [_category_document(row) for row in rows]

    async def search_products(
        self,
        *,
        search: str | None = None,
        category_id: str | None = None,
        complete_only: bool = False,
        after: str | None = None,
        offset: int = 0,
        limit: int = 20,
        with_total: bool = False,
    ) -> Document:
        """One page of the products matching every word of `search` and the category.

        The page is in SKU order, or with a search text best relevance tier first, then by
        SKU (the rules are `backoffice.pim.search`'s, the reading `backoffice.pim.tiered`'s). A category matches its own products and those
        of every category below it. The page carries whole product documents with their
        whole variants, saving the caller a second and a third round trip. It starts after
        the product whose `cursor` is `after` (a keyset over the order, the tier included:
        the index finds the place, however deep), or past `offset` products (read and
        dropped: kept for callers that page that way). One row more than `limit` is read,
        to say whether more follow; the matches are counted only when `with_total` asks.
        """
        if offset < 0 or not 0 <= limit <= MAX_PAGE_SIZE:
            raise InvalidRequest(
                f"offset must be 0 or more and limit between 0 and {MAX_PAGE_SIZE};"
                f" got offset={offset}, limit={limit}"
            )
        if after is not None and offset:
            raise InvalidRequest("give after or offset, not both")
        conditions = _search_conditions(category_id, complete_only)
        async with self._sessions() as session:
            text = await product_search(search, session)
            if text is None:
                found = await _listing_page(session, conditions, after, offset, limit)
            else:
                found = await read_page(
                    session, text, conditions, after=after, offset=offset, limit=limit
                )
                conditions.append(text.condition)
            has_more = len(found) > limit
            found = found[:limit]
            total: int | None = None
            if with_total and after is None and not offset and not has_more:
                total = len(found)  # the page holds every match: nothing left to count
            elif with_total:
                total = await session.scalar(select(func.count(Product.id)).where(*conditions))
            products = [product for product, _ in found]
            documents = await _product_documents(session, products, with_variants=True)
        for document, (_, cursor) in zip(documents, found, strict=True):
            document["cursor"] = cursor
        return {"products": documents, "total": total, "has_more": has_more}

    async def _products(
        self, key: InstrumentedAttribute[Any], values: Sequence[str]
    ) -> list[Document]:
        if not values:
            return []
        async with self._sessions() as session:
            products = list(await session.scalars(select(Product).where(key.in_(set(values)))))
            return await _product_documents(session, products)

    async def _variants(
        self, key: InstrumentedAttribute[Any], values: Sequence[str]
    ) -> list[Document]:
        if not values:
            return []
        async with self._sessions() as session:
            rows = await session.scalars(select(Variant).where(key.in_(set(values))))
            return [_variant_document(row) for row in rows]


async def _listing_page(
    session: AsyncSession,
    conditions: list[ColumnElement[bool]],
    after: str | None,
    offset: int,
    limit: int,
) -> list[tuple[Product, str]]:
    """Up to `limit` + 1 products in SKU order, each with its cursor."""
    order = Keyset(BY_SKU)
    page = select(Product).where(*conditions)
    if after is not None:
        page = page.where(order.after(after))
    page = page.order_by(*order.order_by()).offset(offset).limit(limit + 1)
    products = await session.scalars(page)
    return [(product, order.token([product.sku, product.id])) for product in products]


async def _product_documents(
    session: AsyncSession, products: list[Product], *, with_variants: bool = False
) -> list[Document]:
    """The products' documents; `with_variants` embeds each one's variant documents.

    Either way one statement reads the page's variants: their ids only, or whole rows.
    """
    if not products:
        return []
    product_ids = [product.id for product in products]
    # Only the ids of categories go into a product document, so selecting the two key
    # columns beats loading the relationship; the same goes for variants unless embedded.
    category_rows = await session.execute(
        select(product_category.c.product_id, product_category.c.category_id)
        .where(product_category.c.product_id.in_(product_ids))
        .order_by(product_category.c.category_id)
    )
    category_ids: defaultdict[str, list[str]] = defaultdict(list)
    for product_id, category_id in category_rows:
        category_ids[product_id].append(category_id)
    variant_ids: defaultdict[str, list[str]] = defaultdict(list)
    variants: defaultdict[str, list[Document]] = defaultdict(list)
    in_order = (Variant.position, Variant.id)
    if with_variants:
        rows = await session.scalars(
            select(Variant).where(Variant.product_id.in_(product_ids)).order_by(*in_order)
        )
        for variant in rows:
            variant_ids[variant.product_id].append(variant.id)
            variants[variant.product_id].append(_variant_document(variant))
    else:
        variant_rows = await session.execute(
            select(Variant.product_id, Variant.id)
            .where(Variant.product_id.in_(product_ids))
            .order_by(*in_order)
        )
        for product_id, variant_id in variant_rows:
            variant_ids[product_id].append(variant_id)
    documents = [
        _product_document(product, category_ids[product.id], variant_ids[product.id])
        for product in products
    ]
    if with_variants:
        for document in documents:
            document["variants"] = variants[document["id"]]
    return documents


def _search_conditions(category_id: str | None, complete_only: bool) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if complete_only:
        conditions.append(Product.complete.is_(True))
    if category_id is not None:
        tree = select(Category.id).where(Category.id == category_id).cte(recursive=True)
        # UNION rather than UNION ALL: a cycle in bad data ends the recursion instead of looping.
        tree = tree.union(select(Category.id).where(Category.parent_id == tree.c.id))
        conditions.append(
            Product.id.in_(
                select(product_category.c.product_id).where(
                    product_category.c.category_id.in_(select(tree.c.id))
                )
            )
        )
    return conditions


def _product_document(
    product: Product, category_ids: list[str], variant_ids: list[str]
) -> Document:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": dict(product.name),
        "description": dict(product.description),
        "brand": product.brand,
        "category_ids": category_ids,
        "media": [
            {"url": medium["url"], "alt": dict(medium.get("alt") or {})} for medium in product.media
        ],
        "variant_ids": variant_ids,
        "complete": product.complete,
    }


def _variant_document(variant: Variant) -> Document:
    return {
        "id": variant.id,
        "sku": variant.sku,
        "gtin": variant.gtin,
        "product_id": variant.product_id,
        "name": dict(variant.name),
        "attributes": [
            {
                "code": attribute["code"],
                "name": dict(attribute["name"]),
                "value": dict(attribute["value"]),
            }
            for attribute in variant.attributes
        ],
    }


def _category_document(category: Category) -> Document:
    return {"id": category.id, "name": dict(category.name), "parent_id": category.parent_id}
