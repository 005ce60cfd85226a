"""Cart types: a server-side cart shared across devices and channels."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.ids import key_of
from schema.common import Channel, Node
from schema.customer import Customer
from schema.info import Info
from schema.price import BasketQuote
from schema.product import ProductVariant


@strawberry.type(description="A line of a cart.")
class CartLine:
    id: strawberry.ID = strawberry.field(description="The line's id within the cart.")
    variant: ProductVariant = strawberry.field(description="The variant in the cart.")
    quantity: int = strawberry.field(description="Units.")


@strawberry.type(description="A cart that lives on the server, shared across devices and channels.")
class Cart(Node):
    channel: Channel = strawberry.field(description="Channel the cart is priced in.")
    customer: Customer | None = strawberry.field(description="Owner, once attached.")
    lines: list[CartLine] = strawberry.field(description="What is in the cart.")
    quote: BasketQuote = strawberry.field(description="The cart priced now.")
    version: int = strawberry.field(description="Changes with every update of the cart.")


@strawberry.type
class CartQuery:
    """Root fields of the cart domain."""

    @strawberry.field(
        description="A cart by global id. Carts are made by the write API (`cartCreate`); until "
        "a cart exists this is null."
    )
    async def cart(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The cart's global id.")],
    ) -> Cart | None:
        key_of(id, "Cart")  # a malformed id is still the caller's error
        # The cart store arrives with the mutations; no cart can exist before it.
        return None
