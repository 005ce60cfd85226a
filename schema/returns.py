"""Returns and refunds: the types, `return(id:)`, and the mutations that register and receive them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from connectors.orders import records
from resolvers import availability as availability_resolvers
from resolvers import order as order_resolvers
from resolvers import return_receipt, returns
from resolvers.errors import Refused
from resolvers.ids import key_of, to_global_id
from schema.availability import Location
from schema.common import Money, Node, UserError
from schema.info import Info
from schema.order import Order, PaymentMethod


@strawberry.enum(description="How a return reaches the retailer.")
class ReturnChannel(Enum):
    STORE = strawberry.enum_value("STORE", description="Brought to a store.")
    MAIL = strawberry.enum_value("MAIL", description="Sent by post.")


@strawberry.enum(description="Where a return is in its life.")
class ReturnStatus(Enum):
    REGISTERED = strawberry.enum_value("REGISTERED", description="Announced, not yet received.")
    RECEIVED = strawberry.enum_value("RECEIVED", description="Goods received and checked.")
    REFUNDED = strawberry.enum_value("REFUNDED", description="Money refunded.")
    REJECTED = strawberry.enum_value("REJECTED", description="Not accepted.")


@strawberry.type(description="A returned quantity of an order line.")
class ReturnLine:
    order_line_id: strawberry.ID = strawberry.field(description="The order line returned.")
    quantity: int = strawberry.field(description="Units returned.")
    reason: str | None = strawberry.field(description="Why, in the customer's words.")


@strawberry.type(description="One part of a refund, e.g. goods, shipping, return costs.")
class RefundComponent:
    kind: str = strawberry.field(
        description="What the money is for: goods, shipping, or return_costs (a return by mail)."
    )
    amount: Money = strawberry.field(description="How much (negative for costs deducted).")


@strawberry.type(description="Money returned for a return, and the loyalty points taken back.")
class Refund:
    amount: Money = strawberry.field(description="Total refunded.")
    method: PaymentMethod = strawberry.field(description="Refunded to: the original method.")
    breakdown: list[RefundComponent] = strawberry.field(description="How the amount is made up.")
    loyalty_points_reversed: int = strawberry.field(description="Points taken back.")


@strawberry.type(description="A return of some lines of an order, by store or mail.")
class Return(Node):
    channel: ReturnChannel = strawberry.field(description="Store or mail.")
    status: ReturnStatus = strawberry.field(description="Where the return is in its life.")
    lines: list[ReturnLine] = strawberry.field(description="What is returned.")
    refund: Refund | None = strawberry.field(
        description="The refund: what it will pay while REGISTERED, what it paid once REFUNDED. "
        "Computed from the amounts the order stored, never from today's prices."
    )
    destination_reasons: list[str] = strawberry.field(
        description="Why the goods go to `destination`: for a return by mail, the store where "
        "the item sells and is nearly gone, or the distribution centre when none qualifies."
    )
    created_at: datetime | None = strawberry.field(description="When it was registered.")
    received_at: datetime | None = strawberry.field(
        description="When the goods arrived and the refund was paid."
    )
    resellable: bool | None = strawberry.field(
        description="Whether the goods could be sold again (and went back into stock); null "
        "until received."
    )
    record: strawberry.Private[records.Return]

    @classmethod
    def from_record(cls, record: records.Return) -> Return:
        refund = record.refund
        return cls(
            id=strawberry.ID(to_global_id("Return", record.id)),
            channel=ReturnChannel(record.channel),
            status=ReturnStatus(record.status),
            lines=[
                ReturnLine(
                    order_line_id=strawberry.ID(line.order_line_id),
                    quantity=line.quantity,
                    reason=line.reason,
                )
                for line in record.lines
            ],
            refund=Refund(
                amount=Money.of(refund.amount, refund.currency),
                method=PaymentMethod(refund.method),
                breakdown=[
                    RefundComponent(kind=c.kind, amount=Money.of(c.amount, refund.currency))
                    for c in refund.breakdown
                ],
                loyalty_points_reversed=refund.loyalty_points_reversed,
            )
            if refund
            else None,
            destination_reasons=[str(r) for r in (record.routing or {}).get("reasons", ())],
            created_at=record.created_at,
            received_at=record.received_at,
            resellable=record.resellable,
            record=record,
        )

    @strawberry.field(
        description="The store that received the goods; null until received, or while the "
        "inventory system is unavailable."
    )
    async def received_at_location(self, info: Info) -> Location | None:
        location_id = self.record.received_location_id
        if location_id is None:
            return None
        found = await availability_resolvers.get_location(info.context, location_id)
        return Location.from_record(found) if found else None

    @strawberry.field(description="The order the goods came from.")
    async def order(self, info: Info) -> Order:
        found = await order_resolvers.order_for_return(info.context, self.record)
        if found is None:
            raise LookupError(f"return {self.record.id} of unknown order {self.record.order_id}")
        return Order.from_record(found, info.context)

    @strawberry.field(
        description="Where the goods are to be sent or brought; null while the inventory system is "
        "unavailable."
    )
    async def destination(self, info: Info) -> Location | None:
        location_id = self.record.destination_location_id
        if location_id is None:
            return None
        found = await availability_resolvers.get_location(info.context, location_id)
        return Location.from_record(found) if found else None


@strawberry.type
class ReturnQuery:
    """Root fields of returns."""

    @strawberry.field(name="return", description="A return by global id.")
    async def return_(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The return's global id.")],
    ) -> Return | None:
        found = await order_resolvers.get_return(info.context, key_of(id, "Return"))
        return Return.from_record(found) if found else None


@strawberry.input(description="Units of one order line to return.")
class ReturnLineInput:
    order_line_id: strawberry.ID = strawberry.field(description="The order line (`OrderLine.id`).")
    quantity: int = strawberry.field(
        description="Units to return: at least 1, at most the line's `returnableQuantity`."
    )
    reason: str | None = strawberry.field(
        default=None, description="Why, in the customer's words (at most 500 characters)."
    )


@strawberry.type(description="The return after a return mutation, or why nothing changed.")
class ReturnPayload:
    return_: Return | None = strawberry.field(
        name="return", description="The return as it is now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was refused; empty on success. Nothing changes when refused."
    )


async def _payload(change: Callable[[], Awaitable[records.Return]]) -> ReturnPayload:
    try:
        returned = await change()
    except Refused as refusal:
        return ReturnPayload(return_=None, user_errors=[UserError.from_refusal(refusal)])
    return ReturnPayload(return_=Return.from_record(returned), user_errors=[])


@strawberry.type
class ReturnMutation:
    """Mutations of returns."""

    @strawberry.mutation(
        description="Register a return of some units of an order: online by the customer (by "
        "mail, or to hand in at any store), at a till by an associate (handed in at their "
        "store), or by a service agent (e.g. a return without a receipt, linked to its order). "
        "A return by mail is sent where the item sells and that size is nearly gone "
        "(`destinationReasons` says why). The refund it will pay is on the return at once. "
        "Refused: ORDER_NOT_FOUND (also for another customer's order), UNKNOWN_ORDER_LINE, "
        "NOT_RETURNABLE (more than is left to return), INVALID_QUANTITY, DUPLICATE_LINE. "
        "Idempotent by `idempotencyKey`."
    )
    async def return_register(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, strawberry.argument(description="The order.")],
        lines: Annotated[
            list[ReturnLineInput], strawberry.argument(description="What comes back.")
        ],
        channel: Annotated[
            ReturnChannel, strawberry.argument(description="By mail, or brought to a store.")
        ],
        idempotency_key: Annotated[
            str,
            strawberry.argument(
                description="Unique per return, chosen by the client: sending the same return "
                "again with it answers the first; another return with it is refused "
                "(IDEMPOTENCY_KEY_REUSED)."
            ),
        ],
    ) -> ReturnPayload:
        request = returns.ReturnRequest(
            order_id=order_id,
            lines=tuple(
                records.ReturnLine(str(line.order_line_id), line.quantity, line.reason)
                for line in lines
            ),
            channel=channel.name,
            idempotency_key=idempotency_key,
        )
        return await _payload(lambda: returns.register_return(info.context, request))

    @strawberry.mutation(
        description="The receiving location confirms the goods arrived and their condition; the "
        "refund is paid at once (to the original payment method) and the return is REFUNDED. "
        "Resellable goods go back into that location's stock, the loyalty points are taken "
        "back and the customer is told — each through the outbox, so a system that is down "
        "learns of it once it is back. Associates receive at their own store (WRONG_LOCATION "
        "otherwise). Receiving twice is RETURN_ALREADY_RECEIVED. Idempotent by "
        "`idempotencyKey`."
    )
    async def return_receive(
        self,
        info: Info,
        return_id: Annotated[strawberry.ID, strawberry.argument(description="The return.")],
        location_id: Annotated[
            strawberry.ID, strawberry.argument(description="Where the goods arrived.")
        ],
        resellable: Annotated[
            bool, strawberry.argument(description="Whether they can be sold again.")
        ],
        idempotency_key: Annotated[
            str,
            strawberry.argument(
                description="Unique per receipt, chosen by the client; the same receipt again "
                "answers the first."
            ),
        ],
    ) -> ReturnPayload:
        request = return_receipt.ReceiptRequest(
            return_id=return_id,
            location_id=location_id,
            resellable=resellable,
            idempotency_key=idempotency_key,
        )
        return await _payload(lambda: return_receipt.receive_return(info.context, request))
