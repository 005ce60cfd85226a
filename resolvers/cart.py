"""Carts: kept by the OMS, shared by every device, guarded and checked here.

The OMS stores carts and versions them; the gateway decides who may use one and what may
go in it (DESIGN §4: "the moment one item goes into a basket, availability is checked
live"):

* A cart's id is its capability while the cart is anonymous: whoever holds it may use it
  (a phone shows the desktop's cart by its id). Once a customer owns it, only that
  customer and store staff may; to anyone else it does not exist (`CART_NOT_FOUND`,
  nothing changed), so an id says nothing about carts one may not see.
* A line's variant must be known to the PIM, sellable in the cart's channel (complete
  and priced) and in stock, live, where the cart's channel sells from: every location
  that fulfils for the channel; for a till or kiosk cart its store and what the web shop
  delivers (checkout then decides how: carry-out needs the store's own stock).
* `cartAttachCustomer` hands an anonymous cart to the signed-in customer, or — for a
  store associate — to the customer identified at the till (a scanned loyalty card);
  the OMS merges it into that customer's open cart if there is one.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from connectors.errors import ConnectorError
from connectors.orders.records import Cart, CartLineChange
from resolvers import audit
from resolvers.availability import all_locations, live_stock, request_store_id
from resolvers.context import RequestContext
from resolvers.customer import get_customer
from resolvers.errors import BadUserInput, Refused, from_connector_error, refusals
from resolvers.ids import key_of, to_global_id
from resolvers.policy import STAFF_ROLES

#: Lines one cart may hold; more is a script, not a shopper.
MAX_CART_LINES = 100

#: Channels that sell through a cart; signage only shows.
SELLING_CHANNELS = frozenset({"WEB", "APP", "STORE", "KIOSK", "MARKETPLACE", "CALL_CENTER"})


@dataclass(frozen=True, slots=True)
class LineInput:
    """A line as a mutation gives it: a variant's global id and a quantity."""

    variant_id: str
    quantity: int


def may_use(ctx: RequestContext, cart: Cart) -> bool:
    """Whether the viewer may see and change `cart` (see the module docstring)."""
    if cart.customer_id is None:
        return True
    if ctx.viewer.role == "customer":
        return ctx.viewer.customer_id == cart.customer_id
    return ctx.viewer.role in STAFF_ROLES


async def get_cart(ctx: RequestContext, cart_id: str, *, argument: str = "id") -> Cart | None:
    """The cart with this global id, or None when it is absent or not the viewer's."""
    key = key_of(cart_id, "Cart", argument)
    try:
        carts = await ctx.sources.orders.get_carts([key])
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc
    cart = carts.get(key)
    return cart if cart is not None and may_use(ctx, cart) else None


async def _usable_cart(ctx: RequestContext, cart_id: str) -> Cart:
    cart = await get_cart(ctx, cart_id, argument="cartId")
    if cart is None:
        raise Refused("CART_NOT_FOUND", "No such cart.", ("cartId",))
    if cart.status != "OPEN":
        raise Refused(
            "CART_NOT_OPEN",
            f"This cart is {cart.status.lower()}; carts that were ordered or merged are closed.",
            ("cartId",),
        )
    return cart


def _checked_lines(
    lines: Sequence[LineInput], *, minimum: int = 1, what: str = "1 or more"
) -> list[CartLineChange]:
    """(variant key, quantity) per line, each at least `minimum` units.

    The most units of one variant is checked by `_check_lines`, on what the cart would
    hold: a line within it can still push the cart's total over.
    """
    if len(lines) > MAX_CART_LINES:
        raise Refused("TOO_MANY_LINES", f"A cart holds at most {MAX_CART_LINES} lines.", ("lines",))
    checked = []
    for index, line in enumerate(lines):
        if line.quantity < minimum:
            raise Refused(
                "INVALID_QUANTITY",
                f"A quantity must be {what}.",
                ("lines", str(index), "quantity"),
            )
        checked.append(
            CartLineChange(key_of(line.variant_id, "ProductVariant", "variantId"), line.quantity)
        )
    return checked


