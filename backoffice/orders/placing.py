"""Order writes: placing an order the gateway computed, confirming a fulfilment, moving a delivery date.

The gateway prices, routes and takes payment; the OMS checks that what it is handed holds
together (amounts add up to the cent, known channels, types and methods), gives the
order its number and its `placed_at`, and keeps it. Placing is idempotent by order id
(the gateway derives the id from the checkout's idempotency key), so a retried checkout
returns the order placed the first time instead of placing another.

Changes to a placed order lock its row first (`backoffice.orders.locks`), add an event to
its history and 1 to its `version`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
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
    LineDiscount,
    Order,
    OrderLine,
    Payment,
)
from kernel.clock import Clock

PLACED, CONFIRMED, CANCELLED = "PLACED", "CONFIRMED", "CANCELLED"
#: A fulfilment waiting for its location to confirm it.
PENDING = "PENDING"
#: Orders whose delivery can no longer move.
_CLOSED = frozenset({CANCELLED, "COMPLETED", "RETURNED", "PARTIALLY_RETURNED"})
#: Fulfilments that reached the customer.
_DELIVERED = frozenset({"DELIVERED", "COLLECTED", "COMPLETED"})
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
        draft = _Draft.parse(document)
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
            if order.status in _CLOSED or fulfillment.status in _DELIVERED:
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

    async def _place(self, draft: _Draft) -> Document | None:
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

    async def _order_cart(self, session: AsyncSession, draft: _Draft) -> bool:
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


@dataclass(frozen=True, slots=True)
class _Line:
    variant_id: str | None
    sku: str
    quantity: int
    unit_list_amount: Decimal
    discounts: tuple[tuple[str, dict[str, str], Decimal], ...]
    tax: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class _Fulfillment:
    id: str | None
    type: str
    location_id: str | None
    status: str
    delivery_date: date | None


@dataclass(frozen=True, slots=True)
class _Draft:
    """An order as the gateway sends it, checked."""

    id: str
    channel: str
    location_id: str | None
    customer_id: str | None
    cart_id: str | None
    currency: str
    lines: tuple[_Line, ...]
    subtotal: Decimal
    discount_total: Decimal
    shipping: Decimal
    total: Decimal
    payments: tuple[tuple[str, Decimal], ...]
    fulfillments: tuple[_Fulfillment, ...]
    routing: dict[str, Any] | None
    history: tuple[inputs.Event, ...]

    @classmethod
    def parse(cls, document: Any) -> _Draft:
        doc = inputs.fields(document, "order", required=_REQUIRED, optional=_OPTIONAL)
        currency = doc["currency"]
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
            raise InvalidRequest(
                f"'currency' must be an ISO 4217 code such as EUR, got {currency!r}"
            )

        def amount(value: Any, name: str) -> Decimal:
            return inputs.amount(value, name, currency)

        lines = tuple(
            _parse_line(item, f"lines[{i}]", amount)
            for i, item in enumerate(inputs.items(doc["lines"], "lines"))
        )
        if not lines:
            raise InvalidRequest("an order needs at least one line")
        routing = doc.get("routing")
        if routing is not None and not isinstance(routing, dict):
            raise InvalidRequest("'routing' must be a JSON object or null")
        draft = cls(
            id=inputs.identifier(doc["id"], "id"),
            channel=inputs.channel(doc["channel"]),
            location_id=inputs.optional_identifier(doc.get("location_id"), "location_id"),
            customer_id=inputs.optional_identifier(doc.get("customer_id"), "customer_id"),
            cart_id=inputs.optional_identifier(doc.get("cart_id"), "cart_id"),
            currency=currency,
            lines=lines,
            subtotal=amount(doc["subtotal"], "subtotal"),
            discount_total=amount(doc["discount_total"], "discount_total"),
            shipping=amount(doc["shipping"], "shipping"),
            total=amount(doc["total"], "total"),
            payments=tuple(
                _parse_payment(item, f"payments[{i}]", amount)
                for i, item in enumerate(inputs.items(doc.get("payments", []), "payments"))
            ),
            fulfillments=tuple(
                _parse_fulfillment(item, f"fulfillments[{i}]")
                for i, item in enumerate(inputs.items(doc.get("fulfillments", []), "fulfillments"))
            ),
            routing=routing,
            history=tuple(
                inputs.event(item, f"history[{i}]")
                for i, item in enumerate(inputs.items(doc.get("history", []), "history"))
            ),
        )
        draft._check_sums()
        return draft

    def _check_sums(self) -> None:
        """Every amount adds up to the cent: lines, subtotal, discounts, total, payments."""
        zero = Decimal(0)
        for index, line in enumerate(self.lines):
            gross = line.unit_list_amount * line.quantity
            expected = gross - sum((d[2] for d in line.discounts), zero)
            if line.total != expected:
                raise InvalidRequest(
                    f"lines[{index}].total is {line.total}, but unit_list_amount × quantity less "
                    f"its discounts is {expected}"
                )
            if line.tax > line.total:
                raise InvalidRequest(
                    f"lines[{index}].tax {line.tax} exceeds its total {line.total}"
                )
        _same(
            "subtotal",
            self.subtotal,
            sum((line.unit_list_amount * line.quantity for line in self.lines), zero),
            "the lines' list amounts",
        )
        _same(
            "discount_total",
            self.discount_total,
            sum((d[2] for line in self.lines for d in line.discounts), zero),
            "the lines' discounts",
        )
        _same(
            "total",
            self.total,
            sum((line.total for line in self.lines), zero) + self.shipping,
            "the line totals plus shipping",
        )
        if self.payments:
            _same("total", self.total, sum((p[1] for p in self.payments), zero), "the payments")

    def order(self, *, number: str, placed_at: datetime, new_id: Callable[[], str]) -> Order:
        history = self.history or (("oms", self.channel, PLACED, None),)
        # A sale carried out of the store is over when it is placed.
        handed_over = bool(self.fulfillments) and all(
            f.status in _DELIVERED for f in self.fulfillments
        )
        return Order(
            id=self.id,
            number=number,
            channel=self.channel,
            location_id=self.location_id,
            customer_id=self.customer_id,
            status="COMPLETED" if handed_over else PLACED,
            placed_at=placed_at,
            currency=self.currency,
            subtotal=self.subtotal,
            discount_total=self.discount_total,
            shipping=self.shipping,
            total=self.total,
            version=1,
            cart_id=self.cart_id,
            routing=self.routing,
            lines=[
                OrderLine(
                    id=new_id(),
                    position=position,
                    variant_id=line.variant_id,
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_list_amount=line.unit_list_amount,
                    tax=line.tax,
                    total=line.total,
                    returned_quantity=0,
                    discounts=[
                        LineDiscount(promotion_id=pid, name=name, amount=value)
                        for pid, name, value in line.discounts
                    ],
                )
                for position, line in enumerate(self.lines, start=1)
            ],
            payments=[Payment(method=method, amount=value) for method, value in self.payments],
            fulfillments=[
                Fulfillment(
                    id=f.id or new_id(),
                    type=f.type,
                    location_id=f.location_id,
                    status=f.status,
                    delivery_date=f.delivery_date,
                )
                for f in self.fulfillments
            ],
            history=[
                HistoryEvent(
                    at=placed_at, actor=actor, channel=channel, action=action, detail=detail
                )
                for actor, channel, action, detail in history
            ],
        )


_REQUIRED = (
    "id",
    "channel",
    "currency",
    "lines",
    "subtotal",
    "discount_total",
    "shipping",
    "total",
)
_OPTIONAL = (
    "location_id",
    "customer_id",
    "cart_id",
    "payments",
    "fulfillments",
    "routing",
    "history",
)


def _parse_line(item: Any, at: str, amount: Callable[[Any, str], Decimal]) -> _Line:
    line = inputs.fields(
        item,
        at,
        required=("sku", "quantity", "unit_list_amount", "tax", "total"),
        optional=("variant_id", "discounts"),
    )
    discounts = []
    for i, entry in enumerate(inputs.items(line.get("discounts", []), f"{at}.discounts")):
        where = f"{at}.discounts[{i}]"
        discount = inputs.fields(entry, where, required=("promotion_id", "name", "amount"))
        name = inputs.obj(discount["name"], f"{where}.name")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in name.items()):
            raise InvalidRequest(f"{where}.name must map locales to text")
        discounts.append(
            (
                inputs.identifier(discount["promotion_id"], f"{where}.promotion_id"),
                dict(name),
                amount(discount["amount"], f"{where}.amount"),
            )
        )
    return _Line(
        variant_id=inputs.optional_identifier(line.get("variant_id"), f"{at}.variant_id"),
        sku=inputs.identifier(line["sku"], f"{at}.sku"),
        quantity=inputs.quantity(line["quantity"], f"{at}.quantity"),
        unit_list_amount=amount(line["unit_list_amount"], f"{at}.unit_list_amount"),
        discounts=tuple(discounts),
        tax=amount(line["tax"], f"{at}.tax"),
        total=amount(line["total"], f"{at}.total"),
    )


def _parse_payment(
    item: Any, at: str, amount: Callable[[Any, str], Decimal]
) -> tuple[str, Decimal]:
    payment = inputs.fields(item, at, required=("method", "amount"))
    return (
        inputs.choice(payment["method"], f"{at}.method", inputs.PAYMENT_METHODS),
        amount(payment["amount"], f"{at}.amount"),
    )


def _parse_fulfillment(item: Any, at: str) -> _Fulfillment:
    fulfillment = inputs.fields(
        item, at, required=("type",), optional=("id", "location_id", "status", "delivery_date")
    )
    delivery = fulfillment.get("delivery_date")
    return _Fulfillment(
        id=inputs.optional_identifier(fulfillment.get("id"), f"{at}.id"),
        type=inputs.choice(fulfillment["type"], f"{at}.type", inputs.FULFILLMENT_TYPES),
        location_id=inputs.optional_identifier(fulfillment.get("location_id"), f"{at}.location_id"),
        status=inputs.text(fulfillment.get("status", PENDING), f"{at}.status", max_length=24),
        delivery_date=None if delivery is None else inputs.day(delivery, f"{at}.delivery_date"),
    )


def _same(name: str, given: Decimal, computed: Decimal, what: str) -> None:
    if given != computed:
        raise InvalidRequest(f"{name!r} is {given}, but {what} add up to {computed}")


async def _check_fulfillment_ids(session: AsyncSession, draft: _Draft) -> None:
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
