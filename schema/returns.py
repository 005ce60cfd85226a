"""Return mutations: register a return anywhere, receive it, and refund it to the cent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from connectors.orders import records
from resolvers import return_receipt, returns
from resolvers.errors import Refused
from schema.common import UserError
from schema.info import Info
from schema.order import Return, ReturnChannel


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