async def _ensure_sellable(
    ctx: RequestContext,
    channel: str,
    store_id: str | None,
    wanted: Counter[str],
    indexes: dict[str, int],
) -> dict[str, int]:
    """Refuse unknown or unsellable variants, then quantities the channel cannot deliver.

    The PIM, the price engine and the inventory are asked side by side: each needs only
    the variant ids. A variant priced in the channel is priced for every tier, so the
    check needs no customer.
    """
    ids = list(wanted)

    async def prices() -> Mapping[str, object]:
        try:
            return await ctx.sources.pricing.get_prices(ids, channel=channel, quantity=1, tier=None)
        except ConnectorError as exc:
            raise from_connector_error(exc) from exc

    variants, priced, available = await asyncio.gather(
        ctx.loaders.variant_by_id.load_many(ids),
        prices(),
        sellable_stock(ctx, channel, store_id, ids),
    )
    for variant_id, variant in zip(wanted, variants, strict=True):
        if variant is None:
            raise Refused(
                "UNKNOWN_VARIANT",
                f"{to_global_id('ProductVariant', variant_id)} names no variant.",
                ("lines", str(indexes[variant_id]), "variantId"),
            )
    products = await ctx.loaders.product_by_id.load_many([v.product_id for v in variants if v])
    for variant_id, product in zip(wanted, products, strict=True):
        if product is None or not product.complete or variant_id not in priced:
            raise Refused(
                "NOT_SELLABLE",
                f"{to_global_id('ProductVariant', variant_id)} is not sold in the {channel} "
                "channel (discontinued, unpriced or incomplete).",
                ("lines", str(indexes[variant_id]), "variantId"),
            )
    for variant_id, quantity in wanted.items():
        if quantity > available.get(variant_id, 0):
            raise Refused(
                "INSUFFICIENT_STOCK",
                f"Only {available.get(variant_id, 0)} of "
                f"{to_global_id('ProductVariant', variant_id)} can be delivered in this channel.",
                ("lines", str(indexes[variant_id]), "quantity"),
            )
    return available


async def selling_location_ids(
    ctx: RequestContext, channel: str, store_id: str | None
) -> list[str]:
    """Where a cart in `channel` can sell from.

    A web or app cart: every location that fulfils for the channel's stock. A till or
    kiosk cart: its own store, and — delivered to the customer — whatever the web shop
    could deliver (the endless aisle of journey 3).
    """
    delivering = ctx.rules.stock_channel("WEB" if store_id is not None else channel)
    found = [loc.id for loc in await all_locations(ctx) if delivering in loc.channels]
    if store_id is not None and store_id not in found:
        found.insert(0, store_id)
    return found


async def sellable_stock(
    ctx: RequestContext, channel: str, store_id: str | None, variant_ids: Sequence[str]
) -> dict[str, int]:
    """Units of each variant the channel can deliver now, read live from the inventory."""
    location_ids = await selling_location_ids(ctx, channel, store_id)
    totals: Counter[str] = Counter()
    for (variant_id, _), quantity in (await live_stock(ctx, variant_ids, location_ids)).items():
        totals[variant_id] += max(quantity, 0)
    return dict(totals)


def _cart_channel(ctx: RequestContext, channel: str | None) -> str:
    chosen = channel or ctx.channel
    if ctx.viewer.channel is not None and chosen != ctx.viewer.channel:
        # A till or kiosk token is bound to its channel: it cannot open a web cart.
        raise BadUserInput(
            f"This token is bound to the {ctx.viewer.channel} channel.", argument="channel"
        )
    if chosen not in SELLING_CHANNELS:
        raise BadUserInput(f"Carts cannot be used in the {chosen} channel.", argument="channel")
    return chosen


async def create_cart(ctx: RequestContext, channel: str | None, lines: Sequence[LineInput]) -> Cart:
    chosen = _cart_channel(ctx, channel)
    checked = _checked_lines(lines)
    store_id = (
        await request_store_id(ctx, ctx.store_id)
        if ctx.store_id is not None and chosen in ("STORE", "KIOSK")
        else None
    )
    stock = await _check_lines(ctx, chosen, store_id, checked, existing=None) if checked else {}
    customer_id = ctx.viewer.customer_id if ctx.viewer.role == "customer" else None
    with refusals():
        cart = await ctx.sources.orders.create_cart(
            channel=chosen, customer_id=customer_id, location_id=store_id, lines=checked
        )
    return await _audited(ctx, cart, "cart_created", checked, stock)


async def _check_lines(
    ctx: RequestContext,
    channel: str,
    store_id: str | None,
    lines: Sequence[CartLineChange],
    *,
    existing: Cart | None,
    replace: bool = False,
) -> dict[str, int]:
    """Check the cart as it would be after adding (or, with `replace`, setting) `lines`."""
    wanted: Counter[str] = Counter()
    if existing is not None:
        for held in existing.lines:
            wanted[held.variant_id] += held.quantity
    indexes: dict[str, int] = {}
    for index, line in enumerate(lines):
        if replace:
            wanted[line.variant_id] = 0
        indexes.setdefault(line.variant_id, index)
    for line in lines:
        wanted[line.variant_id] += line.quantity
    if any(q > ctx.rules.max_line_quantity for q in wanted.values()):
        variant_id = next(v for v, q in wanted.items() if q > ctx.rules.max_line_quantity)
        raise Refused(
            "INVALID_QUANTITY",
            f"At most {ctx.rules.max_line_quantity} units of one variant.",
            ("lines", str(indexes.get(variant_id, 0)), "quantity"),
        )
    changed = Counter({v: wanted[v] for v in indexes if wanted[v] > 0})
    if changed:
        return await _ensure_sellable(ctx, channel, store_id, changed, indexes)
    return {}


