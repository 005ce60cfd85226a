"""Relay object identification: `node` and `nodes` for every type with a global id."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from resolvers import availability as availability_resolvers
from resolvers import customer as customer_resolvers
from resolvers import order as order_resolvers
from resolvers import product as product_resolvers
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.ids import from_global_id, to_global_id
from schema.availability import Location
from schema.common import Node
from schema.customer import Customer
from schema.info import Info
from schema.order import Order
from schema.product import Category, Product, ProductVariant
from schema.returns import Return

MAX_NODES = 100


async def resolve_node(ctx: RequestContext, global_id: str) -> Node | None:
    """The object behind a global id, or None when there is none.

    Vouchers and carts are reached through their customer and the write API.
    """
    type_name, key = from_global_id(global_id)
    if type_name == "Product":
        product = product_resolvers.visible(ctx, await ctx.loaders.product_by_id.load(key))
        return Product.from_record(product, ctx) if product else None
    if type_name == "ProductVariant":
        variant = await product_resolvers.get_variant(
            ctx, id=to_global_id("ProductVariant", key), sku=None, gtin=None
        )
        return ProductVariant.from_record(variant, ctx) if variant else None
    if type_name == "Category":
        category = await product_resolvers.get_category(ctx, key)
        return Category.from_record(category, ctx) if category else None
    if type_name == "Location":
        location = await availability_resolvers.get_location(ctx, key)
        return Location.from_record(location) if location else None
    if type_name == "Customer":
        customer = await customer_resolvers.get_customer(ctx, id=global_id, identifier=None)
        return Customer.from_record(customer, ctx) if customer else None
    if type_name == "Order":
        order = await order_resolvers.get_order(ctx, id=global_id, number=None)
        return Order.from_record(order, ctx) if order else None
    if type_name == "Return":
        found = await order_resolvers.get_return(ctx, key)
        return Return.from_record(found) if found else None
    return None


@strawberry.type
class NodeQuery:
    """Root fields for fetching any object by global id."""

    @strawberry.field(description="The object with this global id; null if there is none.")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A global id from any object.")
        ],
    ) -> Node | None:
        return await resolve_node(info.context, id)

    @strawberry.field(
        description="The objects with these global ids, in order; null where there is none."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Up to 100 global ids.")
        ],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadUserInput(f"At most {MAX_NODES} ids at once.", argument="ids")
        return list(await asyncio.gather(*(resolve_node(info.context, i) for i in ids)))
