"""Checkout: from a cart to an order, the same way in every channel.

The read half decides, the saga (resolvers/checkout_saga.py) writes:

1. The idempotency key is claimed first (scope: the customer, the staff member, or the
   anonymous cart). A retry with the same key and input returns the first order; the same
   key with other input is refused (`IDEMPOTENCY_KEY_REUSED`); a retry while the first
   attempt still runs is refused (`CHECKOUT_IN_PROGRESS`) and may be sent again later.
2. The cart must be the viewer's, open and not empty; the payment method allowed in
   the channel; the fulfilment possible (resolvers/fulfilment.py picks the locations).
3. Voucher codes, if any, are read live and each checked (resolvers/vouchers.py): known,
   issued to the cart's customer, not redeemed, not expired.
4. The promotion engine re-prices the cart exactly as `Cart.quote` shows it (the
   customer's tier, purchases in every channel, coupons); a coupon that does not apply
   is refused rather than silently dropped.
5. Every amount of the order is computed (resolvers/order_amounts.py); the vouchers pay
   first, the chosen method the rest, and points are earned on what the vouchers did not
   pay (resolvers/voucher_rules.py). The plan goes to the saga, which redeems the vouchers
   before it reserves the stock. Any refusal before the order leaves vouchers, stock,
   points and cart as they were.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass
from decimal import Decimal

from connectors.common import GeoPoint
from connectors.crm.records import Voucher
from connectors.orders.records import NewOrder, Order, OrderEvent
from ledger import fingerprint
from resolvers import fulfilment
from resolvers.cart import get_cart
from resolvers.checkout_saga import SCOPE, CheckoutPlan, CheckoutSaga
from resolvers.context import RequestContext
from resolvers.errors import Refused, ledger_errors, refusals
from resolvers.idempotent import checked_key, claim
from resolvers.ids import key_of
from resolvers.order_amounts import OrderAmounts, order_amounts, points_for
from resolvers.price import quote_cart
from resolvers.voucher_rules import split_payment
from resolvers.vouchers import vouchers_for_checkout


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """The checkout input as the mutation gives it."""

    cart_id: str
    fulfillment: str
    location_id: str | None
    payment_method: str
    idempotency_key: str
    coupon_codes: tuple[str, ...] = ()
    destination: GeoPoint | None = None
    voucher_codes: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """A hash of the input: the same key must come with the same checkout."""
        printed: dict[str, object] = {
            "cart": self.cart_id,
            "fulfillment": self.fulfillment,
            "location": self.location_id,
            "payment": self.payment_method,
            "coupons": sorted(self.coupon_codes),
            "destination": None
            if self.destination is None
            else [self.destination.latitude, self.destination.longitude],
        }
        # Only when given, so that a checkout without vouchers prints as it always did.
        if self.voucher_codes:
            printed["vouchers"] = sorted({code.strip().upper() for code in self.voucher_codes})
        return fingerprint(printed)


def _scope(ctx: RequestContext, cart_key: str) -> str:
    viewer = ctx.viewer
    if viewer.role == "customer" and viewer.customer_id:
        return f"{SCOPE}customer:{viewer.customer_id}"
    if viewer.is_authenticated and viewer.subject:
        return f"{SCOPE}{viewer.role}:{viewer.subject}"
    return f"{SCOPE}cart:{cart_key}"


async def checkout(ctx: RequestContext, request: CheckoutRequest) -> Order:
    with ledger_errors():
        return await _checkout(ctx, request)


async def _checkout(ctx: RequestContext, request: CheckoutRequest) -> Order:
    field = ("input", "idempotencyKey")
    key = checked_key(request.idempotency_key, field)
    cart_key = key_of(request.cart_id, "Cart", "input.cartId")
    scope = _scope(ctx, cart_key)
    claimed = await claim(ctx, scope, key, request.fingerprint(), field=field, what="checkout")
    if claimed.state == "done":
        return await _first_order(ctx, str(claimed.result["order_id"]))
    try:
        plan = await _plan(ctx, request, scope, key)
    except BaseException:
        await ctx.ledger.idempotency.fail(scope, key)
        raise
    saga = CheckoutSaga(ctx.sources, ctx.ledger, ctx.clock)
    with refusals(("input", "cartId")):
        return await saga.execute(plan)


async def _first_order(ctx: RequestContext, order_id: str) -> Order:
    order = await ctx.loaders.order_by_id.load(order_id)
    if order is None:
        raise LookupError(f"order {order_id} of a settled checkout is not in the OMS")
    return order


async def _plan(
    ctx: RequestContext, request: CheckoutRequest, scope: str, key: str
) -> CheckoutPlan:
    cart = await get_cart(ctx, request.cart_id, argument="input.cartId")
    if cart is None:
        raise Refused("CART_NOT_FOUND", "No such cart.", ("input", "cartId"))
    if cart.status != "OPEN":
        raise Refused(
            "CART_NOT_OPEN", "This cart was already ordered or merged.", ("input", "cartId")
        )
    if not cart.lines:
        raise Refused("EMPTY_CART", "The cart is empty.", ("input", "cartId"))
    allowed = ctx.rules.payment_methods.get(cart.channel, ())
    if request.payment_method not in allowed:
        raise Refused(
            "PAYMENT_METHOD_NOT_ACCEPTED",
            f"{request.payment_method} is not accepted in the {cart.channel} channel "
            f"(accepted: {', '.join(allowed) or 'none'}).",
            ("input", "paymentMethod"),
        )

    vouchers = await vouchers_for_checkout(ctx, request.voucher_codes, cart.customer_id)

    async def priced() -> OrderAmounts:
        quote, variants = await asyncio.gather(
            quote_cart(ctx, cart, request.coupon_codes, refuse_coupons=True),
            ctx.loaders.variant_by_id.load_many([line.variant_id for line in cart.lines]),
        )
        skus = {v.id: v.sku for v in variants if v is not None}
        return order_amounts(
            quote, skus=skus, fulfillment=request.fulfillment, rules=ctx.rules.checkout
        )

    # Pricing and reading the stock depend on the cart only: they run side by side, and
    # routing, which weighs shipping against the order's margin, waits for the amounts.
    pricing = asyncio.ensure_future(priced())
    try:
        where = await fulfilment.plan(
            ctx,
            cart,
            fulfillment=request.fulfillment,
            location_id=request.location_id,
            destination=request.destination,
            amounts=pricing,
        )
        amounts = await pricing
    finally:
        if not pricing.done():
            pricing.cancel()
            with contextlib.suppress(BaseException):
                await pricing
    _check_vouchers_pay(vouchers, amounts)
    split = split_payment(
        total=amounts.total,
        goods=amounts.goods,
        vouchers=sum((v.amount for v in vouchers), Decimal(0)),
        method=request.payment_method,
        currency=amounts.currency,
    )
    # Earned on what was paid by other methods than VOUCHER (resolvers/voucher_rules.py).
    points = points_for(split.goods_paid, ctx.rules.checkout)
    checkout_id = uuid.uuid4().hex
    order_id = f"o-{checkout_id[:20]}"
    actor = ctx.viewer.subject or ctx.viewer.role
    order = NewOrder(
        id=order_id,
        channel=cart.channel,
        location_id=where.ordered_at,
        customer_id=cart.customer_id,
        cart_id=cart.id,
        currency=amounts.currency,
        lines=amounts.lines,
        subtotal=amounts.subtotal,
        discount_total=amounts.discount_total,
        shipping=amounts.shipping,
        total=amounts.total,
        payments=split.payments,
        fulfillments=where.fulfillments,
        routing=where.routing,
        history=(
            OrderEvent(actor=actor, action="PLACED", channel=cart.channel),
            *(
                (
                    OrderEvent(
                        actor=actor, action="ROUTED", channel=cart.channel, detail=where.summary
                    ),
                )
                if where.summary
                else ()
            ),
        ),
    )
    return CheckoutPlan(
        checkout_id=checkout_id,
        order_id=order_id,
        idempotency_scope=scope,
        idempotency_key=key,
        reservation=where.reservation,
        order=order,
        customer_id=cart.customer_id,
        points=points,
        actor=actor,
        role=ctx.viewer.role,
        channel=cart.channel,
        request_id=ctx.request_id,
        sources={
            "quote": {"total": str(amounts.goods), "promotions": list(amounts.promotion_ids)},
            "stock": where.stock,
            "routing": where.routing,
            **(
                {
                    "vouchers": {v.code: str(v.amount) for v in vouchers},
                    "paid": str(split.goods_paid),
                }
                if vouchers
                else {}
            ),
        },
        vouchers=tuple(v.code for v in vouchers),
    )


def _check_vouchers_pay(vouchers: tuple[Voucher, ...], amounts: OrderAmounts) -> None:
    """Refuse a voucher in another currency, or one the vouchers before it already cover."""
    covered = Decimal(0)
    for index, voucher in enumerate(vouchers):
        field = ("input", "voucherCodes", str(index))
        if voucher.currency != amounts.currency:
            raise Refused(
                "VOUCHER_NOT_APPLICABLE",
                f"Voucher {voucher.code} is in {voucher.currency}, the order in {amounts.currency}.",
                field,
            )
        if covered >= amounts.total:
            raise Refused(
                "VOUCHER_NOT_NEEDED",
                f"The vouchers before {voucher.code} pay the whole order; keep it for another.",
                field,
            )
        covered += voucher.amount
