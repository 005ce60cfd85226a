"""The service desk's mutations: vouchers issued, contacts recorded, identifiers linked, missed promotions corrected."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated

import strawberry

from connectors.crm import records
from resolvers import promotion_correction, service_desk
from resolvers import vouchers as voucher_resolvers
from resolvers.errors import Refused
from schema.common import UserError
from schema.customer import Customer, CustomerIdentifierInput, Voucher
from schema.info import Info


@strawberry.type(description="The voucher after a voucher mutation, or why nothing changed.")
class VoucherPayload:
    voucher: Voucher | None = strawberry.field(description="The voucher; null when refused.")
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was refused; empty on success. Nothing changes when refused."
    )


@strawberry.type(description="The customer after a customer mutation, or why nothing changed.")
class CustomerPayload:
    customer: Customer | None = strawberry.field(
        description="The customer as it is now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was refused; empty on success. Nothing changes when refused."
    )


async def _voucher_payload(
    info: Info, change: Callable[[], Awaitable[records.Voucher]]
) -> VoucherPayload:
    try:
        voucher = await change()
    except Refused as refusal:
        return VoucherPayload(voucher=None, user_errors=[UserError.from_refusal(refusal)])
    return VoucherPayload(voucher=Voucher.from_record(voucher, info.context), user_errors=[])


async def _customer_payload(
    info: Info, change: Callable[[], Awaitable[records.Customer]]
) -> CustomerPayload:
    try:
        customer = await change()
    except Refused as refusal:
        return CustomerPayload(customer=None, user_errors=[UserError.from_refusal(refusal)])
    return CustomerPayload(customer=Customer.from_record(customer, info.context), user_errors=[])


@strawberry.type
class ServiceDeskMutation:
    """Mutations of customer service and store staff on customers and their orders."""

    @strawberry.mutation(
        description="Issue a voucher to a customer, with the reason (service agents and "
        "admins). The amount is more than zero and at most the configured maximum "
        "(INVALID_AMOUNT, AMOUNT_TOO_LARGE); the reason is required (REASON_REQUIRED, "
        "REASON_TOO_LONG); it expires after the configured number of days. The customer is "
        "sent the code. With `idempotencyKey`, sending it again returns the first voucher."
    )
    async def voucher_issue(
        self,
        info: Info,
        customer_id: Annotated[strawberry.ID, strawberry.argument(description="The customer.")],
        amount: Annotated[
            Decimal, strawberry.argument(description='What it is worth, e.g. "10.00".')
        ],
        reason: Annotated[
            str, strawberry.argument(description="Why it is issued, e.g. the complaint.")
        ],
        idempotency_key: Annotated[
            str | None,
            strawberry.argument(
                description="Unique per voucher, chosen by the client: the same issue sent "
                "again with it returns the first voucher; the key for another voucher is "
                "refused with IDEMPOTENCY_KEY_REUSED."
            ),
        ] = None,
    ) -> VoucherPayload:
        return await _voucher_payload(
            info,
            lambda: voucher_resolvers.issue_voucher(
                info.context, customer_id, amount, reason, idempotency_key
            ),
        )

    @strawberry.mutation(
        description="Record a contact with a customer: a call, a complaint, the customer's "
        "reaction at the till (service agents, admins and store associates). The channel is "
        "the request's and `by` the signed-in staff member. `kind` is a word such as call, "
        "complaint, store_visit, reaction (INVALID_KIND); `note` is required (NOTE_REQUIRED)."
    )
    async def interaction_record(
        self,
        info: Info,
        customer_id: Annotated[strawberry.ID, strawberry.argument(description="The customer.")],
        kind: Annotated[str, strawberry.argument(description="What kind of contact.")],
        note: Annotated[str, strawberry.argument(description="What was said or done.")],
    ) -> CustomerPayload:
        return await _customer_payload(
            info,
            lambda: service_desk.record_interaction(info.context, customer_id, kind, note),
        )

    @strawberry.mutation(
        description="Link an identifier to a customer, who is then found by it (service "
        "agents and admins; a store associate may link a loyalty card at the till). "
        "INVALID_IDENTIFIER for a malformed one, IDENTIFIER_TAKEN when another customer has it."
    )
    async def customer_identifier_link(
        self,
        info: Info,
        customer_id: Annotated[strawberry.ID, strawberry.argument(description="The customer.")],
        identifier: Annotated[
            CustomerIdentifierInput, strawberry.argument(description="The identifier to link.")
        ],
    ) -> CustomerPayload:
        return await _customer_payload(
            info,
            lambda: service_desk.link_identifier(
                info.context, customer_id, identifier.type.name, identifier.value
            ),
        )

    @strawberry.mutation(
        description="Correct a promotion an order missed (service agents and admins): its "
        "lines are priced again as of when it was placed, with the customer's purchases in "
        "every channel before it; the customer gets a voucher for what they paid too much, "
        "its reason naming the order and the promotions missed. Once per order: asking again "
        "returns the same voucher. NOTHING_MISSED when the order got every promotion due."
    )
    async def order_promotion_correct(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, strawberry.argument(description="The order.")],
        note: Annotated[
            str | None,
            strawberry.argument(description="Added to the voucher's reason, e.g. the complaint."),
        ] = None,
    ) -> VoucherPayload:
        return await _voucher_payload(
            info,
            lambda: promotion_correction.correct_missed_promotions(info.context, order_id, note),
        )
