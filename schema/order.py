"""Order and return types as the OMS keeps them, with every amount stored per line."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from connectors.orders import records
from resolvers import availability as availability_resolvers
from resolvers import customer as customer_resolvers
from resolvers import order as order_resolvers
from resolvers.context import RequestContext
from resolvers.ids import to_global_id
from schema.availability import Location
from schema.common import Channel, Money, Node, PageInfo
from schema.info import Info
from schema.price import LineDiscount
from schema.product import ProductVariant

if TYPE_CHECKING:
    from schema.customer import Customer
    from schema.returns import Return

CHANNEL_NAMES = frozenset(channel.name for channel in Channel)


@strawberry.enum(description="Where an order is in its life.")
class OrderStatus(Enum):
    PLACED = strawberry.enum_value("PLACED", description="Placed, not yet confirmed.")
    CONFIRMED = strawberry.enum_value("CONFIRMED", description="Confirmed by the retailer.")
    IN_FULFILLMENT = strawberry.enum_value("IN_FULFILLMENT", description="Being picked or packed.")
    SHIPPED = strawberry.enum_value("SHIPPED", description="On its way.")
    READY_FOR_PICKUP = strawberry.enum_value("READY_FOR_PICKUP", description="Waiting in store.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="Delivered or collected.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Cancelled.")
    PARTIALLY_RETURNED = strawberry.enum_value(
        "PARTIALLY_RETURNED", description="Some items returned."
    )
    RETURNED = strawberry.enum_value("RETURNED", description="Every item returned.")


@strawberry.enum(description="How goods reach the customer.")
class FulfillmentType(Enum):
    SHIP_TO_HOME = strawberry.enum_value("SHIP_TO_HOME", description="Delivered to an address.")
    CLICK_AND_COLLECT = strawberry.enum_value(
        "CLICK_AND_COLLECT", description="Collected in a store."
    )
    SHIP_FROM_STORE = strawberry.enum_value(
        "SHIP_FROM_STORE", description="Shipped by a store from its stock."
    )
    CARRY_OUT = strawberry.enum_value("CARRY_OUT", description="Taken home from the till.")


@strawberry.enum(description="How a payment was made.")
class PaymentMethod(Enum):
    CARD = strawberry.enum_value("CARD", description="Debit or credit card.")
    CASH = strawberry.enum_value("CASH", description="Cash at the till.")
    GIFT_CARD = strawberry.enum_value("GIFT_CARD", description="Gift card.")
    VOUCHER = strawberry.enum_value("VOUCHER", description="A voucher.")
    MOBILE = strawberry.enum_value("MOBILE", description="Mobile payment.")
    INVOICE = strawberry.enum_value("INVOICE", description="Pay later by invoice.")


@strawberry.type(description="A line of an order, with every amount as computed at order time.")
class OrderLine:
    id: strawberry.ID = strawberry.field(description="The line's id in the OMS.")
    sku: str = strawberry.field(description="SKU of the variant ordered.")
    quantity: int = strawberry.field(description="Units ordered.")
    unit_list_amount: Money = strawberry.field(description="List price of one unit at order time.")
    discounts: list[LineDiscount] = strawberry.field(
        description="Every discount allocated to this line at order time, order-level ones included."
    )
    total: Money = strawberry.field(description="What was paid for this line.")
    returnable_quantity: int = strawberry.field(description="Units not yet returned.")
    variant_id: strawberry.Private[str | None]

    @strawberry.field(
        description="The variant ordered; null if the PIM no longer has it or is unavailable."
    )
    async def variant(self, info: Info) -> ProductVariant | None:
        if self.variant_id is None:
            return None
        found = await info.context.loaders.variant_by_id.load(self.variant_id)
        return ProductVariant.from_record(found, info.context) if found else None


@strawberry.type(description="A payment towards an order.")
class Payment:
    method: PaymentMethod = strawberry.field(description="How it was paid.")
    amount: Money = strawberry.field(description="How much.")


@strawberry.type(description="A shipment, pick-up or carry-out of an order.")
class Fulfillment:
    id: strawberry.ID = strawberry.field(description="The fulfilment's id in the OMS.")
    type: FulfillmentType = strawberry.field(description="How the goods travel.")
    status: str = strawberry.field(description="Its status in the OMS.")
    delivery_date: date | None = strawberry.field(description="Planned or actual delivery date.")
    location_id: strawberry.Private[str | None]

    @strawberry.field(
        description="Store that ships or hands over the goods, if any; null while the inventory "
        "system is unavailable."
    )
    async def location(self, info: Info) -> Location | None:
        if self.location_id is None:
            return None
        found = await availability_resolvers.get_location(info.context, self.location_id)
        return Location.from_record(found) if found else None


@strawberry.type(description="A step in an order's life: who did what, when, where.")
class AuditEvent:
    at: datetime = strawberry.field(description="When.")
    actor: str = strawberry.field(description="Who: a customer, an associate, a system.")
    channel: Channel | None = strawberry.field(description="Through which channel.")
    action: str = strawberry.field(description="What happened, e.g. PLACED, SHIPPED.")
    detail: str | None = strawberry.field(description="More about it.")


@strawberry.type(description="An order from any channel, as the OMS keeps it.")
class Order(Node):
    number: str = strawberry.field(description="Order number shown to the customer.")
    channel: Channel = strawberry.field(description="Where it was placed.")
    status: OrderStatus = strawberry.field(description="Where it is in its life.")
    placed_at: datetime = strawberry.field(description="When it was placed.")
    lines: list[OrderLine] = strawberry.field(description="What was ordered.")
    subtotal: Money = strawberry.field(description="Sum of list amounts.")
    discount_total: Money = strawberry.field(description="Sum of every discount.")
    shipping: Money = strawberry.field(description="Shipping costs charged.")
    total: Money = strawberry.field(
        description="What was paid: subtotal less discounts plus shipping."
    )
    payments: list[Payment] = strawberry.field(description="How it was paid.")
    fulfillments: list[Fulfillment] = strawberry.field(description="How the goods travel.")
    version: int = strawberry.field(
        description="Changes with every update; pass it back to change the order safely."
    )
    record: strawberry.Private[records.Order]

    @classmethod
    def from_record(cls, record: records.Order, ctx: RequestContext) -> Order:
        currency = record.currency
        return cls(
            id=strawberry.ID(to_global_id("Order", record.id)),
            number=record.number,
            channel=Channel(record.channel),
            status=OrderStatus(record.status),
            placed_at=record.placed_at,
            lines=[
                OrderLine(
                    id=strawberry.ID(line.id),
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_list_amount=Money.of(line.unit_list_amount, currency),
                    discounts=[
                        LineDiscount(
                            promotion_id=strawberry.ID(d.promotion_id),
                            name=ctx.text(d.name) or d.promotion_id,
                            amount=Money.of(d.amount, currency),
                        )
                        for d in line.discounts
                    ],
                    total=Money.of(line.total, currency),
                    returnable_quantity=line.quantity - line.returned_quantity,
                    variant_id=line.variant_id,
                )
                for line in record.lines
            ],
            subtotal=Money.of(record.subtotal, currency),
            discount_total=Money.of(record.discount_total, currency),
            shipping=Money.of(record.shipping, currency),
            total=Money.of(record.total, currency),
            payments=[
                Payment(method=PaymentMethod(p.method), amount=Money.of(p.amount, currency))
                for p in record.payments
            ],
            fulfillments=[
                Fulfillment(
                    id=strawberry.ID(f.id),
                    type=FulfillmentType(f.type),
                    status=f.status,
                    delivery_date=f.delivery_date,
                    location_id=f.location_id,
                )
                for f in record.fulfillments
            ],
            version=record.version,
            record=record,
        )

    @strawberry.field(
        description="The store it was placed in (till orders), if any; null while the inventory "
        "system is unavailable."
    )
    async def location(self, info: Info) -> Location | None:
        if self.record.location_id is None:
            return None
        found = await availability_resolvers.get_location(info.context, self.record.location_id)
        return Location.from_record(found) if found else None

    @strawberry.field(
        description="Who placed it; null for a guest order or while the CRM is unavailable."
    )
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("schema.customer")] | None:
        from schema.customer import Customer

        if self.record.customer_id is None:
            return None
        found = await customer_resolvers.get_customer_for_order(
            info.context, self.record.customer_id
        )
        return Customer.from_record(found, info.context) if found else None

    @strawberry.field(
        description="Its life so far, oldest first: the OMS's events (placed, routed and why, "
        "confirmed...) and, for service agents, the gateway's audit trail of each decision: "
        "who, through which channel, and the data it was based on."
    )
    async def history(self, info: Info) -> list[AuditEvent]:
        events = await order_resolvers.history_of(info.context, self.record)
        return [
            AuditEvent(
                at=event.at,
                actor=event.actor,
                channel=Channel(event.channel) if event.channel in CHANNEL_NAMES else None,
                action=event.action,
                detail=event.detail,
            )
            for event in events
        ]

    @strawberry.field(description="Returns registered against this order.")
    async def returns(
        self, info: Info
    ) -> list[Annotated[Return, strawberry.lazy("schema.returns")]]:
        from schema.returns import Return

        found = await order_resolvers.returns_of(info.context, self.record)
        return [Return.from_record(r) for r in found]


@strawberry.type(description="An order in a page of orders.")
class OrderEdge:
    node: Order = strawberry.field(description="The order.")
    cursor: str = strawberry.field(description="Pass as `after` to continue after this order.")


@strawberry.type(description="A page of orders, newest first.")
class OrderConnection:
    edges: list[OrderEdge] = strawberry.field(description="The orders of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page starts and ends.")


@strawberry.type
class OrderQuery:
    """Root fields of the order domain."""

    @strawberry.field(description="An order by global id or order number (give one).")
    async def order(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The order's global id.")
        ] = None,
        number: Annotated[
            str | None, strawberry.argument(description="The order number, e.g. W-000123.")
        ] = None,
    ) -> Order | None:
        found = await order_resolvers.get_order(info.context, id=id, number=number)
        return Order.from_record(found, info.context) if found else None
