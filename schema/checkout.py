"""Checkout and order mutations: from a cart to an order, and changes to an order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

import strawberry

from connectors.orders import records
from resolvers import availability as availability_resolvers
from resolvers import checkout as checkout_resolvers
from resolvers import order_changes
from resolvers.errors import Refused
from schema.availability import GeoPointInput
from schema.common import UserError
from schema.info import Info
from schema.order import FulfillmentType, Order, PaymentMethod


@strawberry.input(description="What checkout needs besides the cart's contents.")
class CheckoutInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart to order.")
    fulfillment: FulfillmentType = strawberry.field(description="How the goods reach the customer.")
    location_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Store for click & collect, or the store the order is placed in.",
    )
    payment_method: PaymentMethod = strawberry.field(description="How the customer pays.")
    idempotency_key: str = strawberry.field(
        description="Unique per checkout attempt, chosen by the client: sending the same "
        "checkout again with it returns the first order; using it for another checkout is "
        "refused with IDEMPOTENCY_KEY_REUSED."
    )
    coupon_codes: list[str] | None = strawberry.field(
        default=None,
        description="Coupon codes to redeem; one that does not apply refuses the checkout "
        "(COUPON_UNKNOWN, COUPON_EXPIRED, COUPON_NOT_APPLICABLE) rather than being dropped.",
    )
    voucher_codes: list[str] | None = strawberry.field(
        default=None,
        description="Codes of the customer's vouchers to pay with. They pay first (one VOUCHER "
        "payment of at most the order's total), the payment method the rest; each is spent "
        "whole. One that cannot be spent refuses the checkout: VOUCHER_NOT_FOUND, "
        "VOUCHER_NOT_YOURS, VOUCHER_REDEEMED, VOUCHER_EXPIRED, VOUCHER_NOT_NEEDED.",
    )
    deliver_near: GeoPointInput | None = strawberry.field(
        default=None,
        description="Where a shipment goes, as a point, for routing by distance; default: the "
        "store the order is placed in.",
    )


@strawberry.type(description="The order after an order mutation, or why nothing changed.")
class OrderPayload:
    order: Order | None = strawberry.field(description="The order as it is now; null when refused.")
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was refused; empty on success. Nothing changes when refused."
    )


async def _order_payload(
    info: Info, change: Callable[[], Awaitable[records.Order]]
) -> OrderPayload:
    try:
        order = await change()
    except Refused as refusal:
        return OrderPayload(order=None, user_errors=[UserError.from_refusal(refusal)])
    return OrderPayload(order=Order.from_record(order, info.context), user_errors=[])


@strawberry.type
class OrderMutation:
    """Mutations of the order domain."""

    @strawberry.mutation(
        description="Order a cart: re-priced by the promotion engine, vouchers redeemed, stock "
        "reserved, the order created with every amount per line, loyalty points earned on what "
        "was not paid by voucher — or, when refused, nothing changed. Idempotent by "
        "`idempotencyKey`."
    )
    async def checkout(
        self,
        info: Info,
        input: Annotated[CheckoutInput, strawberry.argument(description="The checkout.")],
    ) -> OrderPayload:
        near = input.deliver_near
        request = checkout_resolvers.CheckoutRequest(
            cart_id=input.cart_id,
            fulfillment=input.fulfillment.name,
            location_id=input.location_id,
            payment_method=input.payment_method.name,
            idempotency_key=input.idempotency_key,
            coupon_codes=tuple(input.coupon_codes or ()),
            voucher_codes=tuple(input.voucher_codes or ()),
            destination=availability_resolvers.checked_point(near.latitude, near.longitude)
            if near
            else None,
        )
        return await _order_payload(
            info, lambda: checkout_resolvers.checkout(info.context, request)
        )

    @strawberry.mutation(
        description="Move a fulfilment's delivery date. `expectedVersion` is the order's "
        "`version` as the agent saw it: if the order changed since, nothing is overwritten "
        "and the answer is VERSION_CONFLICT."
    )
    async def order_change_delivery_date(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, strawberry.argument(description="The order.")],
        fulfillment_id: Annotated[
            strawberry.ID, strawberry.argument(description="The fulfilment to move.")
        ],
        date: Annotated[date, strawberry.argument(description="The new delivery date.")],
        expected_version: Annotated[
            int, strawberry.argument(description="The order's version the change is based on.")
        ],
    ) -> OrderPayload:
        return await _order_payload(
            info,
            lambda: order_changes.change_delivery_date(
                info.context, order_id, str(fulfillment_id), date, expected_version
            ),
        )

    @strawberry.mutation(
        description="The store an order was routed to confirms it will fulfil it (associates of "
        "that store only); the order moves on to CONFIRMED."
    )
    async def fulfillment_confirm(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, strawberry.argument(description="The order.")],
        fulfillment_id: Annotated[
            strawberry.ID, strawberry.argument(description="The fulfilment to confirm.")
        ],
    ) -> OrderPayload:
        return await _order_payload(
            info,
            lambda: order_changes.confirm_fulfillment(info.context, order_id, str(fulfillment_id)),
        )
