"""Customer types: the customer, linked identifiers, loyalty, interactions, vouchers; me/customer."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from connectors.crm import records
from resolvers import customer as customer_resolvers
from resolvers import order as order_resolvers
from resolvers.context import RequestContext
from resolvers.ids import to_cursor, to_global_id
from resolvers.policy import (
    STAFF_ROLES,
    mask_email,
    mask_identifier,
    mask_tail,
    masks_contact_data,
)
from schema.common import Channel, Money, Node, PageInfo
from schema.info import Info
from schema.order import Order, OrderConnection, OrderEdge


@strawberry.enum(description="Kinds of identifier linked to a customer.")
class IdentifierType(Enum):
    EMAIL = strawberry.enum_value("EMAIL", description="E-mail address.")
    LOYALTY_CARD = strawberry.enum_value("LOYALTY_CARD", description="Loyalty card number.")
    PHONE = strawberry.enum_value("PHONE", description="Phone number.")
    SOCIAL = strawberry.enum_value("SOCIAL", description="A social-media account.")
    EXTERNAL = strawberry.enum_value("EXTERNAL", description="An id in another system.")


@strawberry.enum(description="Loyalty tier; some prices and rules depend on it.")
class CustomerTier(Enum):
    STANDARD = strawberry.enum_value("STANDARD", description="Every customer.")
    SILVER = strawberry.enum_value("SILVER", description="Frequent customers.")
    GOLD = strawberry.enum_value(
        "GOLD", description="Best customers (e.g. no shipping refund rule)."
    )


@strawberry.input(description="An identifier to find a customer by, e.g. a scanned loyalty card.")
class CustomerIdentifierInput:
    type: IdentifierType = strawberry.field(description="Kind of identifier.")
    value: str = strawberry.field(description="The identifier; e-mail matches case-insensitively.")


@strawberry.type(description="An identifier linked to the customer.")
class CustomerIdentifier:
    type: IdentifierType = strawberry.field(description="Kind of identifier.")
    value: str = strawberry.field(description="The identifier (masked for store staff).")
    source: str | None = strawberry.field(description="System the link came from.")


@strawberry.type(description="A customer's loyalty card and real-time points balance.")
class LoyaltyAccount:
    card_number: str = strawberry.field(description="Loyalty card number.")
    points: int = strawberry.field(description="Points balance, read live from the loyalty system.")


@strawberry.type(description="A contact with the customer: a call, a complaint, a store visit.")
class Interaction:
    id: strawberry.ID = strawberry.field(description="The interaction's id in the CRM.")
    at: datetime = strawberry.field(description="When it happened.")
    channel: Channel = strawberry.field(description="Where it happened.")
    kind: str = strawberry.field(description="What kind of contact, e.g. call, complaint.")
    note: str = strawberry.field(description="What was said or done.")
    by: str | None = strawberry.field(description="Who handled it.")


@strawberry.type(description="A voucher issued to a customer, with the reason it was issued.")
class Voucher(Node):
    code: str = strawberry.field(description="The code to redeem.")
    amount: Money = strawberry.field(description="Its value.")
    reason: str = strawberry.field(description="Why it was issued, e.g. a complaint.")
    issued_at: datetime = strawberry.field(description="When it was issued.")
    redeemed_at: datetime | None = strawberry.field(description="When it was redeemed, if it was.")
    expires_at: datetime | None = strawberry.field(
        description="After this moment it can no longer be redeemed; null: it does not expire."
    )
    issued_by: str | None = strawberry.field(
        description="Who issued it, e.g. the service agent after a complaint (staff only; null "
        "for customers)."
    )

    @classmethod
    def from_record(cls, record: records.Voucher, ctx: RequestContext) -> Voucher:
        return cls(
            id=strawberry.ID(to_global_id("Voucher", record.id)),
            code=record.code,
            amount=Money.of(record.amount, record.currency),
            reason=record.reason,
            issued_at=record.issued_at,
            redeemed_at=record.redeemed_at,
            expires_at=record.expires_at,
            issued_by=record.issued_by if ctx.viewer.role in STAFF_ROLES else None,
        )


@strawberry.type(description="A customer under the central customer number, seen across channels.")
class Customer(Node):
    customer_number: str = strawberry.field(description="The central customer number.")
    name: str = strawberry.field(description="Full name.")
    email: str | None = strawberry.field(description="E-mail address (masked for store staff).")
    phone: str | None = strawberry.field(description="Phone number (masked for store staff).")
    tier: CustomerTier = strawberry.field(description="Loyalty tier.")
    identifiers: list[CustomerIdentifier] = strawberry.field(
        description="Identifiers linked to the customer (masked for store staff)."
    )
    record: strawberry.Private[records.Customer]

    @classmethod
    def from_record(cls, record: records.Customer, ctx: RequestContext) -> Customer:
        masked = masks_contact_data(ctx.viewer)
        email, phone = record.email, record.phone
        if masked:
            email = mask_email(email) if email else None
            phone = mask_tail(phone) if phone else None
        return cls(
            id=strawberry.ID(to_global_id("Customer", record.id)),
            customer_number=record.customer_number,
            name=f"{record.first_name} {record.last_name}".strip(),
            email=email,
            phone=phone,
            tier=CustomerTier(record.tier),
            identifiers=[
                CustomerIdentifier(
                    type=IdentifierType(i.type),
                    value=mask_identifier(i.type, i.value) if masked else i.value,
                    source=i.source,
                )
                for i in record.identifiers
            ],
            record=record,
        )

    @strawberry.field(
        description="Loyalty card and points; null without a card or while loyalty is down."
    )
    async def loyalty(self, info: Info) -> LoyaltyAccount | None:
        account = await customer_resolvers.loyalty_of(info.context, self.record)
        if account is None:
            return None
        return LoyaltyAccount(card_number=account.card_number, points=account.points)

    @strawberry.field(
        description="Orders from every channel, newest first; null while the order system is "
        "unavailable (the OMS serves them, not the CRM)."
    )
    async def orders(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the order to continue after.")
        ] = None,
        channel: Annotated[
            Channel | None, strawberry.argument(description="Only orders placed in this channel.")
        ] = None,
    ) -> OrderConnection | None:
        ctx = info.context
        page = await order_resolvers.orders_of(
            ctx,
            self.record.id,
            first=20 if first is None else first,
            after=after,
            channel=channel.name if channel else None,
        )
        edges = [
            OrderEdge(node=Order.from_record(o, ctx), cursor=to_cursor(page.offset + i))
            for i, o in enumerate(page.orders)
        ]
        return OrderConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                end_cursor=edges[-1].cursor if edges else None,
                has_previous_page=page.offset > 0,
                start_cursor=edges[0].cursor if edges else None,
            ),
        )

    @strawberry.field(description="Contacts with the customer, newest first.")
    async def interactions(self, info: Info) -> list[Interaction]:
        found = await customer_resolvers.interactions_of(info.context, self.record)
        return [
            Interaction(
                id=strawberry.ID(i.id),
                at=i.at,
                channel=Channel(i.channel),
                kind=i.kind,
                note=i.note,
                by=i.by,
            )
            for i in found
        ]

    @strawberry.field(
        description="Vouchers issued to the customer, newest first, with their reasons (an "
        "associate at the till sees why one was issued)."
    )
    async def vouchers(self, info: Info) -> list[Voucher]:
        found = await customer_resolvers.vouchers_of(info.context, self.record)
        return [Voucher.from_record(v, info.context) for v in found]


@strawberry.type
class CustomerQuery:
    """Root fields of the customer domain."""

    @strawberry.field(description="The signed-in customer; null when not signed in.")
    async def me(self, info: Info) -> Customer | None:
        found = await customer_resolvers.get_me(info.context)
        return Customer.from_record(found, info.context) if found else None

    @strawberry.field(
        description=(
            "A customer by global id or by a linked identifier (give one). Customers see only "
            "themselves; store staff find customers by loyalty card; service agents see all."
        )
    )
    async def customer(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The customer's global id.")
        ] = None,
        identifier: Annotated[
            CustomerIdentifierInput | None,
            strawberry.argument(description="A linked identifier, e.g. a loyalty card."),
        ] = None,
    ) -> Customer | None:
        found = await customer_resolvers.get_customer(
            info.context,
            id=id,
            identifier=(identifier.type.name, identifier.value) if identifier else None,
        )
        return Customer.from_record(found, info.context) if found else None
