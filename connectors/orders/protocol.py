"""The port of the order management system (OMS)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.orders.records import Order, Return


class OrdersConnector(Protocol):
    """Read access to orders and returns from every channel."""

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]: ...

    async def get_orders_by_number(self, numbers: Sequence[str]) -> Mapping[str, Order]: ...

    async def get_customer_orders(
        self, customer_ids: Sequence[str], *, channel: str | None
    ) -> Mapping[str, Sequence[Order]]:
        """Each customer's orders, newest first; customers without orders map to an empty list."""
        ...

    async def get_returns(self, ids: Sequence[str]) -> Mapping[str, Return]: ...

    async def get_order_returns(
        self, order_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Return]]: ...
