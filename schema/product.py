"""Product types: products, variants, categories, and the product queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry

from connectors.common import LocalizedText
from connectors.pim import records
from resolvers import listing as listing_resolvers
from resolvers import price as price_resolvers
from resolvers import product as product_resolvers
from resolvers.context import RequestContext
from resolvers.errors import source_errors
from resolvers.ids import to_global_id
from resolvers.product import MAX_SEARCH_WORDS
from schema.availability import (
    Availability,
    GeoPointInput,
    LiveArgument,
    LocationIdsArgument,
    NearArgument,
    resolve_availability,
)
from schema.common import NODE_ID, Node, PageInfo
from schema.complexity import COST, SOURCE_QUERY
from schema.execution import DERIVED, PREFETCHED
from schema.info import Info
from schema.listing import Listed, listed_of, listing_ask
from schema.price import Price


@strawberry.type(description="An image of a product.")
class Media:
    url: str = strawberry.field(description="Where to load it from (relative to the media host).")
    alt: str | None = strawberry.field(description="Alternative text in the request's locale.")


@strawberry.type(description="A descriptive attribute, e.g. colour or size.")
class Attribute:
    name: str = strawberry.field(description="Attribute name in the request's locale.")
    value: str = strawberry.field(description="Value in the request's locale.")


@strawberry.type(description="A node of the category tree.")
class Category(Node):
    name: str = strawberry.field(description="Name in the request's locale.")
    parent_id: strawberry.Private[str | None]

    @classmethod
    def from_record(cls, record: records.Category, ctx: RequestContext) -> Category:
        return cls(
            id=strawberry.ID(to_global_id("Category", record.id)),
            name=ctx.text(record.name) or record.id,
            parent_id=record.parent_id,
        )

    @strawberry.field(description="The parent category; null at the top of the tree.")
    async def parent(self, info: Info) -> Category | None:
        if self.parent_id is None:
            return None
        record = await product_resolvers.get_category(info.context, self.parent_id)
        return Category.from_record(record, info.context) if record else None


@strawberry.type(
    description="A product (style) as the PIM describes it, with its sellable variants."
)
class Product(Node):
    sku: str = strawberry.field(description="The product's stock-keeping unit.")
    name: str = strawberry.field(description="Name in the request's locale.")
    record: strawberry.Private[records.Product]
    #: The request's locale, for the texts worked out when asked.
    text: strawberry.Private[Callable[[LocalizedText | None], str | None]]
    #: Filled by a listing that fetched prices and stock for every product on its page.
    listed: strawberry.Private[Listed | None] = None

    @classmethod
    def from_record(
        cls, record: records.Product, ctx: RequestContext, listed: Listed | None = None
    ) -> Product:
        # No `id=`: the id is worked out when asked (below), which mypy cannot tell from
        # Node's attribute; Strawberry lets a type resolve an interface's field.
        return cls(  # type: ignore[call-arg]
            sku=record.sku,
            name=ctx.text(record.name) or record.sku,
            record=record,
            text=ctx.text,
            listed=listed,
        )

    # The id, description, brand and media are worked out when asked (`DERIVED`): a
    # listing of 48 products mostly shows names, prices and stock.
    @strawberry.field(description=NODE_ID, metadata={DERIVED: True})  # type: ignore[misc]
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Product", self.record.id))

    @strawberry.field(description="Description in the request's locale.", metadata={DERIVED: True})
    def description(self) -> str | None:
        return self.text(self.record.description)

    @strawberry.field(description="Brand name.", metadata={DERIVED: True})
    def brand(self) -> str | None:
        return self.record.brand

    @strawberry.field(
        description="Images, the first one is the main image.", metadata={DERIVED: True}
    )
    def media(self) -> list[Media]:
        return [Media(url=m.url, alt=self.text(m.alt)) for m in self.record.media]

    @strawberry.field(description="Categories the product is filed under.")
    async def categories(self, info: Info) -> list[Category]:
        found = await product_resolvers.categories_of(info.context, self.record)
        return [Category.from_record(c, info.context) for c in found]

    @strawberry.field(
        description="The sellable variants (colour, size), in the PIM's order.",
        # A listing whose search carried the variants hands them over ready.
        metadata={PREFETCHED: lambda product: product.listed and product.listed.variants},
    )
    async def variants(self, info: Info) -> list[ProductVariant]:
        found = await product_resolvers.variants_of(info.context, self.record)
        return [ProductVariant.from_record(v, info.context) for v in found]

    # `price` and `availability` are plain functions: on a listing they return what the
    # page fetched for all its products; elsewhere they hand graphql-core a coroutine.
    @strawberry.field(
        description="Price of the default variant in the request's context; null while pricing is unavailable.",
        metadata={PREFETCHED: lambda product: product.listed and product.listed.price},
    )
    def price(self, info: Info) -> Price | None:
        if self.listed is not None and self.listed.has_price:
            return self.listed.price_or_raise()
        return self._fetch_price(info.context)  # type: ignore[return-value]

    async def _fetch_price(self, ctx: RequestContext) -> Price | None:
        if not self.record.variant_ids:
            return None
        found = await price_resolvers.price_of(ctx, self.record.variant_ids[0])
        return Price.from_record(found, ctx) if found else None

    @strawberry.field(
        description=(
            "Availability of the default variant; cached figures unless live is asked. Locations: "
            "`locationIds`, else the nearest stores to `near`, else the request's store, else every "
            "location serving the request's channel."
        ),
        # A listing fetches it when all its products ask with the same arguments.
        metadata={PREFETCHED: lambda product: product.listed and product.listed.availability},
    )
    def availability(
        self,
        info: Info,
        location_ids: LocationIdsArgument = None,
        near: NearArgument = None,
        live: LiveArgument = False,
    ) -> Availability | None:
        if self.listed is not None and self.listed.availability_for(location_ids, near, live):
            return self.listed.availability_or_raise()
        return self._fetch_availability(info, location_ids, near, live)  # type: ignore[return-value]

    async def _fetch_availability(
        self,
        info: Info,
        location_ids: list[strawberry.ID] | None,
        near: GeoPointInput | None,
        live: bool | None,
    ) -> Availability | None:
        if not self.record.variant_ids:
            return None
        return await resolve_availability(
            info.context,
            self.record.variant_ids[0],
            location_ids,
            near,
            live,
            info.selected_fields,
        )


@strawberry.type(description="A sellable variant of a product, identified by SKU and GTIN.")
class ProductVariant(Node):
    sku: str = strawberry.field(description="The variant's stock-keeping unit.")
    gtin: str | None = strawberry.field(description="GS1 GTIN-13 (EAN) barcode.")
    record: strawberry.Private[records.Variant]

    @classmethod
    def from_record(cls, record: records.Variant, ctx: RequestContext) -> ProductVariant:
        # No `id=`: as for Product, worked out when asked.
        return cls(sku=record.sku, gtin=record.gtin, record=record)  # type: ignore[call-arg]

    @strawberry.field(description=NODE_ID, metadata={DERIVED: True})  # type: ignore[misc]
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("ProductVariant", self.record.id))

    # Name and attributes are worked out when asked: a listing of 48 products carries some
    # 240 variants, and mostly shows their SKU and GTIN alone. A search page's variants
    # are only now mapped from the PIM's document (records.VariantDetails), so a malformed
    # one is the PIM's error on these fields alone.
    @strawberry.field(description="Name in the request's locale.")
    def name(self, info: Info) -> str:
        with source_errors():
            name = self.record.name
        return info.context.text(name) or self.record.sku

    @strawberry.field(description="Colour, size and the like.")
    def attributes(self, info: Info) -> list[Attribute]:
        ctx = info.context
        with source_errors():
            attributes = self.record.attributes
        return [
            Attribute(name=ctx.text(a.name) or a.code, value=ctx.text(a.value) or "")
            for a in attributes
        ]

    @strawberry.field(description="The product this is a variant of.")
    async def product(self, info: Info) -> Product:
        found = await product_resolvers.product_of(info.context, self.record)
        if found is None:
            raise LookupError(f"variant {self.record.id} has no product {self.record.product_id}")
        return Product.from_record(found, info.context)

    @strawberry.field(
        description="Unit price for this quantity in the request's context; null while pricing is unavailable."
    )
    async def price(
        self,
        info: Info,
        quantity: Annotated[
            int | None,
            strawberry.argument(description="Units bought; multi-buy promotions depend on it."),
        ] = 1,
    ) -> Price | None:
        units = 1 if quantity is None else quantity
        found = await price_resolvers.price_of(info.context, self.record.id, quantity=units)
        return Price.from_record(found, info.context, units) if found else None

    @strawberry.field(
        description="Availability in the chosen locations; cached figures unless live is asked."
    )
    async def availability(
        self,
        info: Info,
        location_ids: LocationIdsArgument = None,
        near: NearArgument = None,
        live: LiveArgument = False,
    ) -> Availability | None:
        return await resolve_availability(
            info.context, self.record.id, location_ids, near, live, info.selected_fields
        )


@strawberry.type(description="A product in a page of products.")
class ProductEdge:
    node: Product = strawberry.field(description="The product.")
    cursor: str = strawberry.field(
        description="Opaque; pass as `after` to continue right after this product."
    )


@strawberry.type(description="A page of products.")
class ProductConnection:
    edges: list[ProductEdge] = strawberry.field(description="The products of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page starts and ends.")
    total_count: int | None = strawberry.field(
        description="How many products match in all; counted only when this field is asked."
    )


@strawberry.type
class ProductQuery:
    """Root fields of the product domain."""

    @strawberry.field(
        description="A product by global id, SKU or GTIN (give one); null if there is none."
    )
    async def product(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The product's global id.")
        ] = None,
        sku: Annotated[str | None, strawberry.argument(description="The product's SKU.")] = None,
        gtin: Annotated[
            str | None,
            strawberry.argument(
                description="A GTIN of one of its variants (check digit validated)."
            ),
        ] = None,
    ) -> Product | None:
        found = await product_resolvers.get_product(info.context, id=id, sku=sku, gtin=gtin)
        return Product.from_record(found, info.context) if found else None

    @strawberry.field(
        description="Products matching a free-text search and/or category, a page at a time.",
        metadata={COST: SOURCE_QUERY},
    )
    async def products(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100.")] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="The cursor of the product to continue after (from `edges` or "
                "`pageInfo.endCursor`); later pages neither repeat nor skip a product when "
                "products are added meanwhile."
            ),
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Words the products must all match, best matches first. The "
                "reference PIM matches name, brand, SKU and description, Dutch and English word "
                'forms ("paints" finds "paint") and words inside compounds ("verf" finds '
                f'"Muurverf"). At most {MAX_SEARCH_WORDS} words.'
            ),
        ] = None,
        category_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this category and its subcategories."),
        ] = None,
    ) -> ProductConnection:
        ctx = info.context
        listing = await listing_resolvers.list_listing(
            ctx,
            first=20 if first is None else first,
            after=after,
            search=search,
            category_id=category_id,
            ask=listing_ask(info.selected_fields),
        )
        page = listing.page
        edges = [
            ProductEdge(node=Product.from_record(p, ctx, listed), cursor=cursor)
            for p, cursor, listed in zip(
                page.products,
                page.cursors,
                listed_of(ctx, listing.ask, listing.products, ProductVariant.from_record),
                strict=True,
            )
        ]
        return ProductConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                end_cursor=edges[-1].cursor if edges else None,
                has_previous_page=page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
            ),
            total_count=page.total,
        )

    @strawberry.field(
        description="A variant by global id, SKU or GTIN (give one); null if there is none."
    )
    async def variant(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The variant's global id.")
        ] = None,
        sku: Annotated[str | None, strawberry.argument(description="The variant's SKU.")] = None,
        gtin: Annotated[
            str | None,
            strawberry.argument(description="The variant's GTIN (check digit validated)."),
        ] = None,
    ) -> ProductVariant | None:
        found = await product_resolvers.get_variant(info.context, id=id, sku=sku, gtin=gtin)
        return ProductVariant.from_record(found, info.context) if found else None
