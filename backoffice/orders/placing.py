"""Order writes: placing an order the gateway computed, confirming a fulfilment, moving a delivery date.

The gateway prices, routes and takes payment; the OMS checks that what it is handed holds
together (amounts add up to the cent, known channels, types and methods), gives the
order its number and its `placed_at`, and keeps it. Placing is idempotent by order id
(the gateway derives the id from the checkout's idempotency key), so a retried checkout
returns the order placed the first time instead of placing another. The order document
is parsed and checked to the cent by `backoffice.orders.order_draft`.

Changes to a placed order lock its row first (`backoffice.orders.locks`), add an event to
its history and 1 to its `version`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from backoffice.errors import (
    CartNotOpen,
    CartOwned,
    Conflict,
    InvalidRequest,
    NotFound,
    UnknownItems,
    WrongLocation,
)
from backoffice.orders import inputs
from backoffice.orders.carts import OPEN, ORDERED
from backoffice.orders.documents import Document, order_document
from backoffice.orders.locks import lock
from backoffice.orders.models import (
    Cart,
    Fulfillment,
    HistoryEvent,
    Order,
    OrderLine,
)
from backoffice.orders.order_draft import OrderDraft
from backoffice.orders.statuses import CANCELLED, CLOSED, CONFIRMED, DELIVERED, PENDING, PLACED
from kernel.clock import Clock

#: Tries at a free order number when concurrent orders of a channel take the same one.
_NUMBER_ATTEMPTS = 5

WHOLE_ORDER = (
    selectinload(Order.lines).selectinload(OrderLine.discounts),
    selectinload(Order.payments),
    selectinload(Order.fulfillments),
    selectinload(Order.history),
)


class OrderWrites:
    """The order writes of the OMS; `OrdersService` exposes them."""

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

    async def create(self, document: Any) -> Document:
        draft = OrderDraft.parse(document)
        for _ in range(_NUMBER_ATTEMPTS):
            try:
                placed = await self._place(draft)
            except IntegrityError:
                # The same id placed concurrently (answered below), or the same number
                # taken by a concurrent order of the channel (try the next one).
                placed = None
            if placed is not None:
                return placed
            if (existing := await self._read(draft.id)) is not None:
                return existing
        raise Conflict(
            f"no free order number for channel {draft.channel} after {_NUMBER_ATTEMPTS} tries"
        )

    async def confirm_fulfillment(
        self,
        order_id: str,
        fulfillment_id: str,
        *,
        location_id: Any,
        actor: Any,
        channel: Any = None,
    ) -> Document:
        location = inputs.identifier(location_id, "location_id")
        who = inputs.text(actor, "actor", max_length=64)
        where = None if channel is None else inputs.channel(channel)
        async with self._sessions.begin() as session:
            order = await self._locked(session, order_id)
            fulfillment = _fulfillment_of(order, fulfillment_id)
            if fulfillment.location_id != location:
                raise _wrong_location(fulfillment, location)
            if fulfillment.status != PENDING:
                return order_document(order)  # confirmed before: the same answer
            if order.status == CANCELLED:
                raise Conflict(f"order {order_id!r} was cancelled")
            fulfillment.status = CONFIRMED
            if order.status == PLACED and all(f.status != PENDING for f in order.fulfillments):
                order.status = CONFIRMED
            detail = f"fulfilment {fulfillment.id} at {location}"
            await self._record(session, order, who, where, "CONFIRMED", detail)
            return order_document(order)

    async def change_delivery_date(
        self,
        order_id: str,
        fulfillment_id: str,
        *,
        date: Any,
        expected_version: Any,
        actor: Any,
        channel: Any = None,
    ) -> Document:
        day = date if _is_date(date) else inputs.day(date, "date")
        expected = inputs.version(expected_version)
        who = inputs.text(actor, "actor", max_length=64)
        where = None if channel is None else inputs.channel(channel)
        if day < self._clock.today():
            raise InvalidRequest(f"the delivery date {day} is in the past")
        async with self._sessions.begin() as session:
            order = await self._locked(session, order_id, expected_version=expected)
            fulfillment = _fulfillment_of(order, fulfillment_id)
            if order.status in CLOSED or fulfillment.status in DELIVERED:
                raise Conflict(
                    f"order {order_id!r} is {order.status} and fulfilment {fulfillment_id!r} "
                    f"{fulfillment.status}: its delivery date can no longer change"
                )
            if fulfillment.delivery_date == day:
                return order_document(order)
            before = fulfillment.delivery_date
            fulfillment.delivery_date = day
            detail = (
                f"fulfilment {fulfillment.id}: {before.isoformat() if before else 'none'} -> {day}"
            )
            await self._record(session, order, who, where, "DELIVERY_DATE_CHANGED", detail)
            return order_document(order)

    async def _place(self, draft: OrderDraft) -> Document | None:
        """The new order, or None when an order with its id exists already."""
        async with self._sessions.begin() as session:
            if await session.scalar(select(Order.id).where(Order.id == draft.id)) is not None:
                return None
            if draft.cart_id is not None and not await self._order_cart(session, draft):
                return None
            await _check_fulfillment_ids(session, draft)
            now = self._clock.now()
            order = draft.order(
                number=await _next_number(session, draft.channel, now),
                placed_at=now,
                new_id=self._new_id,
            )
            session.add(order)
            await session.flush()
            return order_document(order)

    async def _order_cart(self, session: AsyncSession, draft: OrderDraft) -> bool:
        """Mark the draft's cart ORDERED; False when it already became this very order."""
        assert draft.cart_id is not None
        try:
            await lock(session, Cart, draft.cart_id, what="cart")
        except NotFound:
            raise UnknownItems([draft.cart_id]) from None
        cart = await session.scalar(
            select(Cart).where(Cart.id == draft.cart_id).execution_options(populate_existing=True)
        )
        assert cart is not None
        if cart.status == ORDERED and cart.order_id == draft.id:
            return False
        if cart.status != OPEN:
            raise CartNotOpen(f"cart {cart.id!r} is {cart.status}, it cannot become an order")
        if cart.customer_id not in (None, draft.customer_id):
            raise CartOwned(f"cart {cart.id!r} belongs to another customer than the order's")
        cart.status = ORDERED
        cart.order_id = draft.id
        cart.version += 1
        cart.updated_at = self._clock.now()
        return True

    async def _locked(
        self, session: AsyncSession, order_id: str, *, expected_version: int | None = None
    ) -> Order:
        await lock(session, Order, order_id, expected_version=expected_version, what="order")
        order = await session.scalar(
            select(Order)
            .where(Order.id == order_id)
            .options(*WHOLE_ORDER)
            .execution_options(populate_existing=True)
        )
        assert order is not None, "locked rows exist"
        return order

    async def _read(self, order_id: str) -> Document | None:
        async with self._sessions() as session:
            order = await session.scalar(
                select(Order).where(Order.id == order_id).options(*WHOLE_ORDER)
            )
            return None if order is None else order_document(order)

    async def _record(
        self,
        session: AsyncSession,
        order: Order,
        actor: str,
        channel: str | None,
        action: str,
        detail: str,
    ) -> None:
        """Add the event to the order's history and 1 to its version."""
        order.history.append(
            HistoryEvent(
                at=self._clock.now(), actor=actor, channel=channel, action=action, detail=detail
            )
        )
        order.version += 1
        await session.flush()  # the new event's id orders the history


