"""The OMS behind the source guard; orders are private and never cached across requests.

Carts and writes skip even the guard's batching and single-flight (`SourceGuard.call`,
not `batch`): a cart read must see the change a write of the same request just made,
and a write is never joined to another caller's. Writes get one attempt
(`idempotent=False`), since a retried write could apply twice — except those the OMS
keys: `create_order` (placing an id again answers the first order), `register_return`
(registering a return id again answers the first return, whatever the order's version
since) and `receive_return` (the same receipt again answers the return unchanged), so a
retry after a lost answer cannot apply twice. Sales are read per variant under the scope
of their `since`, with the orders' policy.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from connectors.guard import CachePolicy, SourceGuard
from connectors.orders.protocol import OrdersConnector
from connectors.orders.records import (
    Cart,
    CartLineChange,
    NewOrder,
    NewReturn,
    Order,
    Purchase,
    Return,
    ReturnReceipt,
)
from connectors.trace import Recorder


class GuardedOrdersConnector:
    """An `OrdersConnector` whose calls go through a `SourceGuard`."""

    def __init__(self, inner: OrdersConnector, guard: SourceGuard, policy: CachePolicy) -> None:
        self._inner = inner
        self._guard = guard
        self._policy = policy

    def bound(self, recorder: Recorder) -> GuardedOrdersConnector:
        """This connector as one request sees it: its calls recorded in `recorder`.

        A copy, so that what was set on the process's connector (a test's fault) holds.
        """
        view = copy.copy(self)
        view._guard = self._guard.bound(recorder)
        return view

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        return await self._guard.batch("orders", ids, self._inner.get_orders, policy=self._policy)

    async def get_orders_live(self, ids: Sequence[str]) -> Mapping[str, Order]:
        """The orders read now, joining no read already under way: before a conditional write.

        A read that joined another's flight could predate the write that made the caller's
        last attempt conflict, and the retry would conflict again.
        """
        if not ids:
            return {}
        return await self._guard.call("orders", len(ids), lambda: self._inner.get_orders(ids))

    async def get_orders_by_number(self, numbers: Sequence[str]) -> Mapping[str, Order]:
        return await self._guard.batch(
            "orders_by_number", numbers, self._inner.get_orders_by_number, policy=self._policy
        )

    async def get_customer_orders(
        self, customer_ids: Sequence[str], *, channel: str | None
    ) -> Mapping[str, Sequence[Order]]:
        async def fetch(ids: list[str]) -> Mapping[str, Sequence[Order]]:
            return await self._inner.get_customer_orders(ids, channel=channel)

        return await self._guard.batch(
            "customer_orders", customer_ids, fetch, policy=self._policy, scope=channel or "*"
        )

    async def get_returns(self, ids: Sequence[str]) -> Mapping[str, Return]:
        return await self._guard.batch("returns", ids, self._inner.get_returns, policy=self._policy)

    async def get_order_returns(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[Return]]:
        return await self._guard.batch(
            "order_returns", order_ids, self._inner.get_order_returns, policy=self._policy
        )

    async def get_customer_purchases(
        self, customer_ids: Sequence[str], *, since: datetime, until: datetime | None = None
    ) -> Mapping[str, Sequence[Purchase]]:
        async def fetch(ids: list[str]) -> Mapping[str, Sequence[Purchase]]:
            return await self._inner.get_customer_purchases(ids, since=since, until=until)

        scope = f"{since.isoformat()}/{until.isoformat() if until else '*'}"
        return await self._guard.batch(
            "customer_purchases", customer_ids, fetch, policy=self._policy, scope=scope
        )

    async def create_order(self, order: NewOrder) -> Order:
        # Keyed by order.id: a retry answers the order the first attempt placed.
        return await self._guard.call(
            "create_order", 1, lambda: self._inner.create_order(order), idempotent=True
        )

    async def confirm_fulfillment(
        self,
        order_id: str,
        fulfillment_id: str,
        *,
        location_id: str,
        actor: str,
        channel: str | None = None,
    ) -> Order:
        return await self._guard.call(
            "confirm_fulfillment",
            1,
            lambda: self._inner.confirm_fulfillment(
                order_id, fulfillment_id, location_id=location_id, actor=actor, channel=channel
            ),
            idempotent=False,
        )

    async def change_delivery_date(
        self,
        order_id: str,
        fulfillment_id: str,
        *,
        date: date,
        expected_version: int,
        actor: str,
        channel: str | None = None,
    ) -> Order:
        return await self._guard.call(
            "change_delivery_date",
            1,
            lambda: self._inner.change_delivery_date(
                order_id,
                fulfillment_id,
                date=date,
                expected_version=expected_version,
                actor=actor,
                channel=channel,
            ),
            idempotent=False,
        )

    async def get_sales(
        self, variant_ids: Sequence[str], *, since: datetime
    ) -> Mapping[str, Mapping[str, int]]:
        async def fetch(ids: list[str]) -> Mapping[str, Mapping[str, int]]:
            return await self._inner.get_sales(ids, since=since)

        return await self._guard.batch(
            "sales", variant_ids, fetch, policy=self._policy, scope=since.isoformat()
        )

    async def register_return(self, new: NewReturn) -> Return:
        # Keyed by new.id: a retry answers the return the first attempt registered.
        return await self._guard.call(
            "register_return", 1, lambda: self._inner.register_return(new), idempotent=True
        )

    async def receive_return(self, return_id: str, receipt: ReturnReceipt) -> Return:
        # The same receipt again answers the return unchanged: a retry cannot apply twice.
        return await self._guard.call(
            "receive_return",
            1,
            lambda: self._inner.receive_return(return_id, receipt),
            idempotent=True,
        )

    async def get_carts(self, ids: Sequence[str]) -> Mapping[str, Cart]:
        if not ids:
            return {}
        return await self._guard.call("carts", len(ids), lambda: self._inner.get_carts(ids))

    async def get_open_carts(self, customer_ids: Sequence[str]) -> Mapping[str, Cart]:
        if not customer_ids:
            return {}
        return await self._guard.call(
            "open_carts", len(customer_ids), lambda: self._inner.get_open_carts(customer_ids)
        )

    async def create_cart(
        self,
        *,
        channel: str,
        customer_id: str | None = None,
        location_id: str | None = None,
        lines: Sequence[CartLineChange] = (),
    ) -> Cart:
        return await self._guard.call(
            "create_cart",
            1,
            lambda: self._inner.create_cart(
                channel=channel, customer_id=customer_id, location_id=location_id, lines=lines
            ),
            idempotent=False,
        )

    async def change_cart_lines(
        self,
        cart_id: str,
        *,
        add: Sequence[CartLineChange] = (),
        set: Sequence[CartLineChange] = (),  # the OMS's name for it; shadows the builtin here only
        remove: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> Cart:
        return await self._guard.call(
            "change_cart_lines",
            1,
            lambda: self._inner.change_cart_lines(
                cart_id, add=add, set=set, remove=remove, expected_version=expected_version
            ),
            idempotent=False,
        )

    async def attach_customer(self, cart_id: str, customer_id: str) -> Cart:
        return await self._guard.call(
            "attach_customer",
            1,
            lambda: self._inner.attach_customer(cart_id, customer_id),
            idempotent=False,
        )
