"""Return writes: registering a return the gateway decided, and receiving its goods.

The gateway decides a return (which lines, where the goods go, what the refund pays, from
the order as it read it); the OMS keeps it only if the order is still at the version the
gateway read and every line still has the units to return. Registering is idempotent by
return id (the gateway derives it from the request's idempotency key): the same id again
answers the first return, unchanged, even though the order has moved on since.

* `register(document)`: the return REGISTERED with its planned refund, the lines'
  `returned_quantity` grown, the order PARTIALLY_RETURNED or RETURNED (when every line is
  returned in full), its version + 1 and the caller's `history` recorded. A caller that
  gives no history gets one RETURN_REGISTERED event (actor "oms", detail "return <id>" and
  " to <destination>" when there is one).
* `receive(return_id, ...)`: the goods arrived at a location (any location: a return may
  be brought anywhere), in a condition (`resellable`): REGISTERED -> REFUNDED, with the
  OMS's clock as `received_at`, and RETURN_RECEIVED (the receiver's actor and channel,
  detail "return <id> at <location>: resellable" or ": not resellable") and REFUNDED
  (actor "oms", detail "<amount> <currency> to <method>") in the order's history, version
  + 1. The same receipt again (same location and condition) answers the return unchanged.

The return document in (`PUT /orders/v1/returns/{id}`) is parsed and checked by
`backoffice.orders.return_draft`.

Concurrency: both writes lock the order's row first (`backoffice.orders.locks`) and decide
on what they read after it, so two registrations of one order queue: the second sees the
first's returned quantities (and version), and no line is ever returned beyond what was
bought, on PostgreSQL as on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from backoffice.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    NotReturnable,
    ReturnNotOpen,
    VersionConflict,
)
from backoffice.orders import inputs
from backoffice.orders.documents import Document, return_document
from backoffice.orders.locks import lock
from backoffice.orders.models import HistoryEvent, Order, OrderLine, Return
from backoffice.orders.return_draft import ReturnDraft
from backoffice.orders.statuses import CANCELLED, REFUNDED, REGISTERED
from kernel.clock import Clock


class ReturnWrites:
    """The return writes of the OMS; `OrdersService` exposes them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def register(self, document: Any) -> Document:
        draft = ReturnDraft.parse(document)
        try:
            return await self._register(draft)
        except IntegrityError:
            # The same id inserted concurrently under another order's lock: answer (or
            # refuse) as if it had come first, which it did.
            existing = await self._read(draft.id)
            if existing is None:
                raise
            return _replayed(*existing, draft)

    async def receive(
        self,
        return_id: str,
        *,
        location_id: Any,
        resellable: Any,
        actor: Any,
        channel: Any = None,
    ) -> Document:
        location = inputs.identifier(location_id, "location_id")
        sellable = inputs.boolean(resellable, "resellable")
        who = inputs.text(actor, "actor", max_length=64)
        where = None if channel is None else inputs.channel(channel)
        # A return never moves to another order: its order id may be read before the lock.
        async with self._sessions() as session:
            order_id = await session.scalar(select(Return.order_id).where(Return.id == return_id))
        if order_id is None:
            raise NotFound(f"no return {return_id!r}")
        async with self._sessions.begin() as session:
            await lock(session, Order, order_id, what="order")
            return_, currency = await _return(session, return_id)
            if return_.status == REFUNDED:
                if (return_.received_location_id, return_.resellable) == (location, sellable):
                    return return_document(return_, currency)  # the same receipt again
                raise ReturnNotOpen(
                    f"return {return_id!r} was received at {return_.received_location_id} "
                    f"({_condition(return_.resellable)}) already"
                )
            if return_.status != REGISTERED:
                raise ReturnNotOpen(
                    f"return {return_id!r} is {return_.status}: it takes no receipt"
                )
            now = self._clock.now()
            return_.status = REFUNDED
            return_.received_location_id = location
            return_.received_at = now
            return_.resellable = sellable
            detail = f"return {return_id} at {location}: {_condition(sellable)}"
            refunded = _refund_detail(return_, currency)
            events = [(who, where, "RETURN_RECEIVED", detail), ("oms", None, "REFUNDED", refunded)]
            await _record(session, order_id, now, events)
            return return_document(return_, currency)

    async def _register(self, draft: ReturnDraft) -> Document:
        async with self._sessions.begin() as session:
            # Locked before anything is read (see `locks`), without the expected version:
            # a repeated registration must answer the first even though the version moved.
            await lock(session, Order, draft.order_id, what="order")
            existing = await session.scalar(
                select(Return).where(Return.id == draft.id).options(selectinload(Return.lines))
            )
            order = await session.scalar(
                select(Order)
                .where(Order.id == draft.order_id)
                .options(selectinload(Order.lines))
                .execution_options(populate_existing=True)
            )
            assert order is not None, "locked rows exist"
            if existing is not None:
                return _replayed(existing, order.currency, draft)
            if order.version != draft.expected_order_version:
                raise VersionConflict(
                    f"order {order.id!r} is at version {order.version}, not "
                    f"{draft.expected_order_version}: it changed since it was read; read it again"
                )
            _check_returnable(order, draft)
            now = self._clock.now()
            by_id = {line.id: line for line in order.lines}
            for line in draft.lines:
                by_id[line.order_line_id].returned_quantity += line.quantity
            everything = all(line.returned_quantity == line.quantity for line in order.lines)
            order.status = "RETURNED" if everything else "PARTIALLY_RETURNED"
            return_ = draft.row(created_at=now)
            session.add(return_)
            await _record(session, order.id, now, draft.events())
            return return_document(return_, order.currency)

    async def _read(self, return_id: str) -> tuple[Return, str] | None:
        async with self._sessions() as session:
            row = (await session.execute(_with_currency(return_id))).first()
            return None if row is None else (row[0], row[1])


