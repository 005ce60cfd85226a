"""Customers from the CRM, their loyalty account and history, behind the access policy."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import get_args

from connectors.crm.records import Customer, IdentifierType, Interaction, Voucher
from connectors.loyalty.records import LoyaltyAccount
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Forbidden
from resolvers.ids import key_of
from resolvers.loaders import CustomerOrdersKey, started_early
from resolvers.policy import ensure_may_look_up_by, ensure_may_read_customer

_IDENTIFIER_TYPES: dict[str, IdentifierType] = {name: name for name in get_args(IdentifierType)}


async def get_me(ctx: RequestContext) -> Customer | None:
    """The signed-in customer; null for anyone who is not a customer."""
    if ctx.viewer.role == "anonymous":
        return None
    if ctx.viewer.customer_id is None:
        raise Forbidden("Only customers have a `me`; staff look customers up with `customer`.")
    return await ctx.loaders.customer_by_id.load(ctx.viewer.customer_id)


def warm_me(ctx: RequestContext, *, loyalty: bool, order_channels: Collection[str | None]) -> None:
    """Start loading the signed-in customer's loyalty account and orders beside the customer.

    Both are keyed by the customer id the token carries, so they need not wait for the
    CRM's answer: a customer page waits for one level of calls less. Only what the query
    selects is loaded; nothing is loaded for a viewer the policy would not show it to.
    """
    customer_id = ctx.viewer.customer_id
    if customer_id is None:
        return
    try:
        ensure_may_read_customer(ctx.viewer, customer_id)
    except Forbidden:
        return
    if loyalty:
        started_early(ctx.loaders.loyalty_account_by_customer.load(customer_id))
    for channel in order_channels:
        started_early(ctx.loaders.orders_by_customer.load(CustomerOrdersKey(customer_id, channel)))


async def get_customer(
    ctx: RequestContext, *, id: str | None, identifier: tuple[str, str] | None
) -> Customer | None:
    if (id is None) == (identifier is None):
        raise BadUserInput("Give exactly one of id, identifier.", arguments=["id", "identifier"])
    if id is not None:
        customer_id: str | None = key_of(id, "Customer")
    else:
        assert identifier is not None
        name, value = identifier
        kind = _IDENTIFIER_TYPES.get(name)
        if kind is None:
            raise BadUserInput(f"Unknown identifier type {name!r}.", argument="identifier.type")
        ensure_may_look_up_by(ctx.viewer, kind)
        if not value.strip():
            raise BadUserInput("identifier.value must not be empty.", argument="identifier")
        customer_id = await ctx.loaders.customer_id_by_identifier.load((kind, value.strip()))
    if customer_id is None:
        return None
    ensure_may_read_customer(ctx.viewer, customer_id)
    return await ctx.loaders.customer_by_id.load(customer_id)


async def get_customer_for_order(ctx: RequestContext, customer_id: str) -> Customer | None:
    ensure_may_read_customer(ctx.viewer, customer_id)
    return await ctx.loaders.customer_by_id.load(customer_id)


async def loyalty_of(ctx: RequestContext, customer: Customer) -> LoyaltyAccount | None:
    ensure_may_read_customer(ctx.viewer, customer.id)
    return await ctx.loaders.loyalty_account_by_customer.load(customer.id)


async def interactions_of(ctx: RequestContext, customer: Customer) -> Sequence[Interaction]:
    ensure_may_read_customer(ctx.viewer, customer.id)
    return await ctx.loaders.interactions_by_customer.load(customer.id)


async def vouchers_of(ctx: RequestContext, customer: Customer) -> Sequence[Voucher]:
    ensure_may_read_customer(ctx.viewer, customer.id)
    return await ctx.loaders.vouchers_by_customer.load(customer.id)
