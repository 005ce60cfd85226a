"""The OMS behind the source guard; orders are private and never cached across requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from connectors.guard import CachePolicy, SourceGuard
from connectors.orders.protocol import OrdersConnector
from connectors.orders.records import Order, Return


class GuardedOrdersConnector:
    """An `OrdersConnector` whose calls go through a `SourceGuard`."""

    def __init__(self, inner: OrdersConnector, guard: SourceGuard, policy: CachePolicy) -> None:
        self._inner = inner
        self._guard = guard
        self._policy = policy

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        return await self._guard.batch("orders", ids, self._inner.get_orders, policy=self._policy)

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
