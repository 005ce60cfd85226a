"""The OMS's service layer: carts, orders and returns from every channel as JSON documents.

Every read takes a batch of keys and runs one statement per table, whatever the batch
size (relationships are loaded with `selectinload`); unknown keys are simply missing. The
documents are what the OMS's REST API serves, so the embedded and the HTTP connector
parse the very same shapes.

The documents (an order, a cart, a purchase, a return) are shown in
`backoffice.orders.documents`; the writes are in `backoffice.orders.placing` (orders),
`backoffice.orders.carts` and `backoffice.orders.returns`.

Sales (`get_sales`): units of each variant sold per location, net of returns; see
`backoffice.orders.sales`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from backoffice.documents import timestamp
from backoffice.errors import InvalidRequest
from backoffice.orders.carts import Carts
from backoffice.orders.documents import Document, order_document, return_document
from backoffice.orders.models import Order, OrderLine, Return
from backoffice.orders.placing import WHOLE_ORDER, OrderWrites
from backoffice.orders.returns import ReturnWrites
from backoffice.orders.sales import units_sold
from backoffice.orders.statuses import CANCELLED
from kernel.clock import Clock

__all__ = ["Document", "OrdersService"]


def random_id() -> str:
    """A new unguessable id (uuid4 hex): a cart's id is all a device needs to use it."""
    return uuid.uuid4().hex


