"""The root Query and Mutation: one class per domain, merged."""

from __future__ import annotations

from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition

from schema.availability import LocationQuery
from schema.cart import CartMutation, CartQuery
from schema.checkout import OrderMutation
from schema.customer import CustomerQuery
from schema.node import NodeQuery
from schema.order import OrderQuery
from schema.outbox import OutboxMutation, OutboxQuery
from schema.price import PriceQuery
from schema.product import ProductQuery
from schema.returns import ReturnMutation, ReturnQuery
from schema.service_desk import ServiceDeskMutation

Query = merge_types(
    "Query",
    (
        NodeQuery,
        ProductQuery,
        LocationQuery,
        PriceQuery,
        CartQuery,
        CustomerQuery,
        OrderQuery,
        ReturnQuery,
        OutboxQuery,
    ),
)
get_object_definition(Query, strict=True).description = (
    "Read access to the retailer's catalogue, prices, stock, customers and orders, "
    "in the channel, locale and store of the request."
)

Mutation = merge_types(
    "Mutation",
    (CartMutation, OrderMutation, ReturnMutation, ServiceDeskMutation, OutboxMutation),
)
get_object_definition(Mutation, strict=True).description = (
    "Carts, checkout, changes to orders, returns and the service desk. A refused input changes nothing and is reported "
    "in the payload's `userErrors` with a stable code; a mutation that changes money or "
    "stock takes an idempotency key."
)
