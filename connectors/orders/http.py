"""The OMS adapter that calls an order management system over its REST API (`backoffice/openapi/orders.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from connectors._http import MAX_BATCH, RestSource, keyed
from connectors.orders.mapping import SOURCE, to_order, to_return
from connectors.orders.records import Order, Return


class HttpOrdersConnector:
    """An `OrdersConnector` over HTTP: one request per batch (per `max_batch` keys).

    `mapping` renames the top-level fields of orders and returns to the reference names.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        mapping: Mapping[str, str] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._rest = RestSource(client, SOURCE, mapping=mapping, max_batch=max_batch)

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        docs = await self._rest.items("/orders/v1/orders", {"id": ids})
        return keyed(ids, map(to_order, docs), lambda order: order.id)

    async def get_orders_by_number(self, numbers: Sequence[str]) -> Mapping[str, Order]:
        docs = await self._rest.items("/orders/v1/orders", {"number": numbers})
        return keyed(numbers, map(to_order, docs), lambda order: order.number)

    async def get_customer_orders(
        self, customer_ids: Sequence[str], *, channel: str | None
    ) -> Mapping[str, Sequence[Order]]:
        docs = await self._rest.items(
            "/orders/v1/orders", {"customer_id": customer_ids}, {"channel": channel}
        )
        # The OMS answers newest first; grouping keeps that order within each customer,
        # and a customer's orders all come in the same chunk.
        grouped: dict[str, list[Order]] = {id_: [] for id_ in customer_ids}
        for order in map(to_order, docs):
            if order.customer_id is not None:
                grouped.setdefault(order.customer_id, []).append(order)
        return {id_: tuple(grouped[id_]) for id_ in customer_ids}

    async def get_returns(self, ids: Sequence[str]) -> Mapping[str, Return]:
        docs = await self._rest.items("/orders/v1/returns", {"id": ids})
        return keyed(ids, map(to_return, docs), lambda return_: return_.id)

    async def get_order_returns(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[Return]]:
        docs = await self._rest.items("/orders/v1/returns", {"order_id": order_ids})
        grouped: dict[str, list[Return]] = {id_: [] for id_ in order_ids}
        for return_ in map(to_return, docs):
            grouped.setdefault(return_.order_id, []).append(return_)
        return {id_: tuple(grouped[id_]) for id_ in order_ids}