async def _return(session: AsyncSession, return_id: str) -> tuple[Return, str]:
    """The return (read again, after the lock) and its order's currency."""
    statement = _with_currency(return_id).execution_options(populate_existing=True)
    row = (await session.execute(statement)).one()
    return row[0], row[1]


def _with_currency(return_id: str) -> Select[Return, str]:
    """The return with its lines, and its order's currency (money is read in it)."""
    return (
        select(Return, Order.currency)
        .join(Order, Order.id == Return.order_id)
        .where(Return.id == return_id)
        .options(selectinload(Return.lines))
    )


async def _record(
    session: AsyncSession, order_id: str, at: datetime, events: Sequence[inputs.Event]
) -> None:
    """Add the events to the order's history (in this order) and 1 to its version."""
    for actor, channel, action, detail in events:
        session.add(
            HistoryEvent(
                order_id=order_id, at=at, actor=actor, channel=channel, action=action, detail=detail
            )
        )
        await session.flush()  # one at a time: the ids order events of the same moment
    await session.execute(
        update(Order)
        .where(Order.id == order_id)
        .values(version=Order.version + 1)
        .execution_options(synchronize_session=False)
    )


def _check_returnable(order: Order, draft: ReturnDraft) -> None:
    """NotFound for a line not of the order; NotReturnable for more units than are left."""
    if order.status == CANCELLED:
        raise NotReturnable(f"order {order.id!r} was cancelled: nothing of it can be returned")
    if draft.refund_currency != order.currency:
        raise InvalidRequest(
            f"the refund is in {draft.refund_currency}, the order {order.id!r} in {order.currency}"
        )
    by_id: dict[str, OrderLine] = {line.id: line for line in order.lines}
    for line in draft.lines:
        order_line = by_id.get(line.order_line_id)
        if order_line is None:
            raise NotFound(f"order {order.id!r} has no line {line.order_line_id!r}")
        left = order_line.quantity - order_line.returned_quantity
        if line.quantity > left:
            raise NotReturnable(
                f"order line {line.order_line_id!r}: {line.quantity} to return, but only {left} "
                f"of its {order_line.quantity} are left to return"
            )


def _replayed(existing: Return, currency: str, draft: ReturnDraft) -> Document:
    """The answer to a repeated registration: the first return, if it was for the same lines."""
    held = sorted((line.order_line_id, line.quantity) for line in existing.lines)
    wanted = sorted((line.order_line_id, line.quantity) for line in draft.lines)
    if existing.order_id != draft.order_id or held != wanted:
        raise Conflict(
            f"return {existing.id!r} was registered for other lines (or another order); "
            "register a new return under a new id"
        )
    return return_document(existing, currency)


def _condition(resellable: bool | None) -> str:
    return "resellable" if resellable else "not resellable"


def _refund_detail(return_: Return, currency: str) -> str | None:
    if return_.refund_amount is None:
        return None
    return f"{return_.refund_amount} {currency} to {return_.refund_method}"