async def _check_fulfillment_ids(session: AsyncSession, draft: OrderDraft) -> None:
    given = [f.id for f in draft.fulfillments if f.id is not None]
    if len(set(given)) != len(given):
        raise InvalidRequest("two fulfilments of the order have the same id")
    if given:
        taken = (
            await session.scalars(select(Fulfillment.id).where(Fulfillment.id.in_(given)))
        ).all()
        if taken:
            raise InvalidRequest(
                f"fulfilment ids already used by other orders: {', '.join(sorted(taken))}"
            )


async def _next_number(session: AsyncSession, channel: str, now: datetime) -> str:
    """The channel's next number this year: WEB-2026-000124 (unique; a clash is retried)."""
    prefix = f"{channel}-{now.year}-"
    last = await session.scalar(
        select(Order.number)
        .where(Order.number.startswith(prefix, autoescape=True))
        .order_by(Order.number.desc())
        .limit(1)
    )
    tail = (last or prefix).removeprefix(prefix)
    sequence = int(tail) + 1 if tail.isdigit() else 1
    return f"{prefix}{sequence:06d}"


def _fulfillment_of(order: Order, fulfillment_id: str) -> Fulfillment:
    for fulfillment in order.fulfillments:
        if fulfillment.id == fulfillment_id:
            return fulfillment
    raise NotFound(f"order {order.id!r} has no fulfilment {fulfillment_id!r}")


def _wrong_location(fulfillment: Fulfillment, location: str) -> WrongLocation:
    return WrongLocation(
        f"fulfilment {fulfillment.id!r} was routed to {fulfillment.location_id!r}, not {location!r}"
    )


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)
