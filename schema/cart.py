"""Cart types and mutations: a server-side cart shared across devices and channels."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from connectors.orders import records
from resolvers import cart as cart_resolvers
from resolvers import customer as customer_resolvers
from resolvers import price as price_resolvers
from resolvers.errors import Refused
from resolvers.ids import to_global_id
from schema.common import Channel, Node, UserError
from schema.customer import Customer, CustomerIdentifierInput
from schema.info import Info
from schema.price import BasketQuote
from schema.product import ProductVariant


@strawberry.type(description="A line of a cart.")
class CartLine:
    id: strawberry.ID = strawberry.field(description="The line's id within the cart.")
    quantity: int = strawberry.field(description="Units.")
    variant_id: strawberry.Private[str]

    @strawberry.field(description="The variant in the cart.")
    async def variant(self, info: Info) -> ProductVariant:
        found = await info.context.loaders.variant_by_id.load(self.variant_id)
        if found is None:
            raise LookupError(f"variant {self.variant_id} is in a cart but unknown to the PIM")
        return ProductVariant.from_record(found, info.context)


@strawberry.type(description="A cart that lives on the server, shared across devices and channels.")
class Cart(Node):
    channel: Channel = strawberry.field(description="Channel the cart is priced in.")
    lines: list[CartLine] = strawberry.field(description="What is in the cart.")
    version: int = strawberry.field(description="Changes with every update of the cart.")
    record: strawberry.Private[records.Cart]

    @classmethod
    def from_record(cls, record: records.Cart) -> Cart:
        return cls(
            id=strawberry.ID(to_global_id("Cart", record.id)),
            channel=Channel(record.channel),
            lines=[
                CartLine(
                    id=strawberry.ID(line.id), quantity=line.quantity, variant_id=line.variant_id
                )
                for line in record.lines
            ],
            version=record.version,
            record=record,
        )

    @strawberry.field(description="Owner, once attached; null for an anonymous cart.")
    async def customer(self, info: Info) -> Customer | None:
        if self.record.customer_id is None:
            return None
        found = await customer_resolvers.get_customer_for_order(
            info.context, self.record.customer_id
        )
        return Customer.from_record(found, info.context) if found else None

    @strawberry.field(
        description="The cart priced now by the promotion engine, as checkout will price it: "
        "the owner's tier and purchases in every channel within cross-channel promotions count."
    )
    async def quote(
        self,
        info: Info,
        coupon_codes: Annotated[
            list[str] | None,
            strawberry.argument(description="Coupon codes to apply, as checkout would."),
        ] = None,
    ) -> BasketQuote:
        quote = await price_resolvers.quote_cart(info.context, self.record, coupon_codes or ())
        return BasketQuote.from_record(quote, info.context)


@strawberry.input(description="A variant and a quantity for a cart.")
class CartLineInput:
    variant_id: strawberry.ID = strawberry.field(description="Global id of a ProductVariant.")
    quantity: int = strawberry.field(
        description="Units: added by `cartLinesAdd`, set by `cartLinesUpdate` (0 removes)."
    )


@strawberry.type(description="The cart after a cart mutation, or why the mutation changed nothing.")
class CartPayload:
    cart: Cart | None = strawberry.field(description="The cart as it is now; null when refused.")
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was refused; empty on success. Nothing changes when refused."
    )


async def _cart_payload(change: Callable[[], Awaitable[records.Cart]]) -> CartPayload:
    try:
        cart = await change()
    except Refused as refusal:
        return CartPayload(cart=None, user_errors=[UserError.from_refusal(refusal)])
    return CartPayload(cart=Cart.from_record(cart), user_errors=[])


def _lines(lines: list[CartLineInput]) -> list[cart_resolvers.LineInput]:
    return [cart_resolvers.LineInput(line.variant_id, line.quantity) for line in lines]


_CART_ID = strawberry.argument(description="The cart's global id.")


@strawberry.type
class CartQuery:
    """Root fields of the cart domain."""

    @strawberry.field(
        description="A cart by global id; null when there is none, or it belongs to another "
        "customer."
    )
    async def cart(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _CART_ID],
    ) -> Cart | None:
        found = await cart_resolvers.get_cart(info.context, id)
        return Cart.from_record(found) if found else None


@strawberry.type
class CartMutation:
    """Mutations of the cart domain."""

    @strawberry.mutation(
        description="Open a cart in a channel (default: the request's), optionally with lines. "
        "A signed-in customer owns it; an anonymous one is usable by whoever holds its id."
    )
    async def cart_create(
        self,
        info: Info,
        channel: Annotated[
            Channel | None, strawberry.argument(description="Channel the cart sells in.")
        ] = None,
        lines: Annotated[
            list[CartLineInput] | None, strawberry.argument(description="First lines.")
        ] = None,
    ) -> CartPayload:
        return await _cart_payload(
            lambda: cart_resolvers.create_cart(
                info.context, channel.name if channel else None, _lines(lines or [])
            )
        )

    @strawberry.mutation(
        description="Checks availability live before adding: add units of variants (a variant "
        "already in the cart gets the units added to its line). Refused with "
        "INSUFFICIENT_STOCK when the channel cannot deliver the cart's total."
    )
    async def cart_lines_add(
        self,
        info: Info,
        cart_id: Annotated[strawberry.ID, _CART_ID],
        lines: Annotated[list[CartLineInput], strawberry.argument(description="What to add.")],
    ) -> CartPayload:
        return await _cart_payload(
            lambda: cart_resolvers.add_lines(info.context, cart_id, _lines(lines))
        )

    @strawberry.mutation(
        description="Set the quantities of variants in the cart (0 removes); checked live."
    )
    async def cart_lines_update(
        self,
        info: Info,
        cart_id: Annotated[strawberry.ID, _CART_ID],
        lines: Annotated[
            list[CartLineInput], strawberry.argument(description="Variants and new quantities.")
        ],
    ) -> CartPayload:
        return await _cart_payload(
            lambda: cart_resolvers.update_lines(info.context, cart_id, _lines(lines))
        )

    @strawberry.mutation(description="Remove lines from the cart by their ids.")
    async def cart_lines_remove(
        self,
        info: Info,
        cart_id: Annotated[strawberry.ID, _CART_ID],
        line_ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Ids of the lines to remove.")
        ],
    ) -> CartPayload:
        return await _cart_payload(
            lambda: cart_resolvers.remove_lines(info.context, cart_id, [str(i) for i in line_ids])
        )

    @strawberry.mutation(
        description="Attach the cart to a customer and merge it with that customer's open "
        "cart: the signed-in customer, or — for a store associate — the customer identified "
        "at the till (e.g. a scanned loyalty card). Returns the customer's cart."
    )
    async def cart_attach_customer(
        self,
        info: Info,
        cart_id: Annotated[strawberry.ID, _CART_ID],
        identifier: Annotated[
            CustomerIdentifierInput | None,
            strawberry.argument(description="The customer at the till (store staff only)."),
        ] = None,
    ) -> CartPayload:
        return await _cart_payload(
            lambda: cart_resolvers.attach_customer(
                info.context,
                cart_id,
                (identifier.type.name, identifier.value) if identifier else None,
            )
        )
