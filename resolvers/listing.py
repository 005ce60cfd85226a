"""A page of products with what a listing shows of each, fetched in one batched place.

PERFORMANCE.md's third rule: fetch in one batched place, then hand plain objects to plain
field resolvers. The schema says what its selection asks of every product on the page
(`ListingAsk`); `list_listing` reads the page, then the default variants' prices and
availability for all its products at once, and answers plain records per product, or the
error of the part that failed. Loads go through the request's DataLoaders, so call counts
are those of one resolver per field; what goes away is several resolvers per product.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.inventory.records import Location
from connectors.pim.records import Product, Variant
from connectors.pricing.records import Price
from resolvers import availability as availability_resolvers
from resolvers import price as price_resolvers
from resolvers import product as product_resolvers
from resolvers.availability import AvailabilityView, StockRow
from resolvers.context import RequestContext
from resolvers.errors import GatewayError
from resolvers.product import ProductPage

#: A view's rows with the locations they show (rows naming no location left out).
Located = Sequence[tuple[StockRow, Location]]


@dataclass(frozen=True, slots=True)
class StockAsk:
    """The arguments a listing's products ask their availability with, comparable as a key."""

    location_ids: tuple[str, ...] | None = None
    near: tuple[float, float] | None = None
    live: bool = False


@dataclass(frozen=True, slots=True)
class ListingAsk:
    """What a listing shows of every product beyond the PIM's own data, and whether it counts.

    `availability` is None when no product asks for it, and when aliases ask it with
    different arguments: then each product's field fetches its own. `total` asks the PIM
    to count every match, which it does only then.
    """

    price: bool = False
    availability: StockAsk | None = None
    variants: bool = False
    total: bool = False


# Not frozen: a listing makes one per product, and a frozen dataclass sets each field
# through object.__setattr__. Nothing changes one once it is made.
@dataclass(slots=True)
class ListedProduct:
    """What a listing fetched for one product: None where it has no default variant.

    `variants` are the product's variants, in its order, when they were asked and the
    page carried them all (None: the field loads them itself). `errors` holds, per part
    ("price", "availability"), the error that part failed with.
    """

    product: Product
    variants: tuple[Variant, ...] | None = None
    price: Price | None = None
    availability: AvailabilityView | None = None
    located: Located = ()
    errors: Mapping[str, GatewayError] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Listing:
    """A page of products, what was asked of them, and what was fetched for each, in order."""

    page: ProductPage
    ask: ListingAsk
    products: Sequence[ListedProduct]


async def list_listing(
    ctx: RequestContext,
    *,
    first: int,
    after: str | None,
    search: str | None,
    category_id: str | None,
    ask: ListingAsk,
) -> Listing:
    """The page, with the prices and availability `ask` wants of its products.

    The page's products and variants become records the loaders know (`list_products`);
    prices and availability of the default variants are one loader batch each, fetched
    side by side.
    """
    page = await product_resolvers.list_products(
        ctx,
        first=first,
        after=after,
        search=search,
        category_id=category_id,
        with_total=ask.total,
    )
    sellable = [product for product in page.products if product.variant_ids]
    variant_ids = [product.variant_ids[0] for product in sellable]
    prices, views = await asyncio.gather(
        _prices(ctx, variant_ids) if ask.price else _nothing(),
        _views(ctx, variant_ids, ask.availability) if ask.availability else _nothing(),
    )

    def carried(product: Product) -> tuple[Variant, ...] | None:
        return _variants_of(product, page.variants) if ask.variants else None

    errors: dict[str, GatewayError] = {}
    if isinstance(prices, GatewayError):
        errors["price"], prices = prices, []
    if isinstance(views, GatewayError):
        errors["availability"], views = views, []
    fetched = {
        product.id: ListedProduct(
            product,
            variants=carried(product),
            price=prices[index] if prices else None,
            availability=views[index][0] if views else None,
            located=views[index][1] if views else (),
            errors=errors,
        )
        for index, product in enumerate(sellable)
    }
    listed = [
        fetched.get(product.id) or ListedProduct(product, variants=carried(product))
        for product in page.products
    ]
    return Listing(page=page, ask=ask, products=listed)


def _variants_of(product: Product, carried: Mapping[str, Variant]) -> tuple[Variant, ...] | None:
    """The product's variants from those the page carried; None unless it carried them all."""
    found = tuple(carried[id] for id in product.variant_ids if id in carried)
    return found if len(found) == len(product.variant_ids) else None


async def _nothing() -> list[Any]:
    return []


async def _prices(
    ctx: RequestContext, variant_ids: Sequence[str]
) -> list[Price | None] | GatewayError:
    if not variant_ids:
        return []
    try:
        return await price_resolvers.prices_of(ctx, variant_ids)
    except GatewayError as exc:  # a failed part fails only its own fields, product by product
        return exc


async def _views(
    ctx: RequestContext, variant_ids: Sequence[str], ask: StockAsk
) -> list[tuple[AvailabilityView, Located]] | GatewayError:
    if not variant_ids:
        return []
    try:
        found = await availability_resolvers.availability_views(
            ctx,
            variant_ids,
            location_ids=ask.location_ids,
            near=availability_resolvers.checked_point(*ask.near) if ask.near else None,
            live=ask.live,
        )
    except GatewayError as exc:
        return exc
    return [(view, tuple(located)) for view, located in found]