async def add_lines(ctx: RequestContext, cart_id: str, lines: Sequence[LineInput]) -> Cart:
    if not lines:
        raise Refused("NO_LINES", "Give at least one line to add.", ("lines",))
    cart = await _usable_cart(ctx, cart_id)
    checked = _checked_lines(lines)
    stock = await _check_lines(ctx, cart.channel, cart.location_id, checked, existing=cart)
    with refusals():
        changed = await ctx.sources.orders.change_cart_lines(
            cart.id, add=checked, expected_version=cart.version
        )
    return await _audited(ctx, changed, "cart_lines_added", checked, stock)


async def update_lines(ctx: RequestContext, cart_id: str, lines: Sequence[LineInput]) -> Cart:
    """Set the quantities of the lines' variants; 0 removes a variant from the cart."""
    if not lines:
        raise Refused("NO_LINES", "Give at least one line to update.", ("lines",))
    cart = await _usable_cart(ctx, cart_id)
    # Every line keeps its own index, so a refusal names the line as it was sent.
    to_set = _checked_lines(lines, minimum=0, what="0 (to remove it) or more")
    stock = await _check_lines(
        ctx, cart.channel, cart.location_id, to_set, existing=cart, replace=True
    )
    with refusals():
        changed = await ctx.sources.orders.change_cart_lines(
            cart.id, set=to_set, expected_version=cart.version
        )
    return await _audited(ctx, changed, "cart_lines_updated", to_set, stock)


async def remove_lines(ctx: RequestContext, cart_id: str, line_ids: Sequence[str]) -> Cart:
    if not line_ids:
        raise Refused("NO_LINES", "Give at least one line id to remove.", ("lineIds",))
    cart = await _usable_cart(ctx, cart_id)
    known = {line.id for line in cart.lines}
    for index, line_id in enumerate(line_ids):
        if line_id not in known:
            raise Refused(
                "UNKNOWN_LINE", f"The cart has no line {line_id!r}.", ("lineIds", str(index))
            )
    with refusals():
        changed = await ctx.sources.orders.change_cart_lines(
            cart.id, remove=list(line_ids), expected_version=cart.version
        )
    return await _audited(
        ctx, changed, "cart_lines_removed", (), {}, f"lines {', '.join(line_ids)}"
    )


async def attach_customer(
    ctx: RequestContext, cart_id: str, identifier: tuple[str, str] | None
) -> Cart:
    """Give the cart to the signed-in customer or to the customer identified at the till."""
    cart = await _usable_cart(ctx, cart_id)
    if identifier is None:
        if ctx.viewer.role != "customer" or ctx.viewer.customer_id is None:
            raise Refused(
                "CUSTOMER_REQUIRED",
                "Sign in as the customer, or (store staff) give the customer's identifier.",
                ("identifier",),
            )
        customer_id = ctx.viewer.customer_id
    else:
        customer = await get_customer(ctx, id=None, identifier=identifier)
        if customer is None:
            raise Refused("CUSTOMER_NOT_FOUND", "No customer has this identifier.", ("identifier",))
        customer_id = customer.id
    with refusals():
        attached = await ctx.sources.orders.attach_customer(cart.id, customer_id)
    detail = f"cart {cart.id} of customer {customer_id}"
    if attached.id != cart.id:
        detail += f", merged into their cart {attached.id}"
    return await _audited(ctx, attached, "cart_customer_attached", (), {}, detail)


async def _audited(
    ctx: RequestContext,
    cart: Cart,
    action: str,
    lines: Sequence[CartLineChange],
    stock: dict[str, int],
    detail: str | None = None,
) -> Cart:
    """The cart, once its change is in the audit trail with the live stock it was checked on."""
    if detail is None:
        detail = ", ".join(f"{line.quantity} x {line.variant_id}" for line in lines) or None
    await audit.record_quietly(
        ctx,
        audit.event(
            ctx, action, "Cart", cart.id, detail, {"version": cart.version, "stock": stock}
        ),
    )
    return cart