class OrdersService:
    """The reference OMS: batch-first reads, and the writes of carts and orders, as JSON documents.

    `clock` dates orders, carts and history events; `new_id` makes cart, line and
    fulfilment ids (tests pin it).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        new_id: Callable[[], str] = random_id,
    ) -> None:
        self._sessions = sessions
        self._carts = Carts(sessions, clock=clock, new_id=new_id)
        self._writes = OrderWrites(sessions, clock=clock, new_id=new_id)
        self._returns_writes = ReturnWrites(sessions, clock=clock)

    # Orders and returns.

    async def get_orders(self, ids: Sequence[str]) -> list[Document]:
        """The orders with these ids, each whole: lines with discounts, payments, fulfilments, history."""
        if not ids:
            return []
        return await self._orders(select(Order).where(Order.id.in_(ids)).order_by(Order.id))

    async def get_orders_by_number(self, numbers: Sequence[str]) -> list[Document]:
        """The orders with these order numbers (the number printed on receipts and e-mails)."""
        if not numbers:
            return []
        return await self._orders(
            select(Order).where(Order.number.in_(numbers)).order_by(Order.number)
        )

    async def get_customer_orders(
        self, customer_ids: Sequence[str], *, channel: str | None = None
    ) -> list[Document]:
        """The orders of these customers from every channel (or from one), newest first."""
        if not customer_ids:
            return []
        statement = select(Order).where(Order.customer_id.in_(customer_ids))
        if channel is not None:
            statement = statement.where(Order.channel == channel)
        return await self._orders(statement.order_by(Order.placed_at.desc(), Order.id.desc()))

    async def get_customer_purchases(
        self, customer_ids: Sequence[str], *, since: datetime, until: datetime | None = None
    ) -> list[Document]:
        """The units each customer bought in every channel from `since` (until `until`, excluded).

        One statement for the batch; a row per order line, quantity net of returns (lines
        returned in full are left out), cancelled orders and lines without a variant too.
        The price engine combines them for cross-channel promotions.
        """
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                raise InvalidRequest(f"{name!r} must carry a UTC offset")
        if not customer_ids:
            return []
        net = OrderLine.quantity - OrderLine.returned_quantity
        statement = (
            select(
                Order.customer_id,
                Order.id,
                Order.channel,
                Order.placed_at,
                OrderLine.variant_id,
                net,
            )
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(
                Order.customer_id.in_(customer_ids),
                Order.status != CANCELLED,
                Order.placed_at >= since,
                OrderLine.variant_id.is_not(None),
                net > 0,
            )
            .order_by(Order.customer_id, Order.placed_at, Order.id, OrderLine.position)
        )
        if until is not None:
            statement = statement.where(Order.placed_at < until)
        async with self._sessions() as session:
            rows = (await session.execute(statement)).all()
        return [
            {
                "customer_id": customer_id,
                "order_id": order_id,
                "channel": channel,
                "placed_at": timestamp(placed_at),
                "variant_id": variant_id,
                "quantity": quantity,
            }
            for customer_id, order_id, channel, placed_at, variant_id, quantity in rows
        ]

    async def get_returns(self, ids: Sequence[str]) -> list[Document]:
        """The returns with these ids, with their lines and refund."""
        if not ids:
            return []
        return await self._returns(
            select(Return, Order.currency).where(Return.id.in_(ids)).order_by(Return.id)
        )

    async def get_order_returns(self, order_ids: Sequence[str]) -> list[Document]:
        """The returns of these orders, oldest first."""
        if not order_ids:
            return []
        return await self._returns(
            select(Return, Order.currency)
            .where(Return.order_id.in_(order_ids))
            .order_by(Return.created_at, Return.id)
        )

    async def get_sales(self, variant_ids: Sequence[str], *, since: datetime) -> list[Document]:
        """Units of these variants sold per location since `since`, net of returns.

        One grouped statement; orders without a location and cancelled ones are left out.
        INVALID_REQUEST for a naive `since` or more than `sales.MAX_VARIANTS` variants.
        """
        return await units_sold(self._sessions, variant_ids, since=since)

    async def register_return(self, document: Any) -> Document:
        """Register the return the gateway decided; the same `id` again answers the first.

        Only while the order is at `expected_order_version` (VERSION_CONFLICT) and each
        line has its units left to return (NOT_RETURNABLE); NOT_FOUND for an unknown order
        or line; CONFLICT for an id registered with other lines. See `backoffice.orders.returns`.
        """
        return await self._returns_writes.register(document)

    async def receive_return(
        self,
        return_id: str,
        *,
        location_id: Any,
        resellable: Any,
        actor: Any,
        channel: Any = None,
    ) -> Document:
        """The goods arrived at `location_id`: REGISTERED -> REFUNDED, received now.

        The same receipt again answers the return unchanged; RETURN_NOT_OPEN for a return
        received otherwise or rejected; NOT_FOUND for an unknown id.
        """
        return await self._returns_writes.receive(
            return_id, location_id=location_id, resellable=resellable, actor=actor, channel=channel
        )

    async def create_order(self, document: Any) -> Document:
        """Place the order the gateway computed; the same `id` again answers the first order, unchanged.

        The OMS assigns `number` (per channel and year: WEB-2026-000124), `placed_at`,
        status PLACED, version 1 and line ids (and fulfilment ids not given). The cart
        named by `cart_id` becomes ORDERED. Refuses (INVALID_REQUEST) an order without
        lines or whose amounts do not add up to the cent; UNKNOWN_ITEMS for an unknown
        cart, CART_NOT_OPEN / CART_OWNED for a cart that cannot become this order.
        """
        return await self._writes.create(document)

    async def confirm_fulfillment(
        self,
        order_id: str,
        fulfillment_id: str,
        *,
        location_id: Any,
        actor: Any,
        channel: Any = None,
    ) -> Document:
        """The location a fulfilment was routed to confirms it: PENDING -> CONFIRMED.

        The order becomes CONFIRMED once none of its fulfilments is PENDING. Confirming
        again answers the order unchanged; WRONG_LOCATION when `location_id` is not the
        fulfilment's; NOT_FOUND for an unknown order or fulfilment.
        """
        return await self._writes.confirm_fulfillment(
            order_id, fulfillment_id, location_id=location_id, actor=actor, channel=channel
        )

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
        """Move a fulfilment's delivery date, if the order is still at `expected_version`.

        VERSION_CONFLICT (nothing written) when another change came first: of two
        concurrent agents exactly one wins. CONFLICT once the order is closed or the
        goods delivered; INVALID_REQUEST for a date in the past.
        """
        return await self._writes.change_delivery_date(
            order_id,
            fulfillment_id,
            date=date,
            expected_version=expected_version,
            actor=actor,
            channel=channel,
        )

    # Carts.

    async def create_cart(
        self,
        *,
        channel: Any,
        customer_id: Any = None,
        location_id: Any = None,
        lines: Any = (),
    ) -> Document:
        """A new OPEN cart at version 1; `lines` ([{"variant_id", "quantity"}]) of one variant merge."""
        return await self._carts.create(
            channel=channel, customer_id=customer_id, location_id=location_id, lines=lines
        )

    async def get_carts(self, ids: Sequence[str]) -> list[Document]:
        """The carts with these ids, whatever their status."""
        return await self._carts.get(ids)

    async def get_open_carts(self, customer_ids: Sequence[str]) -> list[Document]:
        """Each customer's most recently changed OPEN cart; customers without one are absent."""
        return await self._carts.get_open(customer_ids)

    async def change_cart_lines(
        self,
        cart_id: str,
        *,
        add: Any = (),
        set: Any = (),  # the name the REST body uses; shadows the builtin here only
        remove: Any = (),
        expected_version: Any = None,
    ) -> Document:
        """Add units (to the variant's line if there is one), set quantities (0 removes), remove line ids.

        Applied in that order, as one change: version +1 if anything changed. NOT_FOUND,
        VERSION_CONFLICT when `expected_version` is given and stale, CART_NOT_OPEN for a
        merged or ordered cart, INVALID_REQUEST for a quantity out of range.
        """
        return await self._carts.change_lines(
            cart_id, add=add, set=set, remove=remove, expected_version=expected_version
        )

    async def attach_customer(self, cart_id: str, customer_id: Any) -> Document:
        """Give the cart to a customer; with an OPEN cart of theirs already, merge into it.

        Merging adds this cart's quantities to that cart's lines per variant, marks this
        cart MERGED (`merged_into`) and answers the customer's cart. Attaching again
        answers the same cart. CART_OWNED when the cart is another customer's.
        """
        return await self._carts.attach(cart_id, customer_id)

    async def _orders(self, statement: Select[Order]) -> list[Document]:
        async with self._sessions() as session:
            orders = (await session.scalars(statement.options(*WHOLE_ORDER))).all()
        return [order_document(order) for order in orders]

    async def _returns(self, statement: Select[Return, str]) -> list[Document]:
        # The currency lives on the order: a join, not a second statement.
        statement = statement.join(Order, Order.id == Return.order_id).options(
            selectinload(Return.lines)
        )
        async with self._sessions() as session:
            rows = (await session.execute(statement)).all()
        return [return_document(return_, currency) for return_, currency in rows]
