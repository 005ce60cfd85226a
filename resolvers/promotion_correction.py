"""A promotion the customer missed, corrected with a voucher (journey 6, the service desk).

"A customer complains a promotion was missed in store and receives a correction." The order's lines are priced again by the one promotion engine *as of the moment it was
placed*: the channel it was placed in, the customer's tier (as the CRM has it now; tiers
have no history), and what the customer had bought in every channel before it within the
cross-channel promotions running then (the order itself left out). If the goods paid
(the sum of the line totals, each as stored at order time) exceed that quote's total by a
cent or more, the customer gets a voucher for the difference, its reason naming the order
and the promotions the order missed; otherwise the answer is NOTHING_MISSED.

One correction per order: the voucher's id derives from the order's, so asking again —
or two agents at once — answers the same voucher, which the CRM issued once. The decision
is audited on the order with the quote it rests on, so a service agent sees it in
`Order.history`.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.crm.records import Voucher
from connectors.errors import ConnectorError, UnknownKeys
from connectors.orders.records import Order
from connectors.pricing.records import Quote, QuoteLineRequest
from kernel.money import round_money
from resolvers import audit
from resolvers.context import RequestContext
from resolvers.errors import (
    Refused,
    from_connector_error,
    source_errors,
)
from resolvers.ids import key_of
from resolvers.order import order_to_change
from resolvers.price import purchase_history
from resolvers.voucher_rules import MAX_REASON_LENGTH
from resolvers.vouchers import ensure_may_issue, issue_voucher_record, voucher_facts, voucher_id_for

_CENT = Decimal("0.01")


async def correct_missed_promotions(
    ctx: RequestContext, order_id: str, note: str | None = None
) -> Voucher:
    """The order's correction voucher: issued now, or the one issued when asked before."""
    ensure_may_issue(ctx)
    order = await order_to_change(ctx, key_of(order_id, "Order", "orderId"))
    if order.customer_id is None:
        raise Refused(
            "CUSTOMER_REQUIRED",
            "The order has no customer to give a voucher to; link it to the customer first.",
            ("orderId",),
        )
    voucher_id = voucher_id_for("correction", order.id)
    with source_errors():
        issued = await ctx.sources.crm.get_vouchers([order.customer_id])
    for voucher in issued.get(order.customer_id, ()):
        if voucher.id == voucher_id:
            return voucher
    quote = await _quote_as_placed(ctx, order, order.customer_id)
    paid = sum((line.total for line in order.lines if line.variant_id), Decimal(0))
    missed = round_money(paid - quote.total, order.currency)
    if missed < _CENT:
        raise Refused(
            "NOTHING_MISSED",
            f"Order {order.number} got every promotion it was due when it was placed.",
            ("orderId",),
        )
    applied = {d.promotion_id for line in order.lines for d in line.discounts}
    names = [ctx.text(p.name) or p.id for p in quote.promotions if p.id not in applied]
    reason = f"Correction for order {order.number}: missed {', '.join(names) or 'a discount'}"
    if note and note.strip():
        reason = f"{reason}. {note.strip()}"
    voucher = await issue_voucher_record(
        ctx,
        voucher_id,
        order.customer_id,
        missed,
        reason[:MAX_REASON_LENGTH],
        audited=False,
    )
    await audit.record_quietly(
        ctx,
        audit.event(
            ctx,
            "promotion_corrected",
            "Order",
            order.id,
            f"voucher {voucher.code} of {voucher.amount} {voucher.currency}: {voucher.reason}",
            {
                "quote": {
                    "at": order.placed_at.isoformat(),
                    "total": str(quote.total),
                    "promotions": [p.id for p in quote.promotions],
                },
                "paid": str(paid),
                "voucher": voucher_facts(voucher),
            },
        ),
    )
    return voucher


async def _quote_as_placed(ctx: RequestContext, order: Order, customer_id: str) -> Quote:
    """The order's lines priced as the engine would have priced them when it was placed."""
    requests = [
        QuoteLineRequest(line.variant_id, line.quantity) for line in order.lines if line.variant_id
    ]
    if not requests:
        raise Refused("NOTHING_MISSED", "The order has no lines to price again.", ("orderId",))
    customer = await ctx.loaders.customer_by_id.load(customer_id)
    history = await purchase_history(ctx, customer_id, before=order)
    try:
        return await ctx.sources.pricing.quote(
            requests,
            channel=order.channel,
            customer_id=customer_id,
            tier=customer.tier if customer else None,
            history=history,
            at=order.placed_at,
        )
    except UnknownKeys as exc:
        raise Refused(
            "NOT_PRICEABLE",
            f"The price engine no longer prices {', '.join(exc.keys)} in {order.channel}.",
            ("orderId",),
        ) from exc
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc
