"""Products, variants and categories from the PIM, as the request's channel may show them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from connectors.errors import ConnectorError, SourceRejected
from connectors.pim.records import Category, Product, Variant
from kernel.gtin import is_valid_gtin
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, from_connector_error
from resolvers.ids import from_keyset_cursor, key_of, to_keyset_cursor


@dataclass(frozen=True, slots=True)
class ProductPage:
    """A page of products: each one's cursor, whether pages come before and after it, the count.

    `cursors[i]` is the opaque cursor of `products[i]` (`to_keyset_cursor`). `total` is
    the number of matches in all pages when it was asked for (`with_total`), else None.
    `variants` holds the page's variants by id when the PIM's search carried them (empty
    when it did not): a listing then hands them to its products without a load each.
    """

    products: Sequence[Product]
    cursors: Sequence[str]
    has_next: bool
    has_previous: bool
    total: int | None = None
    variants: Mapping[str, Variant] = field(default_factory=dict)


def _one_of(**arguments: str | None) -> tuple[str, str]:
    given = [(name, value) for name, value in arguments.items() if value is not None]
    if len(given) != 1:
        names = ", ".join(arguments)
        raise BadUserInput(f"Give exactly one of {names}.", arguments=list(arguments))
    return given[0]


def _checked_gtin(gtin: str) -> str:
    if not is_valid_gtin(gtin):
        raise BadUserInput(
            f"{gtin!r} is not a valid GTIN: 8, 12, 13 or 14 digits with a correct check digit.",
            argument="gtin",
        )
    return gtin.zfill(13) if len(gtin) == 12 else gtin


def visible(ctx: RequestContext, product: Product | None) -> Product | None:
    """Hide products with incomplete mandatory data from customer-facing channels."""
    if product is None or (ctx.customer_facing and not product.complete):
        return None
    return product


async def get_product(
    ctx: RequestContext, *, id: str | None, sku: str | None, gtin: str | None
) -> Product | None:
    argument, value = _one_of(id=id, sku=sku, gtin=gtin)
    if argument == "id":
        product = await ctx.loaders.product_by_id.load(key_of(value, "Product"))
    elif argument == "sku":
        product = await ctx.loaders.product_by_sku.load(value)
    else:
        variant = await ctx.loaders.variant_by_gtin.load(_checked_gtin(value))
        product = await ctx.loaders.product_by_id.load(variant.product_id) if variant else None
    return visible(ctx, product)


async def get_variant(
    ctx: RequestContext, *, id: str | None, sku: str | None, gtin: str | None
) -> Variant | None:
    argument, value = _one_of(id=id, sku=sku, gtin=gtin)
    if argument == "id":
        variant = await ctx.loaders.variant_by_id.load(key_of(value, "ProductVariant"))
    elif argument == "sku":
        variant = await ctx.loaders.variant_by_sku.load(value)
    else:
        variant = await ctx.loaders.variant_by_gtin.load(_checked_gtin(value))
    if variant is None:
        return None
    product = await ctx.loaders.product_by_id.load(variant.product_id)
    return variant if visible(ctx, product) else None


#: Words a product search may hold: a shopper's search is a few words, and the reference
#: PIM refuses more than 16 (each word is a condition of its query).
MAX_SEARCH_WORDS = 16


async def list_products(
    ctx: RequestContext,
    *,
    first: int,
    after: str | None,
    search: str | None,
    category_id: str | None,
    with_total: bool = False,
) -> ProductPage:
    """A page of the products the channel may show, after the product of cursor `after`.

    The PIM counts the matches only when `with_total` asks (the schema asks when
    `totalCount` is selected): on a large catalogue the count costs more than the page.
    """
    if not 0 <= first <= ctx.rules.max_page_size:
        raise BadUserInput(
            f"first must be between 0 and {ctx.rules.max_page_size}.", argument="first"
        )
    if search is not None and len(search.split()) > MAX_SEARCH_WORDS:
        raise BadUserInput(f"A search holds at most {MAX_SEARCH_WORDS} words.", argument="search")
    token = from_keyset_cursor(after)
    category = key_of(category_id, "Category", "categoryId") if category_id else None
    try:
        page = await ctx.sources.pim.search_products(
            search=search.strip() or None if search else None,
            category_id=category,
            complete_only=ctx.customer_facing,
            after=token,
            limit=first,
            with_total=with_total,
        )
    except SourceRejected as exc:
        # Every other argument was checked above, so what the PIM refused is the token:
        # well-formed as our cursor, but not one it gave out (altered, or of another order).
        if token is None:
            raise from_connector_error(exc) from exc
        raise BadUserInput(
            "The cursor given as `after` is not one this API gave out.", argument="after"
        ) from exc
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc
    # Products and their variants travel with the page: the loaders know them, so fields
    # below (a variant's product, a product's variants) reuse them instead of calling the PIM.
    variants = {variant.id: variant for variant in page.variants}
    ctx.loaders.known_products.update((product.id, product) for product in page.products)
    ctx.loaders.known_variants.update(variants)
    return ProductPage(
        products=page.products,
        cursors=[to_keyset_cursor(cursor) for cursor in page.cursors],
        has_next=page.has_more,
        # Relay lets a forward page answer this cheaply: a page after a cursor has one before.
        has_previous=token is not None,
        total=page.total,
        variants=variants,
    )


async def variants_of(ctx: RequestContext, product: Product) -> list[Variant]:
    variants = await ctx.loaders.variant_by_id.load_many(list(product.variant_ids))
    return [variant for variant in variants if variant is not None]


async def product_of(ctx: RequestContext, variant: Variant) -> Product | None:
    return await ctx.loaders.product_by_id.load(variant.product_id)


async def categories_of(ctx: RequestContext, product: Product) -> list[Category]:
    categories = await ctx.loaders.category_by_id.load_many(list(product.category_ids))
    return [category for category in categories if category is not None]


async def get_category(ctx: RequestContext, category_id: str) -> Category | None:
    return await ctx.loaders.category_by_id.load(category_id)
