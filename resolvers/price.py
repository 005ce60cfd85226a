"""Prices and basket quotes from the price engine, for the request's channel and customer tier."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from connectors.errors import ConnectorError, UnknownKeys
from connectors.orders.records import Cart, Order
from connectors.pricing.records import Price, PurchaseRecord, Quote, QuoteLineRequest
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Refused, SourceError, from_connector_error
from resolvers.ids import key_of, to_global_id
from resolvers.loaders import PriceKey
from resolvers.policy import ensure_may_read_customer

MAX_QUANTITY = 999
MAX_BASKET_LINES = 200


async def viewer_tier(ctx: RequestContext) -> str | None:
    """The signed-in customer's tier, which some promotions depend on (None when anonymous)."""
    if ctx.viewer.customer_id is None:
        return None
    customer = await ctx.loaders.customer_by_id.load(ctx.viewer.customer_id)
    return customer.tier if customer else None


async def shown_tier(ctx: RequestContext) -> str | None:
    """The tier a unit price is shown for: the viewer's, or none while the CRM is down.

    A price belongs to the price engine, and a CRM outage must not null it (DESIGN.md §5).
    Without the tier the engine gives the channel's public price, which every anonymous
    shopper sees too; the CRM's own fields carry the outage's error. A basket quote does
    not fall back: it is what the customer pays, so it fails instead.
    """
    try:
        return await viewer_tier(ctx)
    except SourceError:
        return None


def _checked_quantity(quantity: int, argument: str = "quantity") -> int:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise BadUserInput(f"{argument} must be between 1 and {MAX_QUANTITY}.", argument=argument)
    return quantity


async def price_of(
    ctx: RequestContext, variant_id: str, *, quantity: int = 1, channel: str | None = None
) -> Price | None:
    tier = await shown_tier(ctx)
    key = PriceKey(variant_id, channel or ctx.channel, _checked_quantity(quantity), tier)
    return await ctx.loaders.price_by_key.load(key)


async def prices_of(
    ctx: RequestContext, variant_ids: Sequence[str], *, quantity: int = 1
) -> list[Price | None]:
    """Unit prices of many variants in the request's channel: one loader batch for a listing."""
    tier = await shown_tier(ctx)
    keys = [PriceKey(v, ctx.channel, _checked_quantity(quantity), tier) for v in variant_ids]
    return await ctx.loaders.price_by_key.load_many(keys)


async def quote_basket(
    ctx: RequestContext,
    lines: Sequence[tuple[str, int]],
    customer_id: str | None,
    coupons: Sequence[str] = (),
) -> Quote:
    """Price basket lines (variant global id, quantity) for a customer, or the viewer."""
    if not lines:
        raise BadUserInput("A basket needs at least one line.", argument="lines")
    if len(lines) > MAX_BASKET_LINES:
        raise BadUserInput(f"A basket has at most {MAX_BASKET_LINES} lines.", argument="lines")
    requests = [
        QuoteLineRequest(key_of(variant, "ProductVariant", "variantId"), _checked_quantity(qty))
        for variant, qty in lines
    ]
    customer_key = key_of(customer_id, "Customer", "customerId") if customer_id else None
    if customer_key is not None:
        ensure_may_read_customer(ctx.viewer, customer_key)
    else:
        customer_key = ctx.viewer.customer_id
    return await quote(
        ctx, requests, channel=ctx.channel, customer_id=customer_key, coupons=coupons
    )


async def quote_cart(
    ctx: RequestContext, cart: Cart, coupons: Sequence[str] = (), *, refuse_coupons: bool = False
) -> Quote:
    """The cart priced as checkout prices it: its channel, its owner, their history.

    With `refuse_coupons`, a coupon the engine did not apply is refused (checkout must not
    charge more than the customer was told); `Cart.quote` reports it in `coupons` instead.
    """
    requests = [QuoteLineRequest(line.variant_id, line.quantity) for line in cart.lines]
    if not requests:
        return await quote(ctx, [], channel=cart.channel, customer_id=None)
    priced = await quote(
        ctx, requests, channel=cart.channel, customer_id=cart.customer_id, coupons=coupons
    )
    if refuse_coupons:
        for index, result in enumerate(priced.coupons):
            if result.status != "APPLIED":
                raise Refused(
                    f"COUPON_{result.status}",
                    f"Coupon {result.code!r} {_COUPON_WORDS.get(result.status, 'does not apply')}.",
                    ("input", "couponCodes", str(index)),
                )
    return priced


_COUPON_WORDS = {
    "UNKNOWN": "is not known",
    "EXPIRED": "has expired",
    "NOT_APPLICABLE": "does not apply to this cart",
}


async def quote(
    ctx: RequestContext,
    requests: Sequence[QuoteLineRequest],
    *,
    channel: str,
    customer_id: str | None,
    coupons: Sequence[str] = (),
) -> Quote:
    """The one way the gateway asks the engine for a basket's price.

    For a known customer it passes their tier and, when cross-channel promotions run,
    what they bought in every channel since the earliest of them began (one OMS call):
    the engine decides which of those units count, so basket, cart and checkout agree.
    """
    tier: str | None = None
    history: Sequence[PurchaseRecord] = ()
    if customer_id is not None:
        # Both depend on the customer only: one round trip, not two.
        customer, history = await asyncio.gather(
            ctx.loaders.customer_by_id.load(customer_id), purchase_history(ctx, customer_id)
        )
        tier = customer.tier if customer else None
    try:
        return await ctx.sources.pricing.quote(
            requests,
            channel=channel,
            customer_id=customer_id,
            tier=tier,
            history=history,
            coupons=list(coupons),
        )
    except UnknownKeys as exc:
        unknown = ", ".join(to_global_id("ProductVariant", key) for key in exc.keys)
        raise BadUserInput(f"No price for these variants: {unknown}.", argument="lines") from exc
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc


async def purchase_history(
    ctx: RequestContext, customer_id: str, *, before: Order | None = None
) -> tuple[PurchaseRecord, ...]:
    """The customer's purchases in every channel within the running cross-channel promotions.

    With `before`, as that order saw them: the promotions running when it was placed, and
    the purchases until then, the order itself left out.
    """
    at = before.placed_at if before else None
    try:
        running = await ctx.sources.pricing.get_promotions(cross_channel=True, active_at=at)
        if not running:
            return ()
        since = min(promotion.starts_at for promotion in running)
        found = await ctx.sources.orders.get_customer_purchases(
            [customer_id], since=since, until=at
        )
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc
    return tuple(
        PurchaseRecord(
            order_id=p.order_id,
            channel=p.channel,
            placed_at=p.placed_at,
            variant_id=p.variant_id,
            quantity=p.quantity,
        )
        for p in found.get(customer_id, ())
        if before is None or p.order_id != before.id
    )
