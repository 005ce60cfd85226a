"""Server-side carts: one cart on every device of a customer, merged into theirs on sign-in.

A cart is OPEN while it changes, MERGED once its lines went into the customer's own cart
(`merged_into`), ORDERED once it became an order (`order_id`). Every change adds 1 to its
`version`; a caller may pass the version it read (`expected_version`) so that a change
made meanwhile on another device is not silently overwritten.

The OMS checks neither stock nor ownership beyond its own data: the gateway checks
availability live, and that the cart belongs to the viewer, before it calls these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from backoffice.errors import CartNotOpen, CartOwned, InvalidRequest
from backoffice.orders import inputs
from backoffice.orders.documents import Document, cart_document
from backoffice.orders.locks import lock
from backoffice.orders.models import Cart, CartLine
from kernel.clock import Clock

OPEN, MERGED, ORDERED = "OPEN", "MERGED", "ORDERED"

#: How far `attach` follows `merged_into` from a merged cart to the cart it lives on in.
_MAX_HOPS = 8


class Carts:
    """The cart operations of the OMS; `OrdersService` exposes them."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        new_id: Callable[[], str],
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._new_id = new_id

    async def create(
        self,
        *,
        channel: Any,
        customer_id: Any = None,
        location_id: Any = None,
        lines: Any = (),
    ) -> Document:
        changes = inputs.cart_lines(lines, "lines", minimum=1)
        now = self._clock.now()
        cart = Cart(
            id=self._new_id(),
            channel=inputs.channel(channel),
            customer_id=inputs.optional_identifier(customer_id, "customer_id"),
            location_id=inputs.optional_identifier(location_id, "location_id"),
            status=OPEN,
            merged_into=None,
            order_id=None,
            version=1,
            created_at=now,
            updated_at=now,
            lines=[],
        )
        for variant_id, quantity in changes:
            self._add(cart, variant_id, quantity)
        async with self._sessions.begin() as session:
            session.add(cart)
        return cart_document(cart)

    async def get(self, ids: Sequence[str]) -> list[Document]:
        if not ids:
            return []
        async with self._sessions() as session:
            carts = await session.scalars(
                select(Cart).where(Cart.id.in_(ids)).options(_LINES).order_by(Cart.id)
            )
            return [cart_document(cart) for cart in carts]

    async def get_open(self, customer_ids: Sequence[str]) -> list[Document]:
        if not customer_ids:
            return []
        async with self._sessions() as session:
            carts = await session.scalars(
                select(Cart)
                .where(Cart.customer_id.in_(customer_ids), Cart.status == OPEN)
                .options(_LINES)
                .order_by(Cart.customer_id, Cart.updated_at.desc(), Cart.id.desc())
            )
            newest: dict[str, Cart] = {}
            for cart in carts:
                assert cart.customer_id is not None
                newest.setdefault(cart.customer_id, cart)
            return [cart_document(cart) for cart in newest.values()]

    async def change_lines(
        self,
        cart_id: str,
        *,
        add: Any = (),
        set: Any = (),  # the name the REST body uses; shadows the builtin here only
        remove: Any = (),
        expected_version: Any = None,
    ) -> Document:
        adds = inputs.cart_lines(add, "add", minimum=1)
        sets = inputs.cart_lines(set, "set", minimum=0)
        removes = inputs.line_ids(remove, "remove")
        expected = None if expected_version is None else inputs.version(expected_version)
        async with self._sessions.begin() as session:
            cart = await self._locked(session, cart_id, expected_version=expected)
            _require_open(cart)
            before = _contents(cart)
            for variant_id, quantity in adds:
                self._add(cart, variant_id, quantity)
            for variant_id, quantity in sets:
                self._set(cart, variant_id, quantity)
            for line in [line for line in cart.lines if line.id in removes]:
                cart.lines.remove(line)
            if _contents(cart) != before:
                self._touch(cart)
            return cart_document(cart)

    async def attach(self, cart_id: str, customer_id: Any) -> Document:
        customer = inputs.identifier(customer_id, "customer_id")
        async with self._sessions.begin() as session:
            cart = await self._locked(session, cart_id)
            if cart.customer_id not in (None, customer):
                raise CartOwned(f"cart {cart_id!r} belongs to another customer")
            if cart.status == MERGED:
                # Attached before: answer the cart it went into, as the first attach did.
                return cart_document(await self._destination(session, cart))
            if cart.status == ORDERED:
                if cart.customer_id == customer:
                    return cart_document(cart)
                raise CartNotOpen(f"cart {cart_id!r} became order {cart.order_id!r}")
            if cart.customer_id == customer:
                return cart_document(cart)
            target = await self._open_cart_of(session, customer, besides=cart.id)
            if target is None:
                cart.customer_id = customer
                self._touch(cart)
                return cart_document(cart)
            for line in list(cart.lines):
                self._add(target, line.variant_id, line.quantity)
            self._touch(target)
            cart.customer_id = customer
            cart.status = MERGED
            cart.merged_into = target.id
            self._touch(cart)
            return cart_document(target)

    async def _locked(
        self, session: AsyncSession, cart_id: str, *, expected_version: int | None = None
    ) -> Cart:
        await lock(session, Cart, cart_id, expected_version=expected_version, what="cart")
        cart = await session.scalar(
            select(Cart)
            .where(Cart.id == cart_id)
            .options(_LINES)
            .execution_options(populate_existing=True)
        )
        assert cart is not None, "locked rows exist"
        return cart

    async def _open_cart_of(
        self, session: AsyncSession, customer: str, *, besides: str
    ) -> Cart | None:
        """The customer's newest OPEN cart, locked; None when they have none."""
        for _ in range(3):
            found = await session.scalar(
                select(Cart.id)
                .where(Cart.customer_id == customer, Cart.status == OPEN, Cart.id != besides)
                .order_by(Cart.updated_at.desc(), Cart.id.desc())
                .limit(1)
            )
            if found is None:
                return None
            target = await self._locked(session, found)
            # It may have been merged or ordered between the look-up and the lock.
            if target.status == OPEN:
                return target
        raise InvalidRequest(f"the open cart of customer {customer!r} keeps changing; retry")

    async def _destination(self, session: AsyncSession, cart: Cart) -> Cart:
        for _ in range(_MAX_HOPS):
            if cart.status != MERGED or cart.merged_into is None:
                return cart
            found = await session.scalar(
                select(Cart).where(Cart.id == cart.merged_into).options(_LINES)
            )
            if found is None:
                return cart
            cart = found
        return cart

    def _add(self, cart: Cart, variant_id: str, quantity: int) -> None:
        line = _line_of(cart, variant_id)
        if line is None:
            position = max((line.position for line in cart.lines), default=0) + 1
            cart.lines.append(
                CartLine(id=self._new_id(), position=position, variant_id=variant_id, quantity=0)
            )
            line = cart.lines[-1]
        line.quantity = inputs.quantity(line.quantity + quantity, f"quantity of {variant_id}")

    def _set(self, cart: Cart, variant_id: str, quantity: int) -> None:
        line = _line_of(cart, variant_id)
        if quantity == 0:
            if line is not None:
                cart.lines.remove(line)
        elif line is None:
            self._add(cart, variant_id, quantity)
        else:
            line.quantity = quantity

    def _touch(self, cart: Cart) -> None:
        cart.version += 1
        cart.updated_at = self._clock.now()


_LINES = selectinload(Cart.lines)


def _require_open(cart: Cart) -> None:
    if cart.status == MERGED:
        raise CartNotOpen(f"cart {cart.id!r} was merged into cart {cart.merged_into!r}")
    if cart.status != OPEN:
        raise CartNotOpen(f"cart {cart.id!r} became order {cart.order_id!r}")


def _line_of(cart: Cart, variant_id: str) -> CartLine | None:
    return next((line for line in cart.lines if line.variant_id == variant_id), None)


def _contents(cart: Cart) -> list[tuple[str, str, int]]:
    return [(line.id, line.variant_id, line.quantity) for line in cart.lines]
